package ui

import (
	"regexp"
	"strings"
	"testing"

	"github.com/charmbracelet/lipgloss"
	"github.com/muesli/termenv"
)

// sgrColour finds a colour in SGR parameters: 30–37, 90–97 (foreground),
// 40–47, 100–107 (background) or an extended 38/48.
var sgrColour = regexp.MustCompile(`\x1b\[(?:[0-9;]*;)?(?:3[0-8]|4[0-8]|9[0-7]|10[0-7])(?:;[0-9;]*)?m`)

// TestNoColorKeepsAttributes: NO_COLOR drops colour only. The active tab
// stays bold and underlined, the selection reversed, placeholders faint,
// and no colour sequence is written.
func TestNoColorKeepsAttributes(t *testing.T) {
	t.Cleanup(func() { lipgloss.SetColorProfile(termenv.Ascii) })
	st := terminalStyles(lipgloss.DefaultRenderer(), true)
	for _, c := range []struct {
		name, out, attr string
	}{
		{"active tab bold", st.ActiveTab.Render("Changes"), "1"},
		{"active tab underlined", st.ActiveTab.Render("Changes"), "4"},
		{"selection reversed", st.Selected.Render("CR-0001"), "7"},
		{"placeholder faint", st.Placeholder.Render("CR-0042"), "2"},
		{"placeholder italic", st.Placeholder.Render("CR-0042"), "3"},
	} {
		if !hasSGR(c.out, c.attr) {
			t.Errorf("%s: no SGR %s in %q", c.name, c.attr, c.out)
		}
		if sgrColour.MatchString(c.out) {
			t.Errorf("%s: colour written under NO_COLOR: %q", c.name, c.out)
		}
	}
	if st.Tab.Render("Changes") == st.ActiveTab.Render("Changes") {
		t.Error("the active tab looks like the others under NO_COLOR")
	}
	if strings.TrimSpace(st.Placeholder.Render("x")) == strings.TrimSpace(st.Normal.Render("x")) {
		t.Error("a placeholder looks like a typed value under NO_COLOR")
	}
}

// hasSGR reports whether out switches on SGR attribute attr.
func hasSGR(out, attr string) bool {
	return regexp.MustCompile(`\x1b\[(?:[0-9;]*;)?` + attr + `(?:;[0-9;]*)?m`).MatchString(out)
}
