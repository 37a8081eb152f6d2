package changelog

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	tea "github.com/charmbracelet/bubbletea"
	"github.com/charmbracelet/lipgloss"
	"github.com/muesli/termenv"

	"relman/model"
	"relman/store"
	"relman/ui/common"
	"relman/ui/components/dialog"
	"relman/ui/identity/identitytest"
	"relman/ui/theme"
	"relman/ui/uitest"
)

func init() { lipgloss.SetColorProfile(termenv.Ascii) }

// world is a store monitoring a directory copy of testdata's production
// org: a baseline, then one out-of-band flow edit.
func world(t *testing.T) common.Deps {
	t.Helper()
	dir := filepath.Join(t.TempDir(), "production")
	if err := os.CopyFS(dir, os.DirFS(filepath.Join("..", "..", "testdata", "orgs", "production"))); err != nil {
		t.Fatal(err)
	}
	st, err := store.Open(filepath.Join(t.TempDir(), "relman.db"))
	if err != nil {
		t.Fatal(err)
	}
	svc := identitytest.As(t, st, "bob")
	if _, err := identitytest.As(t, st, "alice").AddEnvironment(model.Environment{Name: "production", Kind: model.KindProduction,
		Connection: model.ConnLocal, Dir: dir}); err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	if _, err := svc.Monitor(ctx, "production", nil); err != nil {
		t.Fatal(err)
	}
	flow := filepath.Join(dir, "force-app/main/default/flows/Invoice_Before_Save.flow-meta.xml")
	body, err := os.ReadFile(flow)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(flow, []byte(strings.Replace(string(body), "</Flow>", "<!-- edited in Setup -->\n</Flow>", 1)), 0o644); err != nil {
		t.Fatal(err)
	}
	if _, err := svc.Monitor(ctx, "production", nil); err != nil {
		t.Fatal(err)
	}
	return common.Deps{Svc: svc, Styles: theme.Default()}
}

// ownMsg reports the Changes screen's own messages, which go back to it.
func ownMsg(msg tea.Msg) bool {
	switch msg.(type) {
	case loadedMsg, diffMsg, picksMsg, resolvedMsg, policyMsg, reviewMsg, dialog.DoneMsg:
		return true
	}
	return false
}

// settle runs cmd and all it leads to on the screen (uitest.Drain) and
// returns what it sent the root: status lines, errors, navigation.
func settle(t *testing.T, m common.Screen, cmd tea.Cmd) (common.Screen, []tea.Msg) {
	t.Helper()
	send := func(msg tea.Msg) tea.Cmd {
		var next tea.Cmd
		m, next = m.Update(msg)
		return next
	}
	var root []tea.Msg
	for _, msg := range uitest.Drain(t, send, ownMsg, cmd).Msgs {
		switch msg.(type) {
		case common.StatusMsg, common.ErrMsg, common.OpenMsg:
			root = append(root, msg)
		}
	}
	return m, root
}

// press sends each key (uitest.Key names) and settles what it leads to.
func press(t *testing.T, m common.Screen, keys ...string) (common.Screen, []tea.Msg) {
	t.Helper()
	var all []tea.Msg
	for _, k := range keys {
		var cmd tea.Cmd
		var root []tea.Msg
		m, cmd = m.Update(uitest.Key(k))
		m, root = settle(t, m, cmd)
		all = append(all, root...)
	}
	return m, all
}

func TestChangesScreenShowsAndResolves(t *testing.T) {
	deps := world(t)
	m := New(deps)
	m.SetSize(80, 24)
	m, _ = settle(t, m, m.Init())
	if b := m.(interface{ Badge() int }).Badge(); b != 1 {
		t.Fatalf("badge = %d, want the 1 open non-compliant change", b)
	}
	view := m.View()
	for _, want := range []string{"non-compliant", "CH-0001", "Flow:Invoice_Before_Save", "+<!-- edited in Setup -->", "no change request"} {
		if !strings.Contains(view, want) {
			t.Fatalf("view lacks %q:\n%s", want, view)
		}
	}
	if h := lipgloss.Height(view); h > 24 {
		t.Fatalf("view is %d lines at 80×24", h)
	}

	// Filters: status cycles to non-compliant, then compliant (none).
	m, _ = press(t, m, "s")
	if !strings.Contains(m.View(), "status=non-compliant") || !strings.Contains(m.View(), "CH-0001") {
		t.Fatalf("status filter:\n%s", m.View())
	}
	m, _ = press(t, m, "s")
	if !strings.Contains(m.View(), "No change matches the filters") {
		t.Fatalf("compliant filter:\n%s", m.View())
	}
	m, _ = press(t, m, "x")

	// Resolve: the picker offers "none" (no approved CR holds the flow),
	// then a note is required.
	m, _ = press(t, m, "r")
	if !strings.Contains(m.View(), "none: a note says why") || !m.Capturing() {
		t.Fatalf("picker:\n%s", m.View())
	}
	m, _ = press(t, m, "enter")
	m, root := press(t, m, "r", "e", "v", "e", "r", "t", "e", "d", "enter")
	if len(root) == 0 || !strings.Contains(root[0].(common.StatusMsg).Text, "CH-0001 resolved") {
		t.Fatalf("resolve answered %v", root)
	}
	if m.Title() != "Changes" || !strings.Contains(m.View(), "resolved by bob") {
		t.Fatalf("after resolving: %q\n%s", m.Title(), m.View())
	}
	cl, err := deps.Svc.ChangeLog(1)
	if err != nil || cl.Status != model.StatusResolved || cl.Note != "reverted" {
		t.Fatalf("stored: %+v, %v", cl, err)
	}
}

func TestPoliciesSection(t *testing.T) {
	deps := world(t)
	m := New(deps)
	m.SetSize(80, 24)
	m, _ = settle(t, m, m.Init())
	m, _ = press(t, m, "p")
	if !strings.Contains(m.View(), "Policy default") || !strings.Contains(m.View(), "Automation") {
		t.Fatalf("policies:\n%s", m.View())
	}
	// Automation is the second row; bob holds every role (identitytest's
	// Team), admin included: + raises it from change-request to sandbox.
	m, root := press(t, m, "j", "+")
	if len(root) != 0 {
		t.Fatalf("raising the level: %v", root)
	}
	p, err := deps.Svc.Policy("production")
	if err != nil || p.Rule(model.CatAutomation).Level != model.LevelSandbox || p.Name != model.DefaultPolicy {
		t.Fatalf("policy after +: %+v, %v", p.Rules[model.CatAutomation], err)
	}
	if !strings.Contains(m.View(), "sandbox") {
		t.Fatalf("view after +:\n%s", m.View())
	}
	m, _ = press(t, m, "esc")
	if !strings.Contains(m.View(), "CH-0001") {
		t.Fatal("esc did not return to the list")
	}
}

func TestReviewOpensTheReviewScreen(t *testing.T) {
	deps := world(t)
	m := New(deps)
	m.SetSize(80, 24)
	m, _ = settle(t, m, m.Init())
	_, root := press(t, m, "o")
	if len(root) != 1 {
		t.Fatalf("o answered %v", root)
	}
	open, ok := root[0].(common.OpenMsg)
	if !ok || open.Screen != common.ScreenReview || open.ID == 0 {
		t.Fatalf("o answered %#v", root[0])
	}
	log, err := deps.Svc.CompareLog(open.ID)
	if err != nil || log.Counts[model.Different] != 1 {
		t.Fatalf("compare log %+v, %v", log.Counts, err)
	}
}
