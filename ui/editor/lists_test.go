package editor

import (
	"strings"
	"testing"

	"relman/model/metadata"
	"relman/ui/changes/screentest"
)

// withChosen opens a new form with two chosen and one proposed component.
func withChosen(t *testing.T) *Editor {
	t.Helper()
	e := shown(t, fixture.Deps(t, "alice"), 0, 100, 40)
	e.picked = []metadata.Component{comp("ApexClass:InvoiceService"), comp("CustomField:Invoice__c.Status__c")}
	e.proposed = []metadata.Component{comp("CustomField:Invoice__c.Due_Date__c")}
	return e
}

// TestEditorListStopsShowFocus: a list of chosen components is a stop with
// a label that takes the focus marker, and its cursor line is marked with
// a character, so where tab landed shows without colour.
func TestEditorListStopsShowFocus(t *testing.T) {
	e := withChosen(t)
	for _, c := range []struct {
		f     field
		label string
	}{{fieldPicked, "▸ Chosen"}, {fieldProposedList, "▸ To build"}} {
		focusOn(t, e, c.f)
		view := e.View()
		if !strings.Contains(view, c.label) {
			t.Errorf("focus on %d: no %q in\n%s", c.f, c.label, view)
		}
		if strings.Count(view, "▸ ") != 1 {
			t.Errorf("focus on %d: %d focus markers, want 1", c.f, strings.Count(view, "▸ "))
		}
		if !strings.Contains(view, "› ") {
			t.Errorf("focus on %d: the cursor's line is not marked:\n%s", c.f, view)
		}
	}
}

// TestEditorTypingOnAListIsNotSwallowed: text typed on a list goes to the
// field that adds to it, which takes focus; nothing is removed.
func TestEditorTypingOnAListIsNotSwallowed(t *testing.T) {
	e := withChosen(t)
	focusOn(t, e, fieldPicked)
	typeText(t, e, "xinv")
	if e.focus != fieldSearch || e.picker.query() != "xinv" || len(e.picked) != 2 {
		t.Fatalf("typing on the chosen list: focus %d, search %q, %d chosen", e.focus, e.picker.query(), len(e.picked))
	}
	focusOn(t, e, fieldProposedList)
	typeText(t, e, "xCustomField")
	if e.focus != fieldProposed || e.proposedIn.Value() != "xCustomField" || len(e.proposed) != 1 {
		t.Fatalf("typing on the proposed list: focus %d, input %q, %d proposed", e.focus, e.proposedIn.Value(), len(e.proposed))
	}
}

// TestEditorRemovingSaysSoAndCanBeUndone: a removal is reported with the way
// back, and ctrl+z puts the component back where it was.
func TestEditorRemovingSaysSoAndCanBeUndone(t *testing.T) {
	e := withChosen(t)
	focusOn(t, e, fieldPicked)
	press(e, "down")
	gone := e.picked[1]
	text, isErr := screentest.TakeStatus(t, screentest.Start(t, press(e, "delete")))
	if isErr || !strings.Contains(text, gone.String()) || !strings.Contains(text, "ctrl+z") {
		t.Fatalf("removing said %q", text)
	}
	if len(e.picked) != 1 || !strings.Contains(keysOf(e), "ctrl+z undo remove") {
		t.Fatalf("after delete: %v, keys %s", e.picked, keysOf(e))
	}
	press(e, "ctrl+z")
	if len(e.picked) != 2 || e.picked[e.pickedCursor] != gone || e.focus != fieldPicked {
		t.Fatalf("undo: %v, cursor %d, focus %d", e.picked, e.pickedCursor, e.focus)
	}
	if strings.Contains(keysOf(e), "ctrl+z") {
		t.Error("undo still offered with nothing to undo")
	}
	focusOn(t, e, fieldProposedList)
	press(e, "delete", "ctrl+z")
	if len(e.proposed) != 1 || e.focus != fieldProposedList {
		t.Fatalf("proposed undo: %v, focus %d", e.proposed, e.focus)
	}
}

// keysOf lists the enabled short-help keys: what the footer offers.
func keysOf(e *Editor) string {
	var out []string
	for _, b := range e.ShortHelp() {
		if b.Enabled() {
			out = append(out, b.Help().Key+" "+b.Help().Desc)
		}
	}
	return strings.Join(out, " · ")
}
