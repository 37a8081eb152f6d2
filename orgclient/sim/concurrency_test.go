package sim

import (
	"errors"
	"fmt"
	"net/http"
	"sync"
	"testing"
)

// clientRound is one client's work: list, retrieve and poll, query
// dependencies, read limits.
func clientRound(c *client) error {
	list := call[tFileProperties](c, styleJSForce, "listMetadata", "<queries><type>ApexClass</type></queries>")
	if len(list) != 5 {
		return fmt.Errorf("listed %d classes", len(list))
	}
	async := call[tAsync](c, styleJSForce, "retrieve", "<request><apiVersion>62.0</apiVersion><unpackaged><types><members>*</members><name>CustomField</name></types></unpackaged></request>")
	for {
		res := call[tRetrieveResult](c, styleJSForce, "checkRetrieveStatus", "<id>"+async[0].ID+"</id>")
		if res[0].Done {
			if res[0].Status != "Succeeded" || len(res[0].FileProperties) != 11 {
				return fmt.Errorf("retrieve: %s, %d files", res[0].Status, len(res[0].FileProperties))
			}
			break
		}
	}
	if status, _, b := c.do(http.MethodGet, "/services/data/v62.0/limits/", "", nil); status != http.StatusOK {
		return fmt.Errorf("limits: %d %s", status, b)
	}
	if status, q, _ := c.query(depFields + " WHERE MetadataComponentType = 'Layout'"); status != http.StatusOK || q.TotalSize == 0 {
		return fmt.Errorf("query: %d", status)
	}
	return nil
}

// runClients runs n concurrent clients, each doing rounds rounds.
func runClients(tb testing.TB, s *Server, n, rounds int) {
	var wg sync.WaitGroup
	errs := make(chan error, n)
	for range n {
		wg.Add(1)
		go func() {
			defer wg.Done()
			defer func() {
				if r := recover(); r != nil {
					f, ok := r.(workerFailure)
					if !ok {
						panic(r)
					}
					errs <- errors.New(f.msg)
				}
			}()
			c := &client{t: workerTB{}, base: s.URL(), token: s.AccessToken()}
			for range rounds {
				if err := clientRound(c); err != nil {
					errs <- err
					return
				}
			}
		}()
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		tb.Error(err)
	}
}

func TestFiftyConcurrentClients(t *testing.T) {
	s := startSim(t, Config{})
	runClients(t, s, 50, 2)
	if used, _ := s.usage.counts(); used < 50*2*5 {
		t.Errorf("only %d API calls counted", used)
	}
}

// BenchmarkConcurrentClients measures one round of 50 concurrent clients
// (list, retrieve and poll, limits, dependency query) and reports API calls
// answered per second.
func BenchmarkConcurrentClients(b *testing.B) {
	s := startSim(b, Config{})
	before, _ := s.usage.counts()
	for b.Loop() {
		runClients(b, s, 50, 1)
	}
	after, _ := s.usage.counts()
	b.ReportMetric(float64(after-before)/b.Elapsed().Seconds(), "calls/s")
}
