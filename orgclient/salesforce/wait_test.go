package salesforce

import (
	"context"
	"strings"
	"sync"
	"testing"
	"time"
)

// steppingClock fires every wait at once and moves its time on by it.
type steppingClock struct {
	mu  sync.Mutex
	now time.Time
}

func (s *steppingClock) Now() time.Time {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.now
}

func (s *steppingClock) After(d time.Duration) <-chan time.Time {
	s.mu.Lock()
	s.now = s.now.Add(d)
	s.mu.Unlock()
	ch := make(chan time.Time, 1)
	ch <- s.now
	return ch
}

// A retrieve that never finishes (the org answers InProgress for ever)
// ends at relman's default wait when the caller set no deadline.
func TestStuckRetrieveEndsAtTheDefaultWait(t *testing.T) {
	o := newTestOrg(t)
	o.soap["retrieve"] = ok("retrieve", `<result><done>false</done><id>09S1</id><state>Queued</state></result>`)
	o.soap["checkRetrieveStatus"] = ok("checkRetrieveStatus", `<result><done>false</done><id>09S1</id><status>InProgress</status><success>false</success></result>`)
	clk := &steppingClock{now: time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)}
	c, err := New(o.refreshConfig(), WithClock(clk))
	if err != nil {
		t.Fatal(err)
	}
	_, err = c.RetrieveAndWait(context.Background(), RetrieveRequest{PackageNames: []string{"Acme"}}, nil)
	if err == nil || !strings.Contains(err.Error(), "retrieve 09S1 did not finish within relman's default wait") {
		t.Fatalf("err = %v, want the default wait to end it", err)
	}
	if waited := clk.Now().Sub(time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)); waited < DefaultRetrieveWait || waited > DefaultRetrieveWait+time.Minute {
		t.Errorf("gave up after %s of polling, want %s", waited, DefaultRetrieveWait)
	}
}
