package termsafe

import (
	"fmt"
	"io"
	"strings"
	"unicode"
	"unicode/utf8"
)

// unsafe reports whether r must be shown escaped: C0 and C1 controls, DEL,
// and the invisible formatting characters that reorder or hide text
// (bidirectional overrides, zero-width joiners).
func unsafe(r rune) bool {
	return r < 0x20 || r == 0x7f || (r >= 0x80 && r < 0xa0) || unicode.Is(unicode.Cf, r) || r == utf8.RuneError
}

func escape(b *strings.Builder, r rune) {
	switch {
	case r == '\r':
		b.WriteString(`\r`)
	case r == '\n':
		b.WriteString(`\n`)
	case r == '\t':
		b.WriteString(`\t`)
	case r < 0x100:
		fmt.Fprintf(b, `\x%02x`, r)
	default:
		fmt.Fprintf(b, `\u%04x`, r)
	}
}

// Text escapes every control character of s but newlines and tabs: for
// multi-line text such as an org's error message.
func Text(s string) string { return clean(s, true) }

// Line escapes every control character of s, newlines and tabs too: for a
// value that must stay on one line (a table cell, a name).
func Line(s string) string { return clean(s, false) }

func clean(s string, keepLines bool) string {
	if !needs(s, keepLines) {
		return s
	}
	var b strings.Builder
	b.Grow(len(s) + 8)
	for i := 0; i < len(s); {
		i += put(&b, s[i:], keepLines)
	}
	return b.String()
}

// put writes the first character of s, escaped if it is unsafe, and
// returns its length. A byte that is not UTF-8 shows as \xNN.
func put(b *strings.Builder, s string, keepLines bool) int {
	r, size := utf8.DecodeRuneInString(s)
	switch {
	case r == utf8.RuneError && size == 1:
		fmt.Fprintf(b, `\x%02x`, s[0])
	case unsafe(r) && !(keepLines && (r == '\n' || r == '\t')):
		escape(b, r)
	default:
		b.WriteString(s[:size])
	}
	return size
}

func needs(s string, keepLines bool) bool {
	for _, r := range s {
		if unsafe(r) && !(keepLines && (r == '\n' || r == '\t')) {
			return true
		}
	}
	return false
}

// Writer returns a writer that escapes control characters (but newlines
// and tabs) in everything written to w. Each Write is escaped on its own,
// so a multi-byte character split across writes shows as \x escapes; the
// CLI writes whole lines.
func Writer(w io.Writer) io.Writer { return writer{w} }

type writer struct{ w io.Writer }

func (w writer) Write(p []byte) (int, error) {
	s := string(p)
	if !needs(s, true) {
		return w.w.Write(p)
	}
	if _, err := io.WriteString(w.w, clean(s, true)); err != nil {
		return 0, err
	}
	return len(p), nil
}

// Frame escapes control characters in a rendered TUI frame, keeping
// newlines and the SGR colour sequences (ESC [ digits and ';' m) that
// lipgloss writes, so only styling survives: anything else — a cursor
// move, a line erase, a carriage return, a title or hyperlink sequence —
// is shown escaped. SGR 8 (concealed text) is escaped too: nothing may be
// hidden.
func Frame(s string) string {
	if !needs(s, true) {
		return s
	}
	var b strings.Builder
	b.Grow(len(s) + 16)
	for i := 0; i < len(s); {
		if n := sgrLen(s[i:]); n > 0 {
			b.WriteString(s[i : i+n])
			i += n
			continue
		}
		i += put(&b, s[i:], true)
	}
	return b.String()
}

// sgrLen is the length of the SGR sequence s starts with, or 0.
func sgrLen(s string) int {
	if len(s) < 3 || s[0] != 0x1b || s[1] != '[' {
		return 0
	}
	for i := 2; i < len(s) && i < 64; i++ {
		switch c := s[i]; {
		case c == 'm':
			if concealed(s[2:i]) {
				return 0
			}
			return i + 1
		case c == ';' || (c >= '0' && c <= '9') || c == ':':
		default:
			return 0
		}
	}
	return 0
}

// concealed reports whether SGR parameters switch on concealed text (8),
// skipping the arguments of extended colours (38;5;N, 38;2;R;G;B, and 48,
// 58 alike), where an 8 is a colour.
func concealed(params string) bool {
	ps := strings.Split(params, ";")
	for i := 0; i < len(ps); i++ {
		switch ps[i] {
		case "8":
			return true
		case "38", "48", "58":
			if i+1 < len(ps) && ps[i+1] == "5" {
				i += 2
			} else if i+1 < len(ps) && ps[i+1] == "2" {
				i += 4
			}
		}
	}
	return false
}
