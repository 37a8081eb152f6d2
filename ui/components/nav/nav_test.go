package nav

import (
	"testing"

	tea "github.com/charmbracelet/bubbletea"
)

func TestDelta(t *testing.T) {
	k := DefaultKeyMap()
	cases := []struct {
		key  tea.KeyMsg
		want int
		ok   bool
	}{
		{tea.KeyMsg{Type: tea.KeyRunes, Runes: []rune("j")}, 1, true},
		{tea.KeyMsg{Type: tea.KeyUp}, -1, true},
		{tea.KeyMsg{Type: tea.KeyPgDown}, 7, true},
		{tea.KeyMsg{Type: tea.KeyCtrlU}, -7, true},
		{tea.KeyMsg{Type: tea.KeyRunes, Runes: []rune("G")}, 40, true},
		{tea.KeyMsg{Type: tea.KeyHome}, -40, true},
		{tea.KeyMsg{Type: tea.KeyRunes, Runes: []rune("x")}, 0, false},
	}
	for _, c := range cases {
		if got, ok := k.Delta(c.key, 40, 7); got != c.want || ok != c.ok {
			t.Errorf("%s: %d %v, want %d %v", c.key, got, ok, c.want, c.ok)
		}
	}
	k.SetEnabled(false)
	if _, ok := k.Delta(tea.KeyMsg{Type: tea.KeyDown}, 40, 7); ok {
		t.Fatal("a disabled key still moves")
	}
}
