package editor

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	tea "github.com/charmbracelet/bubbletea"
	"github.com/charmbracelet/x/exp/golden"

	"relman/model"
	"relman/model/metadata"
	"relman/ui/changes/screentest"
	"relman/ui/common"
	"relman/ui/components/dialog"
	"relman/ui/identity/identitytest"
)

// shown opens the editor on id (0: a new change request), applies the
// load and, when the form is editable, the component list of its home
// environment.
func shown(t *testing.T, deps common.Deps, id int64, w, h int) *Editor {
	t.Helper()
	s := New(deps)
	s.SetSize(w, h)
	s, cmd := s.Update(common.ShowMsg{ID: id})
	s, cmd = s.Update(screentest.Await[editorLoadedMsg](t, cmd))
	e := s.(*Editor)
	if e.editable() {
		e.Update(screentest.Await[catalogueLoadedMsg](t, cmd))
	}
	return e
}

// press sends keys and returns the last command.
func press(e *Editor, keys ...string) tea.Cmd {
	var cmd tea.Cmd
	for _, k := range keys {
		_, cmd = e.Update(screentest.Key(k))
	}
	return cmd
}

// typeText types text into the focused field one key at a time; in the
// picker it applies every filter answer.
func typeText(t *testing.T, e *Editor, text string) {
	t.Helper()
	for _, r := range text {
		cmd := press(e, string(r))
		if e.focus == fieldSearch && e.picker.running {
			e.Update(screentest.Await[pickFilteredMsg](t, cmd))
		}
	}
}

// focusOn tabs to field f.
func focusOn(t *testing.T, e *Editor, f field) {
	t.Helper()
	for range 12 {
		if e.focus == f {
			return
		}
		press(e, "tab")
	}
	t.Fatalf("field %d is not a focus stop", f)
}

func comp(s string) metadata.Component {
	c, err := metadata.ParseComponent(s)
	if err != nil {
		panic(err)
	}
	return c
}

func TestEditorNewFormOffersProductionEnvironments(t *testing.T) {
	e := shown(t, fixture.Deps(t, "alice"), 0, 80, 24)
	if !slices.Equal(e.envs, []string{"production"}) || e.env != "production" {
		t.Fatalf("envs %v, env %q; want only production", e.envs, e.env)
	}
	if e.focus != fieldName || !e.Capturing() {
		t.Fatal("a new form does not start typing into the name")
	}
	if cat := e.picker.catalogue(); cat == nil || len(cat.names) != 41 || e.picker.shown.len() != 41 {
		t.Fatal("the picker does not hold production's 41 components")
	}
}

func TestEditorTabOrderAndCapturing(t *testing.T) {
	e := shown(t, fixture.Deps(t, "alice"), 0, 80, 24)
	order := []struct {
		f         field
		capturing bool
	}{{fieldType, true}, {fieldEnv, true}, {fieldOverview, true}, {fieldSearch, true},
		{fieldProposed, true}, {fieldApprovers, true}, {fieldName, true}}
	for _, o := range order {
		press(e, "tab")
		if e.focus != o.f || e.Capturing() != o.capturing {
			t.Fatalf("tab: focus %d capturing %v, want %d %v", e.focus, e.Capturing(), o.f, o.capturing)
		}
	}
	press(e, "shift+tab")
	if e.focus != fieldApprovers {
		t.Fatalf("shift+tab from the name goes to %d, want the approvers", e.focus)
	}
	e.picked = []metadata.Component{comp("ApexClass:InvoiceService")}
	focusOn(t, e, fieldSearch)
	if press(e, "tab"); e.focus != fieldPicked || !e.Capturing() {
		t.Fatal("the chosen components are not a focus stop once there are some")
	}
}

func TestEditorChangeTypeCycles(t *testing.T) {
	e := shown(t, fixture.Deps(t, "alice"), 0, 80, 24)
	focusOn(t, e, fieldType)
	steps := []struct{ key, want string }{{"right", "Standard"}, {"l", "Major"}, {"space", "Emergency"},
		{"right", "Minor"}, {"left", "Emergency"}, {"h", "Major"}}
	for _, s := range steps {
		press(e, s.key)
		if got := string(model.ChangeTypes[e.changeType]); got != s.want {
			t.Fatalf("%s: change type %s, want %s", s.key, got, s.want)
		}
	}
}

func TestEditorHomeEnvironmentCyclesAndLoadsItsComponents(t *testing.T) {
	deps := fixture.Deps(t, "alice")
	prod, err := deps.Svc.Environment("production")
	if err != nil {
		t.Fatal(err)
	}
	prod.Name = "production-eu"
	if _, err := deps.Svc.AddEnvironment(prod); err != nil {
		t.Fatal(err)
	}
	e := shown(t, deps, 0, 80, 24)
	focusOn(t, e, fieldEnv)
	cmd := press(e, "right")
	if e.env != "production-eu" || !e.picker.loading["production-eu"] {
		t.Fatalf("env %q, loading %v", e.env, e.picker.loading)
	}
	if !strings.Contains(e.View(), "‹ production-eu ›") {
		t.Error("the chosen environment is not shown")
	}
	e.Update(screentest.Await[catalogueLoadedMsg](t, cmd))
	if press(e, "left"); e.env != "production" || e.picker.catalogue() == nil {
		t.Fatal("back to production does not use its cached components")
	}
}

func TestEditorPickerAddsAndRemovesComponents(t *testing.T) {
	e := shown(t, fixture.Deps(t, "alice"), 0, 80, 24)
	focusOn(t, e, fieldSearch)
	typeText(t, e, "invstatus")
	if c, _ := e.picker.selected(); c != comp("CustomField:Invoice__c.Status__c") {
		t.Fatalf("best match %v", c)
	}
	press(e, "enter")
	press(e, "enter")
	if len(e.picked) != 0 {
		t.Fatal("enter on a chosen component does not remove it")
	}
	press(e, "enter", "esc")
	typeText(t, e, "inv")
	press(e, "down", "enter")
	if len(e.picked) != 2 || !strings.Contains(e.View(), "• CustomField:Invoice__c.Status__c") {
		t.Fatalf("picked %v", e.picked)
	}
	press(e, "tab")
	if e.focus != fieldPicked {
		t.Fatal("tab from the picker does not reach the chosen components")
	}
	second := e.picked[1]
	press(e, "down", "delete")
	if len(e.picked) != 1 || slices.Contains(e.picked, second) {
		t.Fatalf("delete removed the wrong one: %v", e.picked)
	}
	press(e, "delete")
	if len(e.picked) != 0 || e.focus != fieldSearch {
		t.Fatalf("removing the last one leaves focus on %d", e.focus)
	}
}

func TestEditorPickerDropsStaleAnswersAndAnswersDeletionsAtOnce(t *testing.T) {
	e := shown(t, fixture.Deps(t, "alice"), 0, 80, 24)
	focusOn(t, e, fieldSearch)
	first := press(e, "i")
	stale := screentest.Await[pickFilteredMsg](t, first) // finished before the next key
	second := press(e, "n")
	e.Update(stale)
	if e.picker.shown.query != "" {
		t.Fatalf("the stale answer for %q was shown", stale.answer.query)
	}
	e.Update(screentest.Await[pickFilteredMsg](t, second))
	typeText(t, e, "v")
	if e.picker.shown.query != "inv" || len(e.picker.answers) != 2 {
		t.Fatalf("shown %q with answers for %d prefixes", e.picker.shown.query, len(e.picker.answers))
	}
	if cmd := press(e, "backspace"); e.picker.running || e.picker.shown.query != "in" {
		t.Fatalf("backspace: running %v, shown %q; want the kept answer for \"in\" at once (cmd %v)",
			e.picker.running, e.picker.shown.query, cmd != nil)
	}
	press(e, "esc")
	if e.picker.query() != "" || e.dialog.Open() || e.picker.shown.len() != 41 {
		t.Fatal("esc in the picker does not clear the search")
	}
}

func TestEditorProposedIsCheckedAsItIsTyped(t *testing.T) {
	e := shown(t, fixture.Deps(t, "alice"), 0, 100, 40)
	focusOn(t, e, fieldProposed)
	typeText(t, e, "CustomField:Invoice__c.Due_Date")
	if v := e.View(); !strings.Contains(v, `field "Due_Date": custom fields end in __c`) {
		t.Fatalf("no inline error for a field without __c:\n%s", v)
	}
	press(e, "enter")
	if len(e.proposed) != 0 {
		t.Fatal("an invalid proposed customization was added")
	}
	typeText(t, e, "__c")
	if _, problem := e.checkProposed(); problem != "" {
		t.Fatalf("valid name refused: %s", problem)
	}
	press(e, "enter")
	if len(e.proposed) != 1 || e.proposedIn.Value() != "" {
		t.Fatalf("proposed %v, input %q", e.proposed, e.proposedIn.Value())
	}
	typeText(t, e, "Nonsense:Thing")
	if _, problem := e.checkProposed(); !strings.Contains(problem, "Nonsense") {
		t.Errorf("unknown type: %q", problem)
	}
	e.proposedIn.Reset()
	typeText(t, e, "CustomField:Invoice__c.Status__c")
	if v := e.View(); !strings.Contains(v, "already exists in production; pick it under") {
		t.Errorf("no hint for a proposed component that exists:\n%s", v)
	}
}

func TestEditorPickerCursorAndProposedListKeys(t *testing.T) {
	e := shown(t, fixture.Deps(t, "alice"), 0, 80, 24)
	focusOn(t, e, fieldSearch)
	press(e, "ctrl+n", "ctrl+n", "down", "ctrl+p")
	if e.picker.cursor != 2 {
		t.Fatalf("picker cursor %d after ctrl+n ctrl+n ↓ ctrl+p, want 2", e.picker.cursor)
	}
	press(e, "up", "up", "up")
	if e.picker.cursor != 0 {
		t.Fatalf("picker cursor %d, want 0 (it stops at the top)", e.picker.cursor)
	}
	focusOn(t, e, fieldProposed)
	for _, c := range []string{"CustomField:Invoice__c.A__c", "CustomField:Invoice__c.B__c", "CustomField:Invoice__c.C__c"} {
		typeText(t, e, c)
		press(e, "enter")
	}
	press(e, "tab")
	if e.focus != fieldProposedList || !e.Capturing() {
		t.Fatal("tab from proposed does not reach its list")
	}
	press(e, "down", "down", "up", "delete")
	if len(e.proposed) != 2 || slices.Contains(e.proposed, comp("CustomField:Invoice__c.B__c")) {
		t.Fatalf("delete removed the wrong one: %v", e.proposed)
	}
	press(e, "backspace", "delete")
	if len(e.proposed) != 0 || e.focus != fieldProposed {
		t.Fatalf("proposed %v, focus %d after removing all", e.proposed, e.focus)
	}
}

func TestEditorRefusesTheRequesterAsApprover(t *testing.T) {
	e := shown(t, fixture.Deps(t, "alice"), 0, 100, 30)
	typeText(t, e, "Something")
	focusOn(t, e, fieldApprovers)
	typeText(t, e, "bob, alice")
	if v := e.View(); !strings.Contains(v, "alice requests this change and cannot approve it") {
		t.Fatalf("no inline refusal:\n%s", v)
	}
	press(e, "shift+tab")
	cmd := press(e, "ctrl+s")
	if msg := screentest.Await[common.ErrMsg](t, cmd); !strings.Contains(msg.Err.Error(), "not saved") {
		t.Fatalf("status %v", msg.Err)
	}
	if e.saving || e.focus != fieldApprovers {
		t.Fatalf("saving %v, focus %d; want no save and focus on the approvers", e.saving, e.focus)
	}
}

func TestEditorNeedsAName(t *testing.T) {
	e := shown(t, fixture.Deps(t, "alice"), 0, 80, 24)
	press(e, "tab", "tab")
	press(e, "ctrl+s")
	if e.saving || e.focus != fieldName || !strings.Contains(e.View(), model.ErrNameRequired.Rule) {
		t.Fatal("an unnamed change request was saved, or the name was not marked")
	}
}

// fillNewForm fills a new form: a name, two components picked from
// production, one proposed, and bob as approver.
func fillNewForm(t *testing.T, e *Editor, approvers string) {
	t.Helper()
	typeText(t, e, "Invoice due dates")
	focusOn(t, e, fieldSearch)
	typeText(t, e, "invstatus")
	press(e, "enter")
	press(e, "esc")
	typeText(t, e, "invlayout")
	press(e, "enter")
	focusOn(t, e, fieldProposed)
	typeText(t, e, "CustomField:Invoice__c.Due_Date__c")
	press(e, "enter")
	focusOn(t, e, fieldApprovers)
	typeText(t, e, approvers)
}

func TestEditorSavesANewChangeRequestAndOpensIt(t *testing.T) {
	deps := fixture.Deps(t, "alice")
	e := shown(t, deps, 0, 80, 24)
	fillNewForm(t, e, "bob")
	_, next := e.Update(screentest.Await[savedMsg](t, press(e, "ctrl+s")))
	r := screentest.Start(t, next)
	if text, isErr := screentest.TakeStatus(t, r); text != "Saved CR-0009" || isErr {
		t.Fatalf("status %q", text)
	}
	screentest.Take[common.BackMsg](t, r)
	if got := screentest.Take[common.OpenMsg](t, r); got != (common.OpenMsg{Screen: common.ScreenChangeDetail, ID: 9}) {
		t.Fatalf("opened %+v", got)
	}
	cr, err := deps.Svc.CR(9)
	if err != nil {
		t.Fatal(err)
	}
	want := []metadata.Component{comp("CustomField:Invoice__c.Status__c"), comp("Layout:Invoice__c-Invoice Layout")}
	if cr.Name != "Invoice due dates" || !slices.Equal(cr.Customizations, want) ||
		!slices.Equal(cr.Proposed, []metadata.Component{comp("CustomField:Invoice__c.Due_Date__c")}) ||
		len(cr.Approvers) != 1 || cr.Approvers[0].User != "bob" || cr.Env != "production" || cr.Requester != "alice" {
		t.Fatalf("stored %+v", cr)
	}
	if e.dirty() {
		t.Error("the saved form still counts as unsaved")
	}
}

func TestEditorSaveAndSubmit(t *testing.T) {
	deps := fixture.Deps(t, "alice")
	e := shown(t, deps, 0, 80, 24)
	fillNewForm(t, e, "bob, carol")
	press(e, "ctrl+t")
	if !e.dialog.Open() {
		t.Fatal("ctrl+t does not ask first")
	}
	_, cmd := e.Update(screentest.Await[dialog.DoneMsg](t, press(e, "y")))
	_, next := e.Update(screentest.Await[savedMsg](t, cmd))
	if text, _ := screentest.TakeStatus(t, screentest.Start(t, next)); text != "Saved CR-0009 and submitted it for approval" {
		t.Fatalf("status %q", text)
	}
	if cr, _ := deps.Svc.CR(9); cr.Status() != model.StatusPending {
		t.Fatalf("CR-0009 is %s", cr.Status())
	}
}

func TestEditorSubmitRefusedAfterSaving(t *testing.T) {
	e := shown(t, fixture.Deps(t, "alice"), 0, 80, 24)
	fillNewForm(t, e, "")
	press(e, "ctrl+t")
	_, cmd := e.Update(screentest.Await[dialog.DoneMsg](t, press(e, "y")))
	_, next := e.Update(screentest.Await[savedMsg](t, cmd))
	r := screentest.Start(t, next)
	text, isErr := screentest.TakeStatus(t, r)
	if !isErr || text != "saved CR-0009 but did not submit it: submitting needs at least one approver: CR-0009 lists no approvers" {
		t.Fatalf("status %q (error %v)", text, isErr)
	}
	screentest.Take[common.OpenMsg](t, r)
}

func TestEditorEditsAChangeRequest(t *testing.T) {
	deps := fixture.Deps(t, "alice")
	e := shown(t, deps, 7, 80, 24)
	if e.name.Value() != "Tax rate precision" || len(e.picked) != 1 || e.focus != fieldName {
		t.Fatalf("form holds %q with %v", e.name.Value(), e.picked)
	}
	press(e, "end")
	typeText(t, e, " (4 decimals)")
	focusOn(t, e, fieldSearch)
	typeText(t, e, "taxlabel")
	press(e, "enter")
	focusOn(t, e, fieldPicked) // Tax_Rate__c, then Invoice_Tax_Label: sorted by type
	press(e, "delete")
	focusOn(t, e, fieldApprovers)
	typeText(t, e, "carol")
	_, next := e.Update(screentest.Await[savedMsg](t, press(e, "ctrl+s")))
	if text, _ := screentest.TakeStatus(t, screentest.Start(t, next)); text != "Saved CR-0007" {
		t.Fatalf("status %q", text)
	}
	cr, _ := deps.Svc.CR(7)
	if cr.Name != "Tax rate precision (4 decimals)" || cr.Revision != 2 ||
		!slices.Equal(cr.Customizations, []metadata.Component{comp("CustomLabel:Invoice_Tax_Label")}) ||
		len(cr.Approvers) != 1 || cr.Approvers[0].User != "carol" {
		t.Fatalf("stored %+v", cr)
	}
}

func TestEditorSavingAnUnchangedFormWritesNothing(t *testing.T) {
	deps := fixture.Deps(t, "alice")
	e := shown(t, deps, 7, 80, 24)
	e.Update(screentest.Await[savedMsg](t, press(e, "ctrl+s")))
	if cr, _ := deps.Svc.CR(7); cr.Revision != 1 {
		t.Fatalf("an unchanged save made revision %d", cr.Revision)
	}
}

func TestEditorIsReadOnlyWhenTheRulesSaySo(t *testing.T) {
	deps := fixture.Deps(t, "alice")
	for _, c := range []struct {
		id  int64
		why string
	}{{1, "Read-only — CR-0001 is Pending Approval"}, {8, "Read-only — CR-0008 was requested by bob"}} {
		e := shown(t, deps, c.id, 80, 24)
		if e.readOnly == nil || e.Capturing() || !strings.Contains(e.View(), c.why) {
			t.Fatalf("CR-%04d: read-only %v, capturing %v:\n%s", c.id, e.readOnly, e.Capturing(), e.View())
		}
		for _, k := range []string{"ctrl+s", "ctrl+t", "tab", "x"} {
			if cmd := press(e, k); cmd != nil || e.saving || e.dialog.Open() {
				t.Fatalf("%s did something on a read-only form", k)
			}
		}
		screentest.Await[common.BackMsg](t, press(e, "esc"))
	}
}

func TestEditorAsksBeforeDiscarding(t *testing.T) {
	e := shown(t, fixture.Deps(t, "alice"), 0, 80, 24)
	screentest.Await[common.BackMsg](t, press(e, "esc")) // nothing typed: just back
	e = shown(t, fixture.Deps(t, "alice"), 0, 80, 24)
	typeText(t, e, "Half a thought")
	if cmd := press(e, "esc"); cmd != nil || !e.dialog.Open() {
		t.Fatal("esc with unsaved changes does not ask")
	}
	if _, cmd := e.Update(screentest.Await[dialog.DoneMsg](t, press(e, "n"))); cmd != nil || e.name.Value() != "Half a thought" {
		t.Fatal("no to discarding still discarded")
	}
	press(e, "esc")
	_, cmd := e.Update(screentest.Await[dialog.DoneMsg](t, press(e, "y")))
	screentest.Await[common.BackMsg](t, cmd)
}

func TestEditorOverviewInExternalEditor(t *testing.T) {
	script := filepath.Join(t.TempDir(), "fake-editor")
	if err := os.WriteFile(script, []byte("#!/bin/sh\nprintf 'Written in vi.\\nSecond line.\\n' > \"$1\"\n"), 0o755); err != nil {
		t.Fatal(err)
	}
	t.Setenv("VISUAL", script)
	e := shown(t, fixture.Deps(t, "alice"), 0, 80, 24)
	if cmd := press(e, "ctrl+e"); cmd != nil {
		t.Fatal("ctrl+e outside the overview did something")
	}
	focusOn(t, e, fieldOverview)
	ready := screentest.Await[externalReadyMsg](t, press(e, "ctrl+e"))
	if ready.err != nil {
		t.Fatal(ready.err)
	}
	if _, cmd := e.Update(ready); cmd == nil {
		t.Fatal("no process to run")
	}
	// The program would run it on the terminal; run it here instead.
	if err := ready.cmd.Run(); err != nil {
		t.Fatal(err)
	}
	_, cmd := e.Update(externalClosedMsg{session: ready.session, path: ready.path})
	e.Update(screentest.Await[overviewEditedMsg](t, cmd))
	if got := e.overview.Value(); got != "Written in vi.\nSecond line." {
		t.Fatalf("overview %q", got)
	}
	if _, err := os.Stat(ready.path); !os.IsNotExist(err) {
		t.Error("the temp file was left behind")
	}
}

// In a relman serve session the editor program would run on the server, as
// the server: the key is off, and help does not offer it.
func TestEditorOffersNoExternalEditorOverSSH(t *testing.T) {
	deps := fixture.Deps(t, "alice")
	deps.Svc.Remote = true
	e := shown(t, deps, 0, 80, 24)
	focusOn(t, e, fieldOverview)
	if cmd := press(e, "ctrl+e"); cmd != nil {
		t.Fatal("ctrl+e over SSH started something")
	}
	for _, b := range e.ShortHelp() {
		if b.Enabled() && b.Help().Key == "ctrl+e" {
			t.Error("help offers ctrl+e over SSH")
		}
	}
}

func TestEditorDropsAnswersForAnEarlierForm(t *testing.T) {
	deps := fixture.Deps(t, "alice")
	s := New(deps)
	s.SetSize(80, 24)
	_, first := s.Update(common.ShowMsg{ID: 7})
	_, second := s.Update(common.ShowMsg{ID: 0})
	s.Update(screentest.Await[editorLoadedMsg](t, first))
	e := s.(*Editor)
	if !e.loading || e.name.Value() != "" {
		t.Fatal("the load of an earlier form was applied")
	}
	s.Update(screentest.Await[editorLoadedMsg](t, second))
	if e.loading || e.id != 0 {
		t.Fatal("the current form did not load")
	}
}

func TestEditorGoldens(t *testing.T) {
	for _, size := range [][2]int{{80, 24}, {160, 48}} {
		t.Run(fmt.Sprintf("%dx%d", size[0], size[1]), func(t *testing.T) {
			deps := fixture.Deps(t, "alice")
			w, h := size[0], size[1]
			t.Run("new", func(t *testing.T) {
				golden.RequireEqual(t, shown(t, deps, 0, w, h).View())
			})
			t.Run("picker", func(t *testing.T) {
				e := shown(t, deps, 0, w, h)
				typeText(t, e, "Invoice due dates")
				focusOn(t, e, fieldSearch)
				typeText(t, e, "invstatus")
				press(e, "enter")
				press(e, "esc")
				typeText(t, e, "inv")
				press(e, "down", "down")
				golden.RequireEqual(t, e.View())
			})
			t.Run("proposed error", func(t *testing.T) {
				e := shown(t, deps, 0, w, h)
				focusOn(t, e, fieldProposed)
				typeText(t, e, "ValidationRule:Due_Date_Check")
				golden.RequireEqual(t, e.View())
			})
			t.Run("edit", func(t *testing.T) {
				golden.RequireEqual(t, shown(t, deps, 3, w, h).View())
			})
			t.Run("read-only", func(t *testing.T) {
				golden.RequireEqual(t, shown(t, deps, 1, w, h).View())
			})
			t.Run("discard", func(t *testing.T) {
				e := shown(t, deps, 0, w, h)
				typeText(t, e, "Half a thought")
				press(e, "esc")
				golden.RequireEqual(t, e.View())
			})
		})
	}
}

func TestEditorCompletesApproversFromRegisteredApprovers(t *testing.T) {
	deps := fixture.Deps(t, "alice")
	if err := identitytest.RegisterRoles(deps.Svc.Store, "erin", model.RoleRequester); err != nil {
		t.Fatal(err)
	}
	e := shown(t, deps, 0, 100, 30)
	focusOn(t, e, fieldApprovers)
	if v := e.View(); !strings.Contains(v, "→ completes · approvers: bob, carol, dave") {
		t.Fatalf("the approvers one may choose are not listed (alice requests; erin is no approver):\n%s", v)
	}
	typeText(t, e, "bob, c")
	if got := e.approvers.CurrentSuggestion(); got != "bob, carol" {
		t.Fatalf("completion %q; want %q", got, "bob, carol")
	}
	press(e, "right")
	if got := e.approvers.Value(); got != "bob, carol" {
		t.Fatalf("→ left %q; want the completed name", got)
	}
	typeText(t, e, ", e")
	if got := e.approvers.MatchedSuggestions(); len(got) != 0 {
		t.Fatalf("erin (no approver role) is offered: %v", got)
	}
}

func TestEditorRefusesUnknownApproversBeforeSaving(t *testing.T) {
	deps := fixture.Deps(t, "alice")
	if err := identitytest.RegisterRoles(deps.Svc.Store, "erin", model.RoleRequester); err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct{ typed, says string }{
		{"bob, zed", `"zed" is not a registered user; approvers: bob, carol, dave`},
		{"erin", "erin does not have the approver role; an admin can give it, or choose one of: bob, carol, dave"},
	} {
		e := shown(t, deps, 0, 160, 30)
		typeText(t, e, "Something")
		focusOn(t, e, fieldApprovers)
		typeText(t, e, c.typed)
		if v := e.View(); !strings.Contains(v, c.says) {
			t.Fatalf("%q: no inline refusal %q:\n%s", c.typed, c.says, v)
		}
		press(e, "shift+tab")
		cmd := press(e, "ctrl+s")
		if msg := screentest.Await[common.ErrMsg](t, cmd); !strings.Contains(msg.Err.Error(), "not saved") {
			t.Fatalf("%q: status %v", c.typed, msg.Err)
		}
		if e.saving || e.focus != fieldApprovers {
			t.Fatalf("%q: saving %v, focus %d; want no save and focus on the approvers", c.typed, e.saving, e.focus)
		}
	}
}

// policyRequiresCarol makes the default policy require carol for code and
// data (CR-0007's custom field) and lets the actions layer add her to
// CR-0007 with bob, as it does on any edit.
func policyRequiresCarol(t *testing.T, deps common.Deps) {
	t.Helper()
	if _, err := deps.Svc.SetPolicyLevel(model.DefaultPolicy, model.CatCodeData, model.LevelChangeRequest, []string{"carol"}); err != nil {
		t.Fatal(err)
	}
	cr, err := deps.Svc.EditCR(7, model.CREdit{AddApprovers: []string{"bob"}})
	if err != nil || len(cr.Approvers) != 2 || cr.Approvers[1].User != "carol" {
		t.Fatalf("policy did not add carol: %v %+v", err, cr.Approvers)
	}
}

func TestEditorShowsAndKeepsPolicyRequiredApprovers(t *testing.T) {
	deps := fixture.Deps(t, "alice")
	policyRequiresCarol(t, deps)
	e := shown(t, deps, 7, 160, 40)
	if v := e.View(); !strings.Contains(v, "carol (required by policy: Code and Data Model)") {
		t.Fatalf("carol is not shown as required by policy:\n%s", v)
	}
	focusOn(t, e, fieldApprovers)
	press(e, "ctrl+u")
	typeText(t, e, "bob")
	want := "carol is required by policy (Code and Data Model); an approver the policy requires for the scope cannot be taken off"
	if v := e.View(); !strings.Contains(v, want) {
		t.Fatalf("taking carol off is not refused inline:\n%s", v)
	}
	cmd := press(e, "ctrl+s")
	if msg := screentest.Await[common.ErrMsg](t, cmd); !strings.Contains(msg.Err.Error(), "not saved") {
		t.Fatalf("status %v", msg.Err)
	}
	if cr, _ := deps.Svc.CR(7); e.saving || len(cr.Approvers) != 2 {
		t.Fatalf("saving %v, stored approvers %+v; want carol kept", e.saving, cr.Approvers)
	}
	// The actions layer holds the same rule for every client, the CLI too.
	if _, err := deps.Svc.EditCR(7, model.CREdit{RemoveApprovers: []string{"carol"}}); !errors.Is(err, model.ErrPolicyApprover) {
		t.Fatalf("taking carol off through the actions layer: %v; want the PolicyApprover rule", err)
	}
	if cr, err := deps.Svc.EditCR(7, model.CREdit{RemoveApprovers: []string{"bob"}}); err != nil || len(cr.Approvers) != 1 {
		t.Fatalf("taking bob (listed by choice) off: %v, approvers %+v", err, cr.Approvers)
	}
	// Without the custom field, nothing requires carol: she may go.
	if _, err := deps.Svc.EditCR(7, model.CREdit{AddCustomizations: []metadata.Component{comp("CustomLabel:Invoice_Tax_Label")},
		Remove: []metadata.Component{comp("CustomField:Invoice__c.Tax_Rate__c")}, RemoveApprovers: []string{"carol"}}); err != nil {
		t.Fatalf("taking carol off with the component that required her: %v", err)
	}
}

func TestEditorSaysWhichApproversThePolicyAddsOnSave(t *testing.T) {
	deps := fixture.Deps(t, "alice")
	if _, err := deps.Svc.SetPolicyLevel(model.DefaultPolicy, model.CatCodeData, model.LevelChangeRequest, []string{"carol"}); err != nil {
		t.Fatal(err)
	}
	e := shown(t, deps, 0, 160, 40)
	fillNewForm(t, e, "bob")
	if v := e.View(); !strings.Contains(v, "carol (required by policy: Code and Data Model), added on save") {
		t.Fatalf("the approver the policy adds is not announced:\n%s", v)
	}
	press(e, "ctrl+t")
	if v := e.View(); !strings.Contains(v, "Each approver (bob, carol) will decide on this scope.") {
		t.Fatalf("the submit question leaves out the approver the policy adds:\n%s", v)
	}
	press(e, "esc")
	e.Update(screentest.Await[savedMsg](t, press(e, "ctrl+s")))
	if cr, _ := deps.Svc.CR(9); len(cr.Approvers) != 2 || cr.Approvers[1].User != "carol" {
		t.Fatalf("stored approvers %+v; want bob, carol", cr.Approvers)
	}
}
