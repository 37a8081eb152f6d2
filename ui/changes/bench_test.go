package changes

import (
	"fmt"
	"math/rand/v2"
	"testing"
	"time"

	"github.com/charmbracelet/lipgloss"
	"github.com/muesli/termenv"

	"relman/model"
	"relman/model/metadata"
	"relman/ui/changes/screentest"
)

// syntheticCRs returns n change requests in recency order, with realistic
// names, overviews and components, deterministic for a given n.
func syntheticCRs(n int) []model.ChangeRequest {
	rng := rand.New(rand.NewPCG(1, uint64(n)))
	words := []string{"invoice", "account", "region", "tax", "due date", "permission", "layout", "label",
		"validation", "flow", "export", "report", "discount", "contract", "renewal", "territory"}
	envs := []string{"production", "production-eu", "uat", "dev"}
	users := []string{"alice", "bob", "carol", "dmitri", "eva"}
	statuses := []func(*model.ChangeRequest){
		func(*model.ChangeRequest) {},
		func(c *model.ChangeRequest) { c.ApprovalStatus = model.ApprovalPending },
		func(c *model.ChangeRequest) { c.ApprovalStatus = model.ApprovalApproved },
		func(c *model.ChangeRequest) { c.ApprovalStatus = model.ApprovalRejected },
		func(c *model.ChangeRequest) { c.CompletionStatus = model.CompletionCompleted },
		func(c *model.ChangeRequest) { c.CompletionStatus = model.CompletionCancelled },
	}
	crs := make([]model.ChangeRequest, n)
	for i := range crs {
		w := func() string { return words[rng.IntN(len(words))] }
		cr := model.ChangeRequest{ID: int64(n - i), Name: fmt.Sprintf("%s %s for %s", w(), w(), w()),
			Overview: fmt.Sprintf("Finance asked for %s and %s so that %s reports match.", w(), w(), w()),
			Env:      envs[rng.IntN(len(envs))], Requester: users[rng.IntN(len(users))],
			ApprovalStatus: model.ApprovalNone, CompletionStatus: model.CompletionInProgress,
			UpdatedAt: screentest.Now.Add(-time.Duration(i) * time.Minute)}
		for range 1 + rng.IntN(6) {
			cr.Customizations = append(cr.Customizations, metadata.Component{Type: "CustomField",
				FullName: fmt.Sprintf("Object_%d__c.Field_%d__c", rng.IntN(300), rng.IntN(5000))})
		}
		statuses[rng.IntN(len(statuses))](&cr)
		crs[i] = cr
	}
	return crs
}

// BenchmarkListFrame measures one View of the list at 200×60: the cost of
// a frame, which must not depend on how many change requests are loaded.
// It renders with the TrueColor profile, as a real terminal would.
func BenchmarkListFrame(b *testing.B) {
	lipgloss.SetColorProfile(termenv.TrueColor)
	defer lipgloss.SetColorProfile(termenv.Ascii)
	deps := fixture.EmptyDeps(b, "alice")
	for _, n := range []int{10_000, 100_000} {
		data := windowOf(syntheticCRs(n))
		b.Run(fmt.Sprintf("%d CRs", n), func(b *testing.B) {
			l := NewList(deps).(*List)
			l.SetSize(200, 60)
			l.Update(listLoadedMsg{seq: l.loadSeq, data: data})
			l.move(n / 2) // somewhere in the middle
			b.ResetTimer()
			for b.Loop() {
				_ = l.View()
			}
		})
		b.Run(fmt.Sprintf("%d CRs filtered", n), func(b *testing.B) {
			l := NewList(deps).(*List)
			l.SetSize(200, 60)
			l.Update(listLoadedMsg{seq: l.loadSeq, data: data})
			l.Update(screentest.Await[listFilteredMsg](b, l.setQuery("invreg")))
			b.ResetTimer()
			for b.Loop() {
				_ = l.View()
			}
		})
	}
}

// windowOf is a window holding every one of crs (in recency order), with
// the tab counts they make: a frame's cost must not depend on its size.
func windowOf(crs []model.ChangeRequest) *listData {
	d := &listData{counts: make([]int, len(statusTabs))}
	for _, cr := range crs {
		r := newRow(cr)
		d.rows = append(d.rows, r)
		d.counts[0]++
		for i, t := range statusTabs[1:] {
			if t.status == r.status {
				d.counts[i+1]++
			}
		}
		d.keyW = max(d.keyW, len(r.key))
	}
	return d
}
