package approvals

import (
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"

	tea "github.com/charmbracelet/bubbletea"
	"github.com/charmbracelet/x/exp/golden"

	"relman/model"
	"relman/ui/common"
	"relman/ui/components/dialog"
	"relman/ui/theme"
)

// screen builds bob's (or user's) Approvals screen at w×h and loads it.
func (w *world) screen(user string, width, height int) *Model {
	w.t.Helper()
	m := New(common.Deps{Svc: w.as(user), Styles: theme.Default()}).(*Model)
	m.SetSize(width, height)
	if out := settle(w.t, m, m.Init()); len(out) > 0 {
		w.t.Fatalf("loading sent %v to the root", out)
	}
	return m
}

// isRootMsg reports whether msg is for the root rather than the screen.
func isRootMsg(msg tea.Msg) bool {
	switch msg.(type) {
	case common.StatusMsg, common.ErrMsg, common.OpenMsg, common.BackMsg, common.FatalMsg:
		return true
	}
	return false
}

// settle runs cmd, feeds every message it yields back into s until nothing
// is left, and returns the messages meant for the root. Only commands that
// finish on their own may be settled (not a cursor blink).
func settle(t *testing.T, s common.Screen, cmd tea.Cmd) []tea.Msg {
	t.Helper()
	var out []tea.Msg
	queue := []tea.Cmd{cmd}
	for len(queue) > 0 {
		c := queue[0]
		queue = queue[1:]
		if c == nil {
			continue
		}
		switch msg := c().(type) {
		case nil:
		case tea.BatchMsg:
			queue = append(queue, msg...)
		default:
			if isRootMsg(msg) {
				out = append(out, msg)
				continue
			}
			_, next := s.Update(msg)
			queue = append(queue, next)
		}
	}
	return out
}

func keyMsg(k string) tea.KeyMsg {
	switch k {
	case "enter":
		return tea.KeyMsg{Type: tea.KeyEnter}
	case "esc":
		return tea.KeyMsg{Type: tea.KeyEsc}
	case "up":
		return tea.KeyMsg{Type: tea.KeyUp}
	case "down":
		return tea.KeyMsg{Type: tea.KeyDown}
	case "pgdown":
		return tea.KeyMsg{Type: tea.KeyPgDown}
	case "pgup":
		return tea.KeyMsg{Type: tea.KeyPgUp}
	}
	return tea.KeyMsg{Type: tea.KeyRunes, Runes: []rune(k)}
}

// press sends keys and returns the last key's command.
func press(s common.Screen, keys ...string) tea.Cmd {
	var cmd tea.Cmd
	for _, k := range keys {
		_, cmd = s.Update(keyMsg(k))
	}
	return cmd
}

// typeText types text into whatever has focus; the cursor blinks it
// starts are not run.
func typeText(s common.Screen, text string) {
	for _, r := range text {
		s.Update(tea.KeyMsg{Type: tea.KeyRunes, Runes: []rune{r}})
	}
}

func keys(m *Model) []string {
	out := make([]string, len(m.items))
	for i, w := range m.items {
		out[i] = w.Key()
	}
	return out
}

func TestQueueListsWhatWaitsForTheUserNewestFirst(t *testing.T) {
	w := newWorld(t)
	w.seedQueue()
	m := w.screen("bob", 80, 24)
	if got, want := fmt.Sprint(keys(m)), "[CR-0003 CR-0002 DR-0001]"; got != want {
		t.Fatalf("bob's queue = %s, want %s (newest first, without his own CR-0005)", got, want)
	}
	if !m.items[0].Stale || m.items[1].Stale {
		t.Errorf("stale = %v, %v; want only CR-0003, whose scope changed after bob approved", m.items[0].Stale, m.items[1].Stale)
	}
	view := m.View()
	for _, want := range []string{"CR-0003", "Invoice tax rate by region", staleMarker, "DR-0001", "CR-0001 → production",
		"Deployment · alice · uat → production", "Change Request · alice · production", "2h ago"} {
		if !strings.Contains(view, want) {
			t.Errorf("view lacks %q:\n%s", want, view)
		}
	}
	if carol := w.screen("carol", 80, 24); fmt.Sprint(keys(carol)) != "[CR-0002]" {
		t.Errorf("carol's queue = %v, want [CR-0002]", keys(carol))
	}
}

func TestMovingKeysAndWheelStayInTheQueue(t *testing.T) {
	w := newWorld(t)
	for i := 1; i <= 12; i++ {
		w.tick(time.Minute)
		w.newCR("alice", fmt.Sprintf("Change %02d", i), []string{"bob"}, "CustomLabel:Invoice_Paid_Message")
	}
	// 13 lines: the header takes two, so five two-line rows fit.
	m := w.screen("bob", 80, 13)
	if got := m.rowsVisible(); got != 5 {
		t.Fatalf("rowsVisible = %d, want 5", got)
	}
	steps := []struct {
		input          any
		cursor, offset int
	}{
		{"j", 1, 0}, {"down", 2, 0}, {"k", 1, 0}, {"up", 0, 0}, {"k", 0, 0},
		{"G", 11, 7}, {"j", 11, 7}, {"g", 0, 0}, {"pgdown", 5, 1}, {"pgdown", 10, 6}, {"pgup", 5, 5},
		{tea.MouseButtonWheelDown, 6, 5}, {tea.MouseButtonWheelUp, 5, 5}, {"end", 11, 7}, {"home", 0, 0},
	}
	for _, s := range steps {
		switch in := s.input.(type) {
		case string:
			press(m, in)
		case tea.MouseButton:
			m.Update(tea.MouseMsg{Button: in, Action: tea.MouseActionPress})
		}
		if m.cursor != s.cursor || m.offset != s.offset {
			t.Fatalf("after %v: cursor %d offset %d, want %d %d", s.input, m.cursor, m.offset, s.cursor, s.offset)
		}
	}
	// The view renders only the visible window.
	press(m, "G")
	view := m.View()
	if strings.Contains(view, "Change 12") || !strings.Contains(view, "Change 01") || !strings.Contains(view, "8–12 of 12") {
		t.Errorf("at the bottom the view should show Change 05…01 and the range:\n%s", view)
	}
}

func TestApproveWithCommentLeavesTheQueue(t *testing.T) {
	w := newWorld(t)
	cr := w.newCR("alice", "Add Region field to Account", []string{"bob", "carol"}, "CustomField:Account.Customer_Tier__c")
	m := w.screen("bob", 80, 24)

	press(m, "a")
	if !m.dialog.Open() || !m.Capturing() {
		t.Fatal("a should open the comment prompt and capture typing")
	}
	if !strings.Contains(m.View(), "Approve CR-0001") {
		t.Errorf("the prompt should name the CR:\n%s", m.View())
	}
	typeText(m, "Looks good")
	out := settle(t, m, press(m, "enter"))
	if len(out) != 1 || out[0] != (common.StatusMsg{Text: "You approved CR-0001 — still waiting for carol"}) {
		t.Fatalf("root got %v", out)
	}
	if len(m.items) != 0 || !strings.Contains(m.View(), "Nothing waiting for you") {
		t.Errorf("CR-0001 should have left bob's queue:\n%s", m.View())
	}
	got, err := w.as("bob").CR(cr.ID)
	if err != nil {
		t.Fatal(err)
	}
	if a := got.Approvers[0]; a.User != "bob" || a.Decision != model.DecisionApproved || a.Comment != "Looks good" {
		t.Errorf("stored decision = %+v", a)
	}

	// carol's approval is the last one: the CR becomes Approved.
	c := w.screen("carol", 80, 24)
	press(c, "a")
	out = settle(t, c, press(c, "enter"))
	if len(out) != 1 || out[0] != (common.StatusMsg{Text: "You approved CR-0001 — it is now Approved"}) {
		t.Fatalf("root got %v", out)
	}
}

func TestApproveADeployment(t *testing.T) {
	w := newWorld(t)
	w.seedQueue()
	m := w.screen("bob", 80, 24)
	press(m, "G")
	press(m, "a")
	out := settle(t, m, press(m, "enter"))
	if len(out) != 1 || out[0] != (common.StatusMsg{Text: "You approved DR-0001 — it is now Approved"}) {
		t.Fatalf("root got %v", out)
	}
	d, err := w.as("bob").Deployment(1)
	if err != nil || d.Status != model.DeployApproved {
		t.Fatalf("DR-0001 = %v, %v; want Approved", d.Status, err)
	}
	if fmt.Sprint(keys(m)) != "[CR-0003 CR-0002]" || m.cursor != 1 {
		t.Errorf("queue = %v, cursor %d; want the two CRs with the cursor on the last", keys(m), m.cursor)
	}
}

func TestRejectNeedsAComment(t *testing.T) {
	w := newWorld(t)
	w.seedQueue()
	m := w.screen("bob", 80, 24)
	press(m, "j", "r")
	if cmd := press(m, "enter"); cmd != nil || !m.dialog.Open() || !strings.Contains(m.View(), "required") {
		t.Fatalf("an empty rejection must keep the prompt open and say why:\n%s", m.View())
	}
	typeText(m, "Customer_Tier__c is owned by sales ops")
	out := settle(t, m, press(m, "enter"))
	if len(out) != 1 || out[0] != (common.StatusMsg{Text: "You rejected CR-0002"}) {
		t.Fatalf("root got %v", out)
	}
	cr, _ := w.as("bob").CR(2)
	if cr.ApprovalStatus != model.ApprovalRejected || cr.Approvers[0].Comment != "Customer_Tier__c is owned by sales ops" {
		t.Errorf("CR-0002 = %s, %+v", cr.ApprovalStatus, cr.Approvers[0])
	}
}

func TestRejectADeployment(t *testing.T) {
	w := newWorld(t)
	w.seedQueue()
	m := w.screen("bob", 80, 24)
	press(m, "G", "r")
	typeText(m, "wrong test level")
	out := settle(t, m, press(m, "enter"))
	if len(out) != 1 || out[0] != (common.StatusMsg{Text: "You rejected DR-0001"}) {
		t.Fatalf("root got %v", out)
	}
	if d, _ := w.as("bob").Deployment(1); d.Status != model.DeployRejected {
		t.Errorf("DR-0001 = %s, want Rejected", d.Status)
	}
}

func TestEscCancelsTheDecision(t *testing.T) {
	w := newWorld(t)
	w.seedQueue()
	m := w.screen("bob", 80, 24)
	press(m, "a")
	typeText(m, "q1") // typed into the prompt, not quitting or switching tabs
	if out := settle(t, m, press(m, "esc")); len(out) != 0 {
		t.Fatalf("cancel sent %v", out)
	}
	if m.dialog.Open() || m.Capturing() || m.busy != "" {
		t.Fatal("esc should close the prompt and decide nothing")
	}
	if cr, _ := w.as("bob").CR(3); cr.ApprovalStatus != model.ApprovalPending {
		t.Errorf("CR-0003 = %s, want still pending", cr.ApprovalStatus)
	}
}

func TestRefusalShowsTheRule(t *testing.T) {
	w := newWorld(t)
	w.newCR("alice", "Add Region field to Account", []string{"bob", "carol"}, "CustomField:Account.Customer_Tier__c")
	m := w.screen("bob", 80, 24)
	// Bob approves from the command line while the screen still shows it.
	w.must(w.as("bob").ApproveCR(1, "from the CLI"))
	press(m, "a")
	out := settle(t, m, press(m, "enter"))
	if len(out) != 1 {
		t.Fatalf("root got %v", out)
	}
	e, ok := out[0].(common.ErrMsg)
	if !ok || !errors.Is(e.Err, model.ErrAlreadyDecided) || !strings.Contains(e.Err.Error(), "each approver decides once per scope") {
		t.Fatalf("root got %v, want the AlreadyDecided rule", out[0])
	}
	if m.busy != "" || !m.keys.Approve.Enabled() {
		t.Error("after a refusal the screen should accept keys again")
	}
}

// Enter opens the selected record itself: a change request on its
// detail, a deployment on the deployment screen.
func TestEnterOpensTheRecord(t *testing.T) {
	w := newWorld(t)
	w.seedQueue()
	m := w.screen("bob", 80, 24)
	for _, c := range []struct {
		keys []string
		want common.OpenMsg
	}{{[]string{"enter"}, common.OpenMsg{Screen: common.ScreenChangeDetail, ID: 3}},
		{[]string{"j", "enter"}, common.OpenMsg{Screen: common.ScreenChangeDetail, ID: 2}},
		{[]string{"j", "enter"}, common.OpenMsg{Screen: common.ScreenDeployment, ID: 1}}} {
		out := settle(t, m, press(m, c.keys...))
		if len(out) != 1 || out[0] != c.want {
			t.Fatalf("%v: root got %v, want %+v", c.keys, out, c.want)
		}
	}
}

func TestStoreChangesReloadAndStaleLoadsAreDropped(t *testing.T) {
	w := newWorld(t)
	w.seedQueue()
	m := w.screen("bob", 80, 24)
	press(m, "j") // on CR-0002
	_, older := m.Update(common.StoreChangedMsg{Head: 1})
	olderMsg := older() // reads the queue before the change, answers after
	w.must(w.as("alice").CancelCR(3, "not needed"))
	_, newer := m.Update(common.StoreChangedMsg{Head: 2})
	settle(t, m, newer)
	if fmt.Sprint(keys(m)) != "[CR-0002 DR-0001]" || m.selectedKey() != "CR-0002" {
		t.Fatalf("after the reload: %v, selected %s", keys(m), m.selectedKey())
	}
	settle(t, m, func() tea.Msg { return olderMsg }) // it still saw CR-0003
	if fmt.Sprint(keys(m)) != "[CR-0002 DR-0001]" {
		t.Errorf("a stale load replaced the queue: %v", keys(m))
	}
}

func TestForeignMessagesAreIgnored(t *testing.T) {
	w := newWorld(t)
	w.seedQueue()
	m := w.screen("bob", 80, 24)
	for _, msg := range []tea.Msg{
		dialog.DoneMsg{Tag: "environments/remove", OK: true},
		decidedMsg{target: target{key: "CR-0003", approve: true}},
		loadedMsg{seq: m.seq - 1},
		tea.WindowSizeMsg{Width: 10, Height: 5},
	} {
		if _, cmd := m.Update(msg); cmd != nil {
			t.Errorf("%T started a command", msg)
		}
	}
	if len(m.items) != 3 || m.busy != "" {
		t.Errorf("state changed: %d items, busy %q", len(m.items), m.busy)
	}
}

func TestKeysFollowTheState(t *testing.T) {
	w := newWorld(t)
	m := w.screen("bob", 80, 24)
	if m.keys.Approve.Enabled() || m.keys.Open.Enabled() || m.keys.Down.Enabled() {
		t.Error("an empty queue offers nothing to approve, open or move")
	}
	if cmd := press(m, "a", "enter", "j"); cmd != nil || m.dialog.Open() {
		t.Error("keys on an empty queue should do nothing")
	}
	w.newCR("alice", "One", []string{"bob"}, "CustomLabel:Invoice_Paid_Message")
	settle(t, m, func() tea.Msg { return common.StoreChangedMsg{} })
	if !m.keys.Approve.Enabled() || !m.keys.Open.Enabled() {
		t.Error("a waiting item can be approved and opened")
	}
	press(m, "a")
	if help := m.ShortHelp(); len(help) != 2 || help[0].Help().Key != "enter" {
		t.Errorf("with the prompt open, help should list its keys, got %v", help)
	}
	m.Update(press(m, "enter")()) // the prompt's answer; the decision itself is not run
	if m.keys.Approve.Enabled() || m.keys.Reject.Enabled() {
		t.Error("while a decision is recorded, a and r are off")
	}
	if !strings.Contains(m.View(), "Approving CR-0001…") {
		t.Errorf("the header should say what is being recorded:\n%s", m.View())
	}
}

func TestGolden(t *testing.T) {
	w := newWorld(t)
	w.seedQueue()
	for _, c := range []struct {
		name          string
		width, height int
		keys          []string
	}{
		{"queue_80x24", 80, 24, nil},
		{"second_selected_80x24", 80, 24, []string{"j"}},
		{"approve_prompt_80x24", 80, 24, []string{"a"}},
		{"reject_prompt_required_80x24", 80, 24, []string{"j", "r", "enter"}},
		{"stale_cr_preview_160x48", 160, 48, nil},
		{"deployment_preview_160x48", 160, 48, []string{"G"}},
		{"approve_prompt_160x48", 160, 48, []string{"j", "a"}},
	} {
		t.Run(c.name, func(t *testing.T) {
			m := w.screen("bob", c.width, c.height)
			press(m, c.keys...)
			golden.RequireEqual(t, []byte(m.View()))
		})
	}
	t.Run("empty_80x24", func(t *testing.T) {
		golden.RequireEqual(t, []byte(w.screen("dave", 80, 24).View()))
	})
	t.Run("empty_160x48", func(t *testing.T) {
		golden.RequireEqual(t, []byte(w.screen("dave", 160, 48).View()))
	})
}
