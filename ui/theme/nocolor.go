package theme

import (
	"io"
	"strings"
)

// NoColorWriter passes what the UI writes to w with every colour taken out
// of its SGR sequences, keeping bold, faint, italic, underline and reverse.
// The theme's NoColor styles write no colour, but the bubbles components
// bring their own (a text input's placeholder, a text area's lines); this
// is the one place that makes NO_COLOR hold for all of them.
// When w is a terminal file the result is one too (Read, Close and Fd
// pass through), so the program still sizes itself and hears resizes.
func NoColorWriter(w io.Writer) io.Writer {
	if f, ok := w.(terminalFile); ok {
		return noColorFile{terminalFile: f, noColorWriter: &noColorWriter{w: f}}
	}
	return &noColorWriter{w: w}
}

// terminalFile is what bubbletea needs of its output to treat it as a
// terminal (charmbracelet/x/term.File).
type terminalFile interface {
	io.ReadWriteCloser
	Fd() uintptr
}

// noColorFile is a terminal file whose writes lose their colour.
type noColorFile struct {
	terminalFile
	*noColorWriter
}

func (f noColorFile) Write(p []byte) (int, error) { return f.noColorWriter.Write(p) }

type noColorWriter struct {
	w io.Writer
	// partial is an escape sequence cut by the end of the last write.
	partial string
}

func (n *noColorWriter) Write(p []byte) (int, error) {
	s := n.partial + string(p)
	n.partial = ""
	// Keep back a sequence cut at the end; it is finished by the next write.
	if i := strings.LastIndexByte(s, 0x1b); i >= 0 && i > len(s)-maxSGR && !finished(s[i:]) {
		s, n.partial = s[:i], s[i:]
	}
	if _, err := io.WriteString(n.w, StripColor(s)); err != nil {
		return 0, err
	}
	return len(p), nil
}

// maxSGR bounds the escape sequence kept back between writes.
const maxSGR = 64

// finished reports whether seq, starting at ESC, is a whole sequence (or
// not a CSI sequence, which this writer leaves alone).
func finished(seq string) bool {
	if len(seq) < 2 {
		return false
	}
	if seq[1] != '[' {
		return true
	}
	for i := 2; i < len(seq); i++ {
		if c := seq[i]; c >= 0x40 && c <= 0x7e {
			return true
		}
	}
	return false
}

// StripColor removes colour parameters from every SGR sequence in s (ESC [
// params m) and drops sequences left with none; other text and sequences
// pass unchanged.
func StripColor(s string) string {
	if !strings.Contains(s, "\x1b[") {
		return s
	}
	var b strings.Builder
	b.Grow(len(s))
	for {
		i := strings.Index(s, "\x1b[")
		if i < 0 {
			b.WriteString(s)
			return b.String()
		}
		b.WriteString(s[:i])
		s = s[i:]
		end := sgrEnd(s)
		if end < 0 {
			b.WriteString(s[:2])
			s = s[2:]
			continue
		}
		params := s[2:end]
		if kept, ok := withoutColor(params); ok {
			b.WriteString("\x1b[" + kept + "m")
		}
		s = s[end+1:]
	}
}

// sgrEnd is the index of the 'm' ending the SGR sequence s starts with, or
// -1 when s does not start with one.
func sgrEnd(s string) int {
	for i := 2; i < len(s) && i < maxSGR; i++ {
		switch c := s[i]; {
		case c == 'm':
			return i
		case c == ';' || c == ':' || (c >= '0' && c <= '9'):
		default:
			return -1
		}
	}
	return -1
}

// withoutColor drops the colour parameters of an SGR sequence; ok is false
// when nothing is left of a sequence that had parameters.
func withoutColor(params string) (string, bool) {
	if params == "" {
		return "", true // reset
	}
	fields := strings.Split(params, ";")
	kept := fields[:0]
	for i := 0; i < len(fields); i++ {
		f := fields[i]
		code, _, _ := strings.Cut(f, ":")
		switch code {
		case "38", "48", "58":
			if f != code {
				continue // 38:5:n, one parameter
			}
			// 38;5;n or 38;2;r;g;b: skip the arguments too.
			if i+1 < len(fields) && fields[i+1] == "5" {
				i += 2
			} else if i+1 < len(fields) && fields[i+1] == "2" {
				i += 4
			}
			continue
		}
		if colorCode(code) {
			continue
		}
		kept = append(kept, f)
	}
	if len(kept) == 0 {
		return "", false
	}
	return strings.Join(kept, ";"), true
}

// colorCode reports whether an SGR code sets a colour: 30–39, 40–49,
// 90–97, 100–107, 59.
func colorCode(c string) bool {
	n := 0
	for _, r := range c {
		n = n*10 + int(r-'0')
	}
	return len(c) > 0 && ((n >= 30 && n <= 49) || (n >= 90 && n <= 97) || (n >= 100 && n <= 107) || n == 59)
}
