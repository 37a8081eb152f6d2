package main

import (
	"encoding/json"
	"fmt"
	"math/rand/v2"
	"os"
	"os/exec"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"relman/model"
	"relman/store"
	"relman/ui/identity/identitytest"
)

// concurrencyDuration is how long the four CLI workers share the store.
const concurrencyDuration = 30 * time.Second

// cliWorker is one person at a terminal running relman commands back to
// back against a shared store, keeping exact count of what succeeded.
type cliWorker struct {
	c    relmanCLI
	user string
	rng  *rand.Rand
	dir  string // a directory to add as an environment
	// What this worker's commands reported done.
	created  []string       // CR keys
	edits    map[string]int // CR key → edits
	submits  map[string]int
	approved map[string]bool // CR key this worker approved
	compares []string        // compare log keys
	envs     []string
	events   int // audit events its successes must have written
	commands int
	busy     []string // clear "store busy" refusals, if any
	failures []string
}

// pick chooses the next command from the store's current state: create a
// CR (the other three approve it), edit or submit one of its own, approve
// another's pending CR, add an environment, or save a comparison.
func (w *cliWorker) pick(t *testing.T, crs []model.ChangeRequest, all []string) (kind string, args []string) {
	mine := func(ok func(model.ChangeRequest) bool) string {
		var ids []string
		for _, cr := range crs {
			if cr.Requester == w.user && ok(cr) {
				ids = append(ids, cr.Key())
			}
		}
		if len(ids) == 0 {
			return ""
		}
		return ids[w.rng.IntN(len(ids))]
	}
	editable := func(cr model.ChangeRequest) bool { return cr.ApprovalStatus == model.ApprovalNone }
	switch r := w.rng.IntN(100); {
	case r < 15:
		if id := mine(editable); id != "" {
			return "edit", []string{"cr", "edit", id, "--overview", fmt.Sprintf("%s's revision %d", w.user, w.rng.IntN(1e6)),
				"--component", fmt.Sprintf("ApexClass:Worker%d", w.rng.IntN(100))}
		}
	case r < 30:
		if id := mine(editable); id != "" {
			return "submit", []string{"cr", "submit", id}
		}
	case r < 55:
		var pending []string
		for _, cr := range crs {
			if cr.ApprovalStatus != model.ApprovalPending || cr.Requester == w.user {
				continue
			}
			for _, a := range cr.Approvers {
				if a.User == w.user && a.Decision == model.DecisionNone {
					pending = append(pending, cr.Key())
				}
			}
		}
		if len(pending) > 0 {
			return "approve", []string{"cr", "approve", pending[w.rng.IntN(len(pending))], "--comment", "ok from " + w.user}
		}
	case r < 60:
		return "env add", []string{"env", "add", fmt.Sprintf("%s-sandbox-%d", w.user, len(w.envs)+1), "--kind", "sandbox", "--dir", w.dir}
	case r < 70:
		if id := mine(func(model.ChangeRequest) bool { return true }); id != "" {
			return "compare", []string{"compare", "uat", "production", "--cr", id}
		}
	}
	var approvers []string
	for _, u := range all {
		if u != w.user {
			approvers = append(approvers, "--approver", u)
		}
	}
	return "new", append([]string{"cr", "new", "--env", "production", "--name", fmt.Sprintf("%s change %d", w.user, len(w.created)+1),
		"--component", "ApexClass:InvoiceService"}, approvers...)
}

// work runs commands until the deadline.
func (w *cliWorker) work(t *testing.T, until time.Time, all []string) {
	for time.Now().Before(until) {
		crs, err := readStoreQuietly(w.c.store)
		if err != nil {
			w.failures = append(w.failures, "reading the store: "+err.Error())
			continue
		}
		kind, args := w.pick(t, crs, all)
		r := w.c.runFor(commandDeadline, nil, w.user, append(args, "--json")...)
		w.commands++
		env := r.envelope()
		switch {
		case r.hung:
			w.failures = append(w.failures, fmt.Sprintf("relman %s hung", strings.Join(args, " ")))
			continue
		case env == nil:
			w.failures = append(w.failures, fmt.Sprintf("relman %s: exit %d without JSON: %s%s", strings.Join(args, " "), r.code, r.stdout, r.stderr))
			continue
		case r.code != 0 && env.Name == "StoreBusyError" && strings.Contains(env.Message, "try again"):
			w.busy = append(w.busy, env.Message)
			continue
		case r.code != 0:
			w.failures = append(w.failures, fmt.Sprintf("relman %s: exit %d %s: %s", strings.Join(args, " "), r.code, env.Name, env.Message))
			continue
		}
		var res struct {
			ID         string `json:"id"`
			Name       string `json:"name"`
			CompareLog string `json:"compareLog"`
		}
		_ = json.Unmarshal(env.Result, &res)
		switch kind {
		case "new":
			w.created = append(w.created, res.ID)
			w.events++
		case "edit":
			w.edits[args[2]]++
			w.events++
		case "submit":
			w.submits[args[2]]++
			w.events++
		case "approve":
			w.approved[args[2]] = true
			w.events++
		case "env add":
			w.envs = append(w.envs, res.Name)
			w.events++
		case "compare":
			w.compares = append(w.compares, res.CompareLog)
			w.events += 2 // the comparison and its link to the CR
		}
	}
}

// readStoreQuietly lists change requests without failing the test from a
// worker goroutine.
func readStoreQuietly(path string) ([]model.ChangeRequest, error) {
	st, err := store.Open(path, store.WithTimeout(10*time.Second))
	if err != nil {
		return nil, err
	}
	var crs []model.ChangeRequest
	err = st.View(func(tx *store.Tx) error {
		var err error
		crs, err = tx.ListCRs(store.CRQuery{})
		return err
	})
	return crs, err
}

// TestFourCLIsShareOneStore runs four relman users at once on one store
// for 10 s — each creating change requests, editing and submitting its
// own, approving the others', adding environments and saving comparisons,
// one process per command — and then finds exactly what each reported
// done: every CR with its revision and decisions, every environment and
// compare log, and exactly as many audit events as the successes wrote,
// in a chain that verifies. (The TUI side of this is the lead's.)
func TestFourCLIsShareOneStore(t *testing.T) {
	c := newCLI(t, tempStore(t), "admin", "ana", "ben", "cat", "dan", "eve")
	c.ok("admin", nil, "env", "add", "production", "--kind", "production", "--dir", copyOrg(t, "production"))
	uat := copyOrg(t, "uat")
	c.ok("admin", nil, "env", "add", "uat", "--kind", "sandbox", "--dir", uat)
	setupEvents := len(auditEvents(t, readStore(t, c.store))) // the team's registrations and the two environments
	// The terminal UI runs as a fifth process on the same store, in a real
	// terminal (tmux), polling the store while the CLIs write.
	tui := startTUI(t, c.store)
	users := []string{"ana", "ben", "cat", "dan"}
	workers := make([]*cliWorker, len(users))
	until := time.Now().Add(concurrencyDuration)
	var wg sync.WaitGroup
	for i, u := range users {
		workers[i] = &cliWorker{c: relmanCLI{t: t, store: c.store}, user: u, rng: rand.New(rand.NewPCG(uint64(i+1), 77)), dir: uat,
			edits: map[string]int{}, submits: map[string]int{}, approved: map[string]bool{}}
		wg.Add(1)
		go func() {
			defer wg.Done()
			workers[i].work(t, until, users)
		}()
	}
	wg.Wait()

	svc := readStore(t, c.store)
	crs, err := svc.ListCRs(store.CRQuery{})
	if err != nil {
		t.Fatal(err)
	}
	byKey := map[string]model.ChangeRequest{}
	for _, cr := range crs {
		byKey[cr.Key()] = cr
	}
	envs, err := svc.Environments()
	if err != nil {
		t.Fatal(err)
	}
	cls := compareLogs(t, c.store)
	events := auditEvents(t, svc)
	totalEvents, totalCRs, totalCommands, totalEnvs, totalCompares := setupEvents, 0, 0, 2, 0
	for _, w := range workers {
		for _, f := range w.failures {
			t.Errorf("%s: %s", w.user, f)
		}
		totalEvents += w.events
		totalCRs += len(w.created)
		totalEnvs += len(w.envs)
		totalCompares += len(w.compares)
		totalCommands += w.commands
		// Exactly what this worker created, no more, no less.
		var stored []string
		for _, cr := range crs {
			if cr.Requester == w.user {
				stored = append(stored, cr.Key())
			}
		}
		slices.Sort(stored)
		created := slices.Sorted(slices.Values(w.created))
		if !slices.Equal(stored, created) {
			t.Errorf("%s reported creating %d CRs %v; the store holds %d %v", w.user, len(created), created, len(stored), stored)
		}
		for _, key := range w.created {
			cr := byKey[key]
			if cr.Revision != 1+w.edits[key] {
				t.Errorf("%s: %s is at revision %d after %d edits", w.user, key, cr.Revision, w.edits[key])
			}
			if w.submits[key] > 0 && cr.ApprovalStatus == model.ApprovalNone {
				t.Errorf("%s: %s was submitted but is %s", w.user, key, cr.ApprovalStatus)
			}
		}
		for key := range w.approved {
			found := false
			for _, a := range byKey[key].Approvers {
				found = found || (a.User == w.user && a.Decision == model.DecisionApproved)
			}
			if !found {
				t.Errorf("%s approved %s but its decision is not stored", w.user, key)
			}
		}
		for _, name := range w.envs {
			if !slices.ContainsFunc(envs, func(e model.Environment) bool { return e.Name == name }) {
				t.Errorf("%s added environment %s, which is not stored", w.user, name)
			}
		}
		for _, key := range w.compares {
			if !slices.ContainsFunc(cls, func(cl model.CompareLog) bool { return cl.Key() == key }) {
				t.Errorf("%s saved %s, which is not stored", w.user, key)
			}
		}
		t.Logf("%s: %d commands, %d CRs created, %d edits, %d submits, %d approvals, %d environments, %d comparisons, %d busy",
			w.user, w.commands, len(w.created), sumValues(w.edits), sumValues(w.submits), len(w.approved), len(w.envs), len(w.compares), len(w.busy))
	}
	if len(crs) != totalCRs || len(envs) != totalEnvs || len(cls) != totalCompares {
		t.Errorf("the store holds %d CRs, %d environments, %d compare logs; the workers reported %d, %d, %d",
			len(crs), len(envs), len(cls), totalCRs, totalEnvs, totalCompares)
	}
	if len(events) != totalEvents {
		t.Errorf("%d audit events are stored; the successful commands wrote %d", len(events), totalEvents)
	}
	if tui != nil {
		// The UI shows the others' work: its list counts every CR they made.
		tui.waitFor(fmt.Sprintf("%d change requests", len(crs)))
	}
	verified := c.verifyChain(t)
	t.Logf("4 CLI processes and the TUI for %s: %d commands, %d audit events, chain verified (%d events)", concurrencyDuration, totalCommands, len(events), verified)
	if totalCommands < 40 {
		t.Errorf("only %d commands ran in %s", totalCommands, concurrencyDuration)
	}
}

func sumValues(m map[string]int) int {
	n := 0
	for _, v := range m {
		n += v
	}
	return n
}

// startTUI runs relman's terminal UI on store in tmux, or returns nil
// (saying so) where tmux is absent.
func startTUI(t *testing.T, storePath string) *tmuxSession {
	t.Helper()
	if _, err := exec.LookPath("tmux"); err != nil {
		t.Log("tmux is not installed: the TUI part of this test needs a terminal (apt-get install tmux); running the CLIs only")
		return nil
	}
	self, err := os.Executable()
	if err != nil {
		t.Fatal(err)
	}
	// The TUI acts as eve, with her key; she is registered unless she is.
	st, err := store.Open(storePath)
	if err != nil {
		t.Fatal(err)
	}
	if err := identitytest.Register(st, "eve"); err != nil {
		t.Fatal(err)
	}
	s := new(tmuxSession)
	*s = newTmuxSession(t, "conc")
	s.tmux("new-session", "-d", "-s", s.name, "-x", "120", "-y", "30",
		"RELMAN_BE_MAIN=1 NO_COLOR=1 SSH_AUTH_SOCK= RELMAN_IDENTITY="+identitytest.IdentityFile(t, "eve")+" RELMAN_STORE="+storePath+" "+self)
	t.Cleanup(func() { _ = tmuxCmd("kill-session", "-t", s.name).Run() })
	s.waitFor("change request") // "1 change request", "8 change requests"
	return s
}
