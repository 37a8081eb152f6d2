package store

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"strconv"

	"relman/model"
)

// VerifyResult is the outcome of recomputing the audit chain: Events counts
// the events found good (up to the first bad one); when OK is false,
// FirstBad is the sequence number of the first event that fails and Reason
// says why.
type VerifyResult struct {
	Events   int
	OK       bool
	FirstBad uint64
	Reason   string
}

// Verify recomputes the audit hash chain from the first event to the head
// recorded in meta, and reports the first event that is missing, out of
// place, altered or undecodable. It reads in one shared-lock transaction.
func (s *Store) Verify() (VerifyResult, error) {
	var res VerifyResult
	err := s.View(func(tx *Tx) error {
		var err error
		res, err = tx.verify()
		return err
	})
	return res, err
}

func (tx *Tx) verify() (VerifyResult, error) {
	audit, err := tx.bucket(bucketAudit)
	if err != nil {
		return VerifyResult{}, err
	}
	meta, err := tx.bucket(bucketMeta)
	if err != nil {
		return VerifyResult{}, err
	}
	res := VerifyResult{OK: true}
	fail := func(seq uint64, format string, args ...any) (VerifyResult, error) {
		res.OK, res.FirstBad, res.Reason = false, seq, fmt.Sprintf(format, args...)
		return res, nil
	}
	var (
		prev   = []byte(model.GenesisHash)
		want   = uint64(1)
		h      = sha256.New()
		sum    [sha256.Size]byte
		hexSum [hashLen]byte
		prefix []byte
	)
	c := audit.Cursor()
	for k, v := c.First(); k != nil; k, v = c.Next() {
		if len(k) != 8 {
			return fail(want, "undecodable: a key of %d bytes stands where event %d should be", len(k), want)
		}
		seq := btoi(k)
		if seq != want {
			return fail(want, "gap: event %d is missing (the next stored event is %d)", want, seq)
		}
		if len(v) < 2*hashLen {
			return fail(seq, "undecodable: %d bytes are too short for the two hashes", len(v))
		}
		if !bytes.Equal(v[:hashLen], prev) {
			return fail(seq, "broken link: its previous hash is not the hash of event %d", seq-1)
		}
		canonical := v[2*hashLen:]
		// The hash covers the canonical bytes but not the key; the seq inside
		// them ties the two together without decoding the JSON.
		prefix = strconv.AppendUint(append(prefix[:0], `{"seq":`...), seq, 10)
		prefix = append(prefix, ',')
		if !bytes.HasPrefix(canonical, prefix) {
			return fail(seq, "undecodable: its encoding does not start with %s", prefix)
		}
		h.Reset()
		h.Write(prev)
		h.Write(canonical)
		hex.Encode(hexSum[:], h.Sum(sum[:0]))
		if !bytes.Equal(hexSum[:], v[hashLen:2*hashLen]) {
			return fail(seq, "hash mismatch: the event was altered after it was written")
		}
		prev = v[hashLen : 2*hashLen]
		want++
		res.Events++
	}
	// The head catches what the chain alone cannot: events cut off its end.
	last := want - 1
	headSeq, headHash, err := parseHead(meta.Get(keyAuditHead))
	switch {
	case err != nil:
		return fail(last, "the head recorded in meta is damaged (%v)", err)
	case headSeq > last:
		return fail(want, "gap: the head records event %d but the trail ends at %d", headSeq, last)
	case headSeq < last:
		return fail(headSeq+1, "event %d follows the recorded head, event %d", headSeq+1, headSeq)
	case headHash != string(prev):
		return fail(last, "the recorded head has another hash for event %d", last)
	}
	return res, nil
}
