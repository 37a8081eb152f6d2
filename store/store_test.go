package store

import (
	"bytes"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	bolt "go.etcd.io/bbolt"

	"relman/model"
)

func TestOpenCreatesPrivateFileAndDirs(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "data", "relman")
	path := filepath.Join(dir, "relman.db")
	s, err := Open(path)
	if err != nil {
		t.Fatal(err)
	}
	if got := fileMode(t, path); got != 0o600 {
		t.Errorf("store mode = %04o, want 0600", got)
	}
	if got := fileMode(t, path+".lock"); got != 0o600 {
		t.Errorf("lock file mode = %04o, want 0600", got)
	}
	if got := fileMode(t, dir); got != 0o700 {
		t.Errorf("directory mode = %04o, want 0700", got)
	}
	if s.Path() != path {
		t.Errorf("Path() = %q, want %q", s.Path(), path)
	}
	mustView(t, s, func(tx *Tx) error {
		if v, _ := schemaOf(tx.tx, path); v != currentVersion() {
			t.Errorf("schema = %d, want %d", v, currentVersion())
		}
		return nil
	})
}

func TestOpenTightensLooseMode(t *testing.T) {
	s := openTest(t)
	if err := os.Chmod(s.Path(), 0o644); err != nil {
		t.Fatal(err)
	}
	if _, err := Open(s.Path()); err != nil {
		t.Fatal(err)
	}
	if got := fileMode(t, s.Path()); got != 0o600 {
		t.Errorf("mode after reopening = %04o, want 0600", got)
	}
}

func TestReopenPersistsEverything(t *testing.T) {
	t.Setenv(keyEnv, "")
	s := openTest(t)
	env := model.Environment{Name: "prod", Kind: model.KindProduction, Connection: model.ConnSalesforce,
		URL: "https://login.salesforce.com", Auth: model.AuthRefreshToken,
		Credentials: model.Credentials{RefreshToken: "5Aep861-refresh"}, CreatedAt: t0, UpdatedAt: t0}
	var blobKey string
	register(t, s, "alice")
	mustUpdate(t, s, func(tx *Tx) error {
		if err := tx.PutEnvironment(env); err != nil {
			return err
		}
		id, _ := tx.NextCRID()
		if err := tx.PutCR(newCR(id, "Add Region field", "prod", t0)); err != nil {
			return err
		}
		did, _ := tx.NextDeploymentID()
		if err := tx.PutDeployment(model.DeploymentRecord{ID: did, CR: id, Source: "uat", Target: "prod", Status: model.DeployDraft}); err != nil {
			return err
		}
		lid, _ := tx.NextLogID()
		if err := tx.PutLog(model.DeploymentLog{ID: lid, Deployment: did, Kind: model.LogValidate, Status: model.LogSucceeded}); err != nil {
			return err
		}
		cid, _ := tx.NextCompareLogID()
		if err := tx.PutCompareLog(model.CompareLog{ID: cid, CR: id, Source: "uat", Target: "prod"}); err != nil {
			return err
		}
		var err error
		if blobKey, err = tx.PutBlob([]byte("PK\x03\x04 zip bytes")); err != nil {
			return err
		}
		return tx.Record(as("alice"), t0, model.Change{Entity: model.EntityChangeRequest, EntityID: "CR-0001", Action: "create"})
	})

	again, err := Open(s.Path())
	if err != nil {
		t.Fatal(err)
	}
	mustView(t, again, func(tx *Tx) error {
		got, err := tx.Environment("prod")
		if err != nil {
			return err
		}
		if got.Credentials != env.Credentials || got.URL != env.URL || !got.CreatedAt.Equal(t0) {
			t.Errorf("environment = %+v", got)
		}
		if cr, err := tx.CR(1); err != nil || cr.Name != "Add Region field" {
			t.Errorf("CR(1) = %+v, %v", cr, err)
		}
		if d, err := tx.Deployment(1); err != nil || d.Target != "prod" {
			t.Errorf("Deployment(1) = %+v, %v", d, err)
		}
		if l, err := tx.Log(1); err != nil || l.Kind != model.LogValidate {
			t.Errorf("Log(1) = %+v, %v", l, err)
		}
		if c, err := tx.CompareLog(1); err != nil || c.CR != 1 {
			t.Errorf("CompareLog(1) = %+v, %v", c, err)
		}
		if b, err := tx.Blob(blobKey); err != nil || string(b) != "PK\x03\x04 zip bytes" {
			t.Errorf("Blob = %q, %v", b, err)
		}
		if seq, _ := tx.Head(); seq != 2 {
			t.Errorf("Head seq = %d, want 2 (alice's registration, then the create)", seq)
		}
		return nil
	})
}

func TestOpenRefusesNewerSchema(t *testing.T) {
	s := openTest(t)
	newer := currentVersion() + 1
	rawUpdate(t, s.Path(), func(tx *bolt.Tx) error { return tx.Bucket(bucketMeta).Put(keySchema, itob(newer)) })
	before := readFile(t, s.Path())

	_, err := Open(s.Path())
	if !errors.Is(err, ErrNewerSchema) {
		t.Fatalf("Open = %v, want ErrNewerSchema", err)
	}
	for _, want := range []string{s.Path(), fmt.Sprintf("v%d", newer), fmt.Sprintf("v%d", currentVersion()), "upgrade relman"} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("error %q does not mention %q", err, want)
		}
	}
	if !bytes.Equal(before, readFile(t, s.Path())) {
		t.Error("Open changed a store from a newer relman")
	}
	// A relman already running notices too, before it writes the old layout.
	if err := s.Update(func(*Tx) error { return nil }); !errors.Is(err, ErrNewerSchema) {
		t.Errorf("Update on a store migrated underneath = %v, want ErrNewerSchema", err)
	}
}

func TestOpenRefusesCorruptFile(t *testing.T) {
	cases := map[string]func(path string){
		"tiny":            func(p string) { os.WriteFile(p, []byte("hello"), 0o640) },
		"text":            func(p string) { os.WriteFile(p, bytes.Repeat([]byte("not a database\n"), 3000), 0o640) },
		"zeros":           func(p string) { os.WriteFile(p, make([]byte, 65536), 0o640) },
		"cut to one page": func(p string) { truncatedStore(t, p, 4096) },
		"cut mid-data":    func(p string) { truncatedStore(t, p, 16384) },
		"foreign bbolt": func(p string) {
			db, err := bolt.Open(p, 0o640, nil)
			if err != nil {
				t.Fatal(err)
			}
			db.Update(func(tx *bolt.Tx) error { _, err := tx.CreateBucket([]byte("other")); return err })
			db.Close()
			os.Chmod(p, 0o640)
		},
	}
	for name, write := range cases {
		t.Run(name, func(t *testing.T) {
			path := filepath.Join(t.TempDir(), "relman.db")
			write(path)
			before := readFile(t, path)
			_, err := Open(path)
			if !errors.Is(err, ErrCorrupt) {
				t.Fatalf("Open = %v, want ErrCorrupt", err)
			}
			if !strings.Contains(err.Error(), path) || !strings.Contains(err.Error(), "untouched") {
				t.Errorf("error %q does not name the file and reassure", err)
			}
			if !bytes.Equal(before, readFile(t, path)) || fileMode(t, path) != 0o640 {
				t.Error("Open changed a file it refused")
			}
		})
	}
}

func TestBusyStoreFailsWithinTimeout(t *testing.T) {
	const timeout = 300 * time.Millisecond
	s := openTest(t, WithTimeout(timeout))

	// Another handle's write transaction holds the exclusive lock until
	// released, like a second relman in the middle of a long write.
	locked, release, done := make(chan struct{}), make(chan struct{}), make(chan error)
	go func() {
		db, err := bolt.Open(s.Path(), 0o600, &bolt.Options{Timeout: time.Second})
		if err != nil {
			close(locked)
			done <- err
			return
		}
		close(locked)
		<-release
		done <- db.Close()
	}()
	<-locked

	for name, run := range map[string]func(func(*Tx) error) error{"Update": s.Update, "View": s.View} {
		start := time.Now()
		err := run(func(*Tx) error { return nil })
		elapsed := time.Since(start)
		if !errors.Is(err, ErrBusy) {
			t.Fatalf("%s on a locked store = %v, want ErrBusy", name, err)
		}
		if elapsed < timeout/2 || elapsed > timeout+time.Second {
			t.Errorf("%s gave up after %v, want about %v", name, elapsed, timeout)
		}
		for _, want := range []string{s.Path(), "another relman", "try again"} {
			if !strings.Contains(err.Error(), want) {
				t.Errorf("%s error %q does not say %q", name, err, want)
			}
		}
	}
	close(release)
	if err := <-done; err != nil {
		t.Fatal(err)
	}
	if err := s.Update(func(*Tx) error { return nil }); err != nil {
		t.Errorf("Update after the lock was released = %v", err)
	}
}

func TestWithTimeoutNeverWaitsForever(t *testing.T) {
	s := openTest(t, WithTimeout(0))
	if s.timeout != DefaultTimeout {
		t.Errorf("WithTimeout(0) gave timeout %v, want %v", s.timeout, DefaultTimeout)
	}
}

func TestDefaultPath(t *testing.T) {
	t.Setenv("HOME", "/home/ada")
	t.Setenv("RELMAN_STORE", "")
	t.Setenv("XDG_DATA_HOME", "")
	check := func(want string) {
		t.Helper()
		if got, err := DefaultPath(); err != nil || got != want {
			t.Errorf("DefaultPath() = %q, %v, want %q", got, err, want)
		}
	}
	check("/home/ada/.local/share/relman/relman.db")
	t.Setenv("XDG_DATA_HOME", "/data")
	check("/data/relman/relman.db")
	t.Setenv("RELMAN_STORE", "/tmp/r.db")
	check("/tmp/r.db")
}

// truncatedStore writes a store with enough records to span many pages,
// then cuts it to size bytes, as a full disk or a bad copy would.
func truncatedStore(t *testing.T, path string, size int64) {
	s, err := Open(path)
	if err != nil {
		t.Fatal(err)
	}
	for i := range 200 {
		if _, err := createCR(s, "alice", strings.Repeat("long name ", 20), t0.Add(time.Duration(i)*time.Minute)); err != nil {
			t.Fatal(err)
		}
	}
	if info, _ := os.Stat(path); info.Size() <= 4*size {
		t.Fatalf("store of %d bytes is too small to cut to %d", info.Size(), size)
	}
	if err := os.Truncate(path, size); err != nil {
		t.Fatal(err)
	}
	os.Chmod(path, 0o640)
}
