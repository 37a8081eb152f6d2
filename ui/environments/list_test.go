package environments

import (
	"errors"
	"fmt"
	"strings"
	"testing"

	tea "github.com/charmbracelet/bubbletea"
	"github.com/charmbracelet/x/exp/golden"

	"relman/model"
	"relman/ui/common"
	"relman/ui/components/dialog"
)

func TestListShowsEveryEnvironmentWithoutSecrets(t *testing.T) {
	w := newWorld(t)
	w.seed()
	m := w.list(80, 24)
	if got := fmt.Sprint(names(m)); got != "[acme-prod gone production uat]" {
		t.Fatalf("environments = %s", got)
	}
	for _, e := range m.envs {
		if !e.env.Credentials.IsZero() {
			t.Errorf("the list holds %s's secrets", e.env.Name)
		}
	}
	view := m.View()
	for _, want := range []string{"NAME", "KIND", "CONNECTION", "LAST TEST", "acme.my.salesforce.com · refres", "Auth method   refresh-token",
		"never tested", "✓ ok 20m ago", "✗ failed 20m ago", "credentials stored (encrypted)", "Client id     3MVG9relmanClientId"} {
		if !strings.Contains(view, want) {
			t.Errorf("view lacks %q:\n%s", want, view)
		}
	}
	for _, k := range []string{"G", "enter"} { // the zoomed details too
		press(m, k)
		if strings.Contains(m.View(), secret) || strings.Contains(m.View(), secret[:8]) {
			t.Fatalf("a secret shows:\n%s", m.View())
		}
	}
}

func TestTestConnectionOfADirectory(t *testing.T) {
	w := newWorld(t)
	w.seed()
	m := w.list(80, 24)
	press(m, "G") // uat
	cmd := press(m, "t")
	if !m.testing["uat"] || m.keys.Test.Enabled() {
		t.Fatal("t should start testing uat and disable t for it")
	}
	if view := m.View(); !strings.Contains(view, "Testing uat…") || !strings.Contains(view, "testing…") {
		t.Errorf("the spinner should say what is tested:\n%s", view)
	}
	if again := press(m, "t"); again != nil {
		t.Error("a second t while uat is tested should do nothing")
	}
	out := settle(t, m, cmd)
	if len(out) != 1 || !strings.HasPrefix(fmt.Sprint(out[0]), "{Test Connection to uat OK") {
		t.Fatalf("root got %v", out)
	}
	if m.testing["uat"] {
		t.Error("uat is still marked as testing")
	}
	view := m.View()
	for _, want := range []string{"✓ Connected · 2025-11-26 10:20 (just now)", "API version   62.0", "SFDX project", "components"} {
		if !strings.Contains(view, want) {
			t.Errorf("details lack %q:\n%s", want, view)
		}
	}
	env, err := w.svc().Environment("uat")
	if err != nil || !env.Passed() {
		t.Fatalf("stored uat: %v, %+v", err, env.LastTest)
	}
}

func TestTestConnectionOfAMissingDirectoryFailsClearly(t *testing.T) {
	w := newWorld(t)
	w.addLocal("gone", model.KindSandbox, "nowhere")
	m := w.list(80, 24)
	out := settle(t, m, press(m, "t"))
	if len(out) != 1 {
		t.Fatalf("root got %v", out)
	}
	e, ok := out[0].(common.ErrMsg)
	if !ok || e.Err.Error() != "Test Connection to gone failed" {
		t.Fatalf("root got %v", out[0])
	}
	view := m.View()
	for _, want := range []string{"✗ Failed", "no such directory", "Fix what it names, then press t to test again."} {
		if !strings.Contains(view, want) {
			t.Errorf("details lack %q:\n%s", want, view)
		}
	}
}

func TestAddAndEditOpenTheEditor(t *testing.T) {
	w := newWorld(t)
	w.seed()
	m := w.list(80, 24)
	if out := settle(t, m, press(m, "n")); len(out) != 1 || out[0] != (common.OpenMsg{Screen: common.ScreenEnvironmentEditor}) {
		t.Errorf("n: root got %v", out)
	}
	press(m, "j")
	if out := settle(t, m, press(m, "e")); len(out) != 1 || out[0] != (common.OpenMsg{Screen: common.ScreenEnvironmentEditor, Name: "gone"}) {
		t.Errorf("e: root got %v", out)
	}
}

func TestRemoveAsksFirst(t *testing.T) {
	w := newWorld(t)
	w.seed()
	m := w.list(80, 24)
	press(m, "G", "d")
	if !m.dialog.Open() || !m.Capturing() || !strings.Contains(m.View(), "Remove uat and its stored credentials?") {
		t.Fatalf("d should ask:\n%s", m.View())
	}
	if out := settle(t, m, press(m, "n")); len(out) != 0 || m.dialog.Open() {
		t.Fatalf("n should only close the question, root got %v", out)
	}
	press(m, "d")
	out := settle(t, m, press(m, "y"))
	if len(out) != 1 || out[0] != (common.StatusMsg{Text: "Removed uat and its stored credentials"}) {
		t.Fatalf("root got %v", out)
	}
	if fmt.Sprint(names(m)) != "[acme-prod gone production]" || m.selectedName() != "production" {
		t.Errorf("after removing: %v, selected %s", names(m), m.selectedName())
	}
	if _, err := w.svc().Environment("uat"); err == nil {
		t.Error("uat is still stored")
	}
}

func TestRemoveRefusalReachesTheStatusLine(t *testing.T) {
	w := newWorld(t)
	w.seed()
	m := w.list(80, 24)
	press(m, "d")
	if err := w.svc().RemoveEnvironment("acme-prod"); err != nil { // by another relman meanwhile
		t.Fatal(err)
	}
	out := settle(t, m, press(m, "y"))
	if len(out) != 1 {
		t.Fatalf("root got %v", out)
	}
	if e, ok := out[0].(common.ErrMsg); !ok || !strings.Contains(e.Err.Error(), "not found") {
		t.Errorf("root got %v", out[0])
	}
}

func TestEnterShowsDetailsAndEscReturns(t *testing.T) {
	w := newWorld(t)
	w.seed()
	m := w.list(80, 24)
	press(m, "j", "enter")
	if !m.zoom || strings.Contains(m.View(), "LAST TEST") || !strings.Contains(m.View(), "Fix what it names") {
		t.Fatalf("enter should show gone's details alone:\n%s", m.View())
	}
	if h := m.ShortHelp(); !h[len(h)-1].Enabled() {
		t.Error("esc should be offered while the details fill the screen")
	}
	press(m, "esc")
	if m.zoom || m.keys.Back.Enabled() {
		t.Error("esc should return to the table")
	}
	press(m, "enter", "enter")
	if m.zoom {
		t.Error("enter again should return to the table")
	}
}

func TestMovingKeysAndWheel(t *testing.T) {
	w := newWorld(t)
	for i := range 30 {
		w.addLocal(fmt.Sprintf("sandbox%02d", i), model.KindSandbox, "dev")
	}
	// 24 rows, narrow: the table takes half (a header and 11 rows), the
	// details the rest.
	m := w.list(80, 24)
	if got := m.rowsVisible(); got != 11 {
		t.Fatalf("rowsVisible = %d, want 11", got)
	}
	steps := []struct {
		input          any
		cursor, offset int
	}{
		{"j", 1, 0}, {"down", 2, 0}, {"k", 1, 0}, {"up", 0, 0}, {"k", 0, 0},
		{"G", 29, 19}, {"j", 29, 19}, {"g", 0, 0}, {"pgdown", 11, 1}, {"pgup", 0, 0},
		{tea.MouseButtonWheelDown, 1, 0}, {tea.MouseButtonWheelUp, 0, 0}, {"end", 29, 19}, {"home", 0, 0},
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
	press(m, "G")
	if view := m.View(); strings.Contains(view, "sandbox18") || !strings.Contains(view, "sandbox19") {
		t.Errorf("only the visible window should render:\n%s", view)
	}
}

func TestSavedInTheEditorIsSelectedAndTested(t *testing.T) {
	w := newWorld(t)
	w.seed()
	m := w.list(80, 24)
	w.addLocal("dev", model.KindSandbox, "dev") // as the editor does
	_, cmd := m.Update(savedMsg{name: "dev", test: true})
	out := settle(t, m, cmd)
	if m.selectedName() != "dev" {
		t.Errorf("selected %s, want the saved dev", m.selectedName())
	}
	if len(out) != 1 || !strings.HasPrefix(fmt.Sprint(out[0]), "{Test Connection to dev OK") {
		t.Errorf("root got %v", out)
	}
}

func TestStoreChangesReloadAndStaleAnswersAreDropped(t *testing.T) {
	w := newWorld(t)
	w.seed()
	m := w.list(80, 24)
	press(m, "j", "j") // production
	_, older := m.Update(common.StoreChangedMsg{Head: 1})
	olderMsg := older() // reads before the change, answers after
	w.addLocal("dev", model.KindSandbox, "dev")
	_, newer := m.Update(common.StoreChangedMsg{Head: 2})
	settle(t, m, newer)
	if fmt.Sprint(names(m)) != "[acme-prod dev gone production uat]" || m.selectedName() != "production" {
		t.Fatalf("after the reload: %v, selected %s", names(m), m.selectedName())
	}
	settle(t, m, func() tea.Msg { return olderMsg })
	if len(m.envs) != 5 {
		t.Errorf("a stale load replaced the list: %v", names(m))
	}
	for _, msg := range []tea.Msg{
		testedMsg{name: "uat", err: errors.New("not asked")},
		removedMsg{name: "uat"},
		dialog.DoneMsg{Tag: "approvals/approve", OK: true},
	} {
		if _, cmd := m.Update(msg); cmd != nil {
			t.Errorf("%T started a command", msg)
		}
	}
}

func TestKeysFollowTheState(t *testing.T) {
	w := newWorld(t)
	m := w.list(80, 24)
	for _, b := range []string{"t", "e", "d", "enter", "j"} {
		if cmd := press(m, b); cmd != nil || m.dialog.Open() || m.zoom {
			t.Errorf("%s on an empty list should do nothing", b)
		}
	}
	if !m.keys.Add.Enabled() || m.keys.Test.Enabled() || m.keys.Remove.Enabled() {
		t.Error("an empty list offers only n")
	}
	if !strings.Contains(m.View(), "No environments yet") {
		t.Errorf("empty state:\n%s", m.View())
	}
}

func TestListGolden(t *testing.T) {
	w := newWorld(t)
	w.seed()
	for _, c := range []struct {
		name          string
		width, height int
		keys          []string
	}{
		{"salesforce_80x24", 80, 24, nil},
		{"failed_80x24", 80, 24, []string{"j"}},
		{"tested_ok_160x48", 160, 48, []string{"j", "j"}},
		{"never_tested_160x48", 160, 48, []string{"G"}},
		{"failed_details_80x24", 80, 24, []string{"j", "enter"}},
		{"testing_80x24", 80, 24, []string{"G", "t"}},
		{"remove_80x24", 80, 24, []string{"G", "d"}},
	} {
		t.Run(c.name, func(t *testing.T) {
			m := w.list(c.width, c.height)
			w.scrub(m)
			press(m, c.keys...)
			golden.RequireEqual(t, []byte(m.View()))
		})
	}
	for _, size := range [][2]int{{80, 24}, {160, 48}} {
		t.Run(fmt.Sprintf("empty_%dx%d", size[0], size[1]), func(t *testing.T) {
			golden.RequireEqual(t, []byte(newWorld(t).list(size[0], size[1]).View()))
		})
	}
}
