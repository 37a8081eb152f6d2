package review

import (
	"fmt"

	"github.com/charmbracelet/bubbles/key"
)

// keyMap holds the reviewer's keys. updateKeys enables only those that do
// something now (which pane has focus, whether a search is active, whether
// the items are loaded), so the help footer is always true.
type keyMap struct {
	// Moving.
	Up, Down, Top, Bottom, PageUp, PageDown, HalfUp, HalfDown key.Binding
	NextHunk, PrevHunk, NextComp, PrevComp                    key.Binding
	NextMatch, PrevMatch                                      key.Binding
	// Focus and layout.
	Focus, FocusTree, FocusDiff, Tree, Split, Context key.Binding
	// The tree.
	Toggle, Jump, Unviewed key.Binding
	// Reviewing.
	Viewed, ViewedNext, Select key.Binding
	Search, ClearSearch        key.Binding
	Whitespace, Order          key.Binding
	// Acting.
	AddToCR, Package, Reload, Back key.Binding
	// Warnings opens the list of files the comparison could not read.
	Warnings key.Binding
	// Inside the jump and search inputs and the CR picker.
	Accept, Cancel, ItemUp, ItemDown key.Binding
}

func defaultKeyMap() keyMap {
	return keyMap{
		Up:       key.NewBinding(key.WithKeys("k", "up"), key.WithHelp("↑/k", "up")),
		Down:     key.NewBinding(key.WithKeys("j", "down"), key.WithHelp("↓/j", "down")),
		Top:      key.NewBinding(key.WithKeys("g", "home"), key.WithHelp("g", "top")),
		Bottom:   key.NewBinding(key.WithKeys("G", "end"), key.WithHelp("G", "bottom")),
		PageUp:   key.NewBinding(key.WithKeys("pgup", "ctrl+b"), key.WithHelp("pgup", "page up")),
		PageDown: key.NewBinding(key.WithKeys("pgdown", "ctrl+f"), key.WithHelp("pgdn", "page down")),
		HalfUp:   key.NewBinding(key.WithKeys("ctrl+u"), key.WithHelp("ctrl+u", "half page up")),
		HalfDown: key.NewBinding(key.WithKeys("ctrl+d"), key.WithHelp("ctrl+d", "half page down")),
		NextHunk: key.NewBinding(key.WithKeys("n"), key.WithHelp("n", "next hunk")),
		PrevHunk: key.NewBinding(key.WithKeys("p"), key.WithHelp("p", "prev hunk")),
		NextComp: key.NewBinding(key.WithKeys("]"), key.WithHelp("]", "next component")),
		PrevComp: key.NewBinding(key.WithKeys("["), key.WithHelp("[", "prev component")),
		// n and p are hunks, as in every diff reviewer, so matches get the
		// readline pair instead of vim's n/N.
		NextMatch: key.NewBinding(key.WithKeys("ctrl+n"), key.WithHelp("ctrl+n", "next match")),
		PrevMatch: key.NewBinding(key.WithKeys("ctrl+p"), key.WithHelp("ctrl+p", "prev match")),

		Focus:     key.NewBinding(key.WithKeys("tab", "shift+tab"), key.WithHelp("tab", "tree ↔ diff")),
		FocusTree: key.NewBinding(key.WithKeys("h", "left"), key.WithHelp("h", "focus tree")),
		FocusDiff: key.NewBinding(key.WithKeys("l", "right"), key.WithHelp("l", "focus diff")),
		Tree:      key.NewBinding(key.WithKeys("e"), key.WithHelp("e", "hide tree")),
		Split:     key.NewBinding(key.WithKeys("s"), key.WithHelp("s", "side by side")),
		Context:   key.NewBinding(key.WithKeys("x"), key.WithHelp("x", "whole file")),

		Toggle:   key.NewBinding(key.WithKeys("enter"), key.WithHelp("enter", "open/fold")),
		Jump:     key.NewBinding(key.WithKeys("/"), key.WithHelp("/", "jump to component")),
		Unviewed: key.NewBinding(key.WithKeys("u"), key.WithHelp("u", "unviewed only")),

		Viewed:      key.NewBinding(key.WithKeys("v"), key.WithHelp("v", "viewed")),
		ViewedNext:  key.NewBinding(key.WithKeys("V"), key.WithHelp("V", "viewed + next")),
		Select:      key.NewBinding(key.WithKeys(" "), key.WithHelp("space", "select")),
		Search:      key.NewBinding(key.WithKeys("/"), key.WithHelp("/", "search diff")),
		ClearSearch: key.NewBinding(key.WithKeys("esc"), key.WithHelp("esc", "clear search")),
		Whitespace:  key.NewBinding(key.WithKeys("w"), key.WithHelp("w", "ignore whitespace")),
		Order:       key.NewBinding(key.WithKeys("o"), key.WithHelp("o", "ignore XML order")),

		AddToCR: key.NewBinding(key.WithKeys("c"), key.WithHelp("c", "add to CR")),
		Package: key.NewBinding(key.WithKeys("P"), key.WithHelp("P", "write package.xml")),
		Reload:  key.NewBinding(key.WithKeys("r"), key.WithHelp("r", "retry loading")),
		Back:    key.NewBinding(key.WithKeys("esc"), key.WithHelp("esc", "back")),

		Warnings: key.NewBinding(key.WithKeys("!"), key.WithHelp("!", "warnings")),

		Accept:   key.NewBinding(key.WithKeys("enter"), key.WithHelp("enter", "ok")),
		Cancel:   key.NewBinding(key.WithKeys("esc"), key.WithHelp("esc", "cancel")),
		ItemUp:   key.NewBinding(key.WithKeys("up", "ctrl+k"), key.WithHelp("↑", "up")),
		ItemDown: key.NewBinding(key.WithKeys("down", "ctrl+j"), key.WithHelp("↓", "down")),
	}
}

// updateKeys enables the bindings that apply in the current state and
// words the toggles after what they would do.
func (m *Model) updateKeys() {
	k := &m.keys
	all := []*key.Binding{&k.Up, &k.Down, &k.Top, &k.Bottom, &k.PageUp, &k.PageDown, &k.HalfUp, &k.HalfDown,
		&k.NextHunk, &k.PrevHunk, &k.NextComp, &k.PrevComp, &k.NextMatch, &k.PrevMatch,
		&k.Focus, &k.FocusTree, &k.FocusDiff, &k.Tree, &k.Split, &k.Context,
		&k.Toggle, &k.Jump, &k.Unviewed, &k.Viewed, &k.ViewedNext, &k.Select, &k.Search, &k.ClearSearch,
		&k.Whitespace, &k.Order, &k.AddToCR, &k.Package, &k.Reload, &k.Back,
		&k.Accept, &k.Cancel, &k.ItemUp, &k.ItemDown, &k.Warnings}
	for _, b := range all {
		b.SetEnabled(false)
	}
	switch {
	case m.dialog.Open():
		return // the dialog's own keys are the help
	case m.picker != nil:
		// No text to type: j/k move as everywhere else.
		k.Accept.SetEnabled(!m.picker.loading)
		k.Cancel.SetEnabled(true)
		k.Up.SetEnabled(true)
		k.Down.SetEnabled(true)
		return
	case m.jump != nil:
		k.Accept.SetEnabled(len(m.jump.hits) > 0)
		k.Cancel.SetEnabled(true)
		k.ItemUp.SetEnabled(true)
		k.ItemDown.SetEnabled(true)
		return
	case m.search.editing:
		k.Accept.SetEnabled(true)
		k.Cancel.SetEnabled(true)
		return
	case m.warnings != nil:
		for _, b := range []*key.Binding{&k.Up, &k.Down, &k.PageUp, &k.PageDown, &k.Top, &k.Bottom, &k.Cancel, &k.Warnings} {
			b.SetEnabled(true)
		}
		k.Warnings.SetHelp("!", "close warnings")
		return
	}
	k.Back.SetEnabled(!m.search.active())
	k.ClearSearch.SetEnabled(m.search.active())
	if m.log == nil {
		k.Reload.SetEnabled(m.loadErr != nil)
		return
	}
	hasComps := len(m.entries) > 0
	treeFocus := m.focus == focusTree && m.showTree
	hasDoc := m.dv.doc != nil
	for _, b := range []*key.Binding{&k.Up, &k.Down, &k.Top, &k.Bottom, &k.PageUp, &k.PageDown} {
		b.SetEnabled(hasComps)
	}
	k.HalfUp.SetEnabled(!treeFocus && hasDoc)
	k.HalfDown.SetEnabled(!treeFocus && hasDoc)
	k.NextHunk.SetEnabled(hasDoc && len(m.dv.lay.rs.hunkRows) > 0)
	k.PrevHunk.SetEnabled(hasDoc && len(m.dv.lay.rs.hunkRows) > 0)
	k.NextComp.SetEnabled(hasComps)
	k.PrevComp.SetEnabled(hasComps)
	k.NextMatch.SetEnabled(len(m.search.lines) > 0)
	k.PrevMatch.SetEnabled(len(m.search.lines) > 0)

	k.Focus.SetEnabled(m.showTree)
	k.FocusTree.SetEnabled(m.showTree && !treeFocus)
	k.FocusDiff.SetEnabled(treeFocus)
	k.Tree.SetEnabled(true)
	k.Tree.SetHelp("e", either(m.showTree, "hide tree", "show tree"))
	k.Split.SetEnabled(true)
	k.Split.SetHelp("s", either(m.mode() == modeSplit, "unified", "side by side"))
	k.Context.SetEnabled(m.itemsReady())
	k.Context.SetHelp("x", either(m.fullContext, "changes only", "whole file"))

	k.Toggle.SetEnabled(treeFocus && hasComps)
	k.Jump.SetEnabled(treeFocus && hasComps)
	k.Unviewed.SetEnabled(hasComps)
	k.Unviewed.SetHelp("u", either(m.unviewedOnly, "show all", "unviewed only"))
	cur, hasCur := m.currentEntry()
	// A component changed since the comparison shows content the log's
	// hashes do not describe: marking it would bind the mark to what was
	// not seen.
	k.Viewed.SetEnabled(hasCur && !cur.stale)
	k.ViewedNext.SetEnabled(hasCur && !cur.stale)
	k.Viewed.SetHelp("v", either(hasCur && m.isViewed(cur.comp), "unview", "viewed"))
	k.Select.SetEnabled(hasComps)
	k.Search.SetEnabled(!treeFocus && hasDoc)
	k.Whitespace.SetEnabled(m.itemsReady())
	k.Whitespace.SetHelp("w", either(m.opts.IgnoreWhitespace, "show whitespace", "ignore whitespace"))
	k.Order.SetEnabled(m.itemsReady())
	k.Order.SetHelp("o", either(m.opts.IgnoreOrder, "show XML order", "ignore XML order"))
	k.AddToCR.SetEnabled(m.busy == "" && (len(m.selected) > 0 || hasCur))
	k.AddToCR.SetHelp("c", either(len(m.selected) > 0, "add selected to CR", "add to CR"))
	k.Package.SetEnabled(hasComps && m.busy == "")
	k.Reload.SetEnabled(m.itemsErr != nil)
	k.Warnings.SetEnabled(len(m.log.Warnings) > 0)
	k.Warnings.SetHelp("!", fmt.Sprintf("%d warnings", len(m.log.Warnings)))
}

// ShortHelp implements help.KeyMap: what the focused pane does most.
func (m *Model) ShortHelp() []key.Binding {
	k := m.keys
	switch {
	case m.dialog.Open():
		return m.dialog.ShortHelp()
	case m.picker != nil:
		return []key.Binding{k.Down, k.Up, k.Accept, k.Cancel}
	case m.jump != nil:
		return []key.Binding{k.ItemDown, k.ItemUp, k.Accept, k.Cancel}
	case m.search.editing:
		return []key.Binding{k.Accept, k.Cancel}
	case m.warnings != nil:
		return []key.Binding{k.Down, k.Up, k.PageDown, k.PageUp, k.Warnings, k.Cancel}
	case m.focus == focusTree && m.showTree:
		return []key.Binding{k.Down, k.Up, k.Toggle, k.Viewed, k.ViewedNext, k.Select, k.AddToCR, k.Jump, k.Unviewed, k.Focus, k.Warnings, k.Back, k.Reload}
	}
	return []key.Binding{k.Down, k.Up, k.NextHunk, k.PrevHunk, k.NextComp, k.PrevComp, k.Viewed, k.ViewedNext,
		k.NextMatch, k.PrevMatch, k.ClearSearch, k.Split, k.Focus, k.Warnings, k.Back, k.Reload}
}

// FullHelp implements help.KeyMap.
func (m *Model) FullHelp() [][]key.Binding {
	k := m.keys
	switch {
	case m.dialog.Open():
		return [][]key.Binding{m.dialog.ShortHelp()}
	case m.picker != nil, m.jump != nil, m.search.editing, m.warnings != nil:
		return [][]key.Binding{m.ShortHelp()}
	}
	// Three columns: four do not fit in 80 columns.
	return [][]key.Binding{
		{k.Down, k.Up, k.PageDown, k.PageUp, k.HalfDown, k.HalfUp, k.Top, k.Bottom, k.NextHunk, k.PrevHunk, k.NextComp, k.PrevComp},
		{k.Focus, k.FocusTree, k.FocusDiff, k.Toggle, k.Jump, k.Search, k.NextMatch, k.PrevMatch, k.ClearSearch, k.Unviewed, k.Tree, k.Split, k.Context},
		{k.Viewed, k.ViewedNext, k.Select, k.Whitespace, k.Order, k.AddToCR, k.Package, k.Warnings, k.Reload, k.Back},
	}
}

// either is yes when cond holds, else no: the wording of a toggle's help.
func either(cond bool, yes, no string) string {
	if cond {
		return yes
	}
	return no
}
