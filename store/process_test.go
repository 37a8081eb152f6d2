package store

import (
	"bufio"
	"fmt"
	"math/rand/v2"
	"os"
	"os/exec"
	"strconv"
	"syscall"
	"testing"
	"time"

	"relman/model"
)

// Environment of a helper process: its role, the store and its user.
const (
	helperRole  = "RELMAN_STORE_TEST_HELPER"
	helperStore = "RELMAN_STORE_TEST_PATH"
	helperUser  = "RELMAN_STORE_TEST_USER"
	helperCount = "RELMAN_STORE_TEST_COUNT"
)

// TestHelperProcess is not a test: the multi-process tests re-run the test
// binary with this test selected and a role in the environment.
func TestHelperProcess(t *testing.T) {
	role := os.Getenv(helperRole)
	if role == "" {
		t.Skip("helper process for the multi-process tests")
	}
	s, err := Open(os.Getenv(helperStore), WithTimeout(10*time.Second))
	if err == nil {
		err = runHelper(s, role, os.Getenv(helperUser))
	}
	if err != nil {
		fmt.Fprintln(os.Stderr, "helper:", err)
		os.Exit(1)
	}
	os.Exit(0)
}

func runHelper(s *Store, role, user string) error {
	switch role {
	case "writer":
		n, err := strconv.Atoi(os.Getenv(helperCount))
		if err != nil {
			return err
		}
		for i := range n {
			if _, err := createCR(s, user, fmt.Sprintf("%s %d", user, i), time.Now()); err != nil {
				return err
			}
		}
		return nil
	case "endless":
		// Writes until killed; says "ready" once it is in the loop.
		for i := 0; ; i++ {
			if err := writeOrEdit(s, user, i); err != nil {
				return err
			}
			if i == 0 {
				fmt.Println("ready")
			}
		}
	}
	return fmt.Errorf("unknown role %q", role)
}

// writeOrEdit creates a change request with a package blob, or every third
// time edits an earlier one (moving its recency key): a change plus its
// audit event per transaction, both kinds worth interrupting.
func writeOrEdit(s *Store, user string, i int) error {
	now := time.Now()
	return s.Update(func(tx *Tx) error {
		if n, _ := tx.CountCRs(); i%3 == 2 && n > 0 {
			cr, err := tx.CR(int64(1 + i%n))
			if err != nil {
				return err
			}
			cr.Revision++
			cr.UpdatedAt = now
			if err := tx.PutCR(cr); err != nil {
				return err
			}
			return tx.Record(as(user), now, model.Change{Entity: model.EntityChangeRequest, EntityID: cr.Key(), Action: "edit"})
		}
		zip := make([]byte, 64<<10)
		for j := range zip {
			zip[j] = byte(i + j*7)
		}
		if _, err := tx.PutBlob(zip); err != nil {
			return err
		}
		id, err := tx.NextCRID()
		if err != nil {
			return err
		}
		cr := newCR(id, fmt.Sprintf("%s %d", user, i), "prod", now)
		if err := tx.PutCR(cr); err != nil {
			return err
		}
		return tx.Record(as(user), now, model.Change{Entity: model.EntityChangeRequest, EntityID: cr.Key(), Action: "create"})
	})
}

func helper(t *testing.T, role, path, user string, extra ...string) *exec.Cmd {
	cmd := exec.Command(os.Args[0], "-test.run=^TestHelperProcess$")
	cmd.Env = append(os.Environ(), helperRole+"="+role, helperStore+"="+path, helperUser+"="+user)
	cmd.Env = append(cmd.Env, extra...)
	cmd.Stderr = os.Stderr
	return cmd
}

func TestTwoProcessesWritingAtOnce(t *testing.T) {
	if testing.Short() {
		t.Skip("starts processes")
	}
	const perProcess = 60
	s := openTest(t)
	register(t, s, "alice", "bob")
	var cmds []*exec.Cmd
	for _, user := range []string{"alice", "bob"} {
		cmd := helper(t, "writer", s.Path(), user, helperCount+"="+strconv.Itoa(perProcess))
		if err := cmd.Start(); err != nil {
			t.Fatal(err)
		}
		cmds = append(cmds, cmd)
	}
	for _, cmd := range cmds {
		if err := cmd.Wait(); err != nil {
			t.Fatalf("writer: %v", err)
		}
	}
	mustView(t, s, func(tx *Tx) error {
		if n, _ := tx.CountCRs(); n != 2*perProcess {
			t.Errorf("%d change requests, want %d", n, 2*perProcess)
		}
		for _, user := range []string{"alice", "bob"} {
			events, err := tx.AuditEvents(AuditQuery{})
			if err != nil {
				return err
			}
			mine := 0
			for _, ev := range events {
				if ev.User == user && ev.Entity == model.EntityChangeRequest {
					mine++
				}
			}
			if mine != perProcess {
				t.Errorf("%s has %d events, want %d", user, mine, perProcess)
			}
		}
		return nil
	})
	assertConsistent(t, s)
}

func TestKilledWriterLosesNothingCommitted(t *testing.T) {
	if testing.Short() {
		t.Skip("starts processes")
	}
	s := openTest(t)
	register(t, s, "writer0", "writer1", "writer2", "writer3", "writer4")
	for round := range 5 {
		cmd := helper(t, "endless", s.Path(), fmt.Sprint("writer", round))
		out, err := cmd.StdoutPipe()
		if err != nil {
			t.Fatal(err)
		}
		if err := cmd.Start(); err != nil {
			t.Fatal(err)
		}
		if line, err := bufio.NewReader(out).ReadString('\n'); err != nil || line != "ready\n" {
			t.Fatalf("helper said %q, %v", line, err)
		}
		time.Sleep(time.Duration(rand.IntN(40)) * time.Millisecond)
		if err := cmd.Process.Signal(syscall.SIGKILL); err != nil {
			t.Fatal(err)
		}
		_ = cmd.Wait() // killed: the error is the point

		s2, err := Open(s.Path())
		if err != nil {
			t.Fatalf("round %d: store does not open after SIGKILL: %v", round, err)
		}
		assertConsistent(t, s2)
	}
}

// assertConsistent checks that the chain verifies and that every change
// request has exactly the audit events its state implies: a create, and an
// edit per revision after the first.
func assertConsistent(t *testing.T, s *Store) {
	t.Helper()
	res, err := s.Verify()
	if err != nil || !res.OK {
		t.Fatalf("Verify = %+v, %v", res, err)
	}
	mustView(t, s, func(tx *Tx) error {
		crs, err := tx.ListCRs(CRQuery{})
		if err != nil {
			return err
		}
		n, _ := tx.CountCRs()
		stored := tx.tx.Bucket(bucketCRs).Stats().KeyN
		if len(crs) != stored || n != stored {
			t.Errorf("index lists %d (counts %d) of %d change requests", len(crs), n, stored)
		}
		events := 0
		for _, cr := range crs {
			evs, err := tx.AuditEvents(AuditQuery{Entity: model.EntityChangeRequest, EntityID: cr.Key()})
			if err != nil {
				return err
			}
			if len(evs) != cr.Revision || evs[0].Action != "create" {
				t.Errorf("%s at revision %d has %d events", cr.Key(), cr.Revision, len(evs))
			}
			events += len(evs)
		}
		users, err := tx.Users()
		if err != nil {
			return err
		}
		if events+len(users) != res.Events {
			t.Errorf("%d events belong to change requests and %d register users, the trail has %d", events, len(users), res.Events)
		}
		return nil
	})
}

// TestReaderGetsThroughABusyWriter reads while another process writes back
// to back: the lock is free only between its transactions, and a reader
// must still find it well within the timeout.
func TestReaderGetsThroughABusyWriter(t *testing.T) {
	if testing.Short() {
		t.Skip("starts processes")
	}
	s := openTest(t)
	register(t, s, "writer")
	cmd := helper(t, "endless", s.Path(), "writer")
	out, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	defer func() {
		cmd.Process.Kill()
		cmd.Wait()
	}()
	if line, err := bufio.NewReader(out).ReadString('\n'); err != nil || line != "ready\n" {
		t.Fatalf("helper said %q, %v", line, err)
	}
	var slowest time.Duration
	var last uint64
	for range 20 {
		start := time.Now()
		var seq uint64
		if err := s.View(func(tx *Tx) error { seq, _ = tx.Head(); return nil }); err != nil {
			t.Fatalf("View while another process writes: %v", err)
		}
		slowest = max(slowest, time.Since(start))
		if seq < last {
			t.Errorf("head went back from %d to %d", last, seq)
		}
		last = seq
		time.Sleep(10 * time.Millisecond)
	}
	t.Logf("slowest of 20 reads behind a writer in a loop: %v (head at %d)", slowest, last)
}
