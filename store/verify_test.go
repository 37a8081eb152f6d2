package store

import (
	"strings"
	"testing"

	bolt "go.etcd.io/bbolt"
)

func TestVerifyEmptyStore(t *testing.T) {
	if res, err := openTest(t).Verify(); err != nil || !res.OK || res.Events != 0 {
		t.Errorf("Verify of an empty store = %+v, %v", res, err)
	}
}

// TestVerifyDetectsEveryAlteredByte changes each byte of the stored value
// of the first, a middle and the last event in turn; Verify must name that
// event every time.
func TestVerifyDetectsEveryAlteredByte(t *testing.T) {
	s := openTest(t)
	appendEvents(t, s, 9)
	for _, seq := range []uint64{2, 6, 10} { // the first, a middle and the last after alice's registration
		var original []byte
		rawUpdate(t, s.Path(), func(tx *bolt.Tx) error {
			original = append([]byte{}, tx.Bucket(bucketAudit).Get(itob(seq))...)
			return nil
		})
		for i := range original {
			altered := append([]byte{}, original...)
			altered[i] ^= []byte{0x01, 0x20, 0x80, 0xff}[i%4]
			rawUpdate(t, s.Path(), func(tx *bolt.Tx) error { return tx.Bucket(bucketAudit).Put(itob(seq), altered) })
			res, err := s.Verify()
			if err != nil {
				t.Fatal(err)
			}
			if res.OK || res.FirstBad != seq {
				t.Fatalf("event %d byte %d (%q→%q): Verify = %+v, want event %d reported", seq, i, original[i], altered[i], res, seq)
			}
		}
		rawUpdate(t, s.Path(), func(tx *bolt.Tx) error { return tx.Bucket(bucketAudit).Put(itob(seq), original) })
		if res, _ := s.Verify(); !res.OK {
			t.Fatalf("restored chain does not verify: %+v", res)
		}
	}
}

func TestVerifyNamesStructuralDamage(t *testing.T) {
	cases := []struct {
		name     string
		damage   func(audit, meta *bolt.Bucket) error
		firstBad uint64
		reason   string
	}{
		{"deleted middle event", func(a, _ *bolt.Bucket) error { return a.Delete(itob(4)) }, 4, "gap"},
		{"deleted last event", func(a, _ *bolt.Bucket) error { return a.Delete(itob(7)) }, 7, "gap"},
		{"deleted first event", func(a, _ *bolt.Bucket) error { return a.Delete(itob(1)) }, 1, "gap"},
		{"swapped events", func(a, _ *bolt.Bucket) error {
			two, four := append([]byte{}, a.Get(itob(3))...), append([]byte{}, a.Get(itob(5))...)
			if err := a.Put(itob(3), four); err != nil {
				return err
			}
			return a.Put(itob(5), two)
		}, 3, "broken link"},
		{"event moved to another key", func(a, _ *bolt.Bucket) error {
			v := append([]byte{}, a.Get(itob(7))...)
			if err := a.Delete(itob(7)); err != nil {
				return err
			}
			return a.Put(itob(8), v)
		}, 7, "gap"},
		{"short value", func(a, _ *bolt.Bucket) error { return a.Put(itob(3), []byte("short")) }, 3, "undecodable"},
		{"odd key", func(a, _ *bolt.Bucket) error { return a.Put([]byte("zzz"), []byte("x")) }, 8, "a key of 3 bytes"},
		{"head behind", func(_, m *bolt.Bucket) error {
			return m.Put(keyAuditHead, append(itob(6), m.Get(keyAuditHead)[8:]...))
		}, 7, "follows the recorded head"},
		{"head damaged", func(_, m *bolt.Bucket) error { return m.Put(keyAuditHead, []byte("x")) }, 7, "is damaged"},
		{"head hash differs", func(_, m *bolt.Bucket) error {
			return m.Put(keyAuditHead, append(itob(7), strings.Repeat("0", 64)...))
		}, 7, "another hash"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			s := openTest(t)
			appendEvents(t, s, 6)
			rawUpdate(t, s.Path(), func(tx *bolt.Tx) error { return c.damage(tx.Bucket(bucketAudit), tx.Bucket(bucketMeta)) })
			res, err := s.Verify()
			if err != nil {
				t.Fatal(err)
			}
			if res.OK || res.FirstBad != c.firstBad || !strings.Contains(res.Reason, c.reason) {
				t.Errorf("Verify = %+v, want event %d reported for %q", res, c.firstBad, c.reason)
			}
		})
	}
}
