package theme

import (
	"os"
	"strings"
	"testing"
)

func TestStripColorKeepsAttributes(t *testing.T) {
	for _, c := range []struct{ in, want string }{
		{"plain", "plain"},
		{"\x1b[1;38;5;8mbold grey\x1b[0m", "\x1b[1mbold grey\x1b[0m"},
		{"\x1b[38;2;8;8;8mrgb\x1b[m", "rgb\x1b[m"},
		{"\x1b[4;31;42munder\x1b[0m", "\x1b[4munder\x1b[0m"},
		{"\x1b[7;48:5:3mrev\x1b[0m", "\x1b[7mrev\x1b[0m"},
		{"\x1b[2;3;90mhint\x1b[0m", "\x1b[2;3mhint\x1b[0m"},
		{"\x1b[2Kline", "\x1b[2Kline"},
	} {
		if got := StripColor(c.in); got != c.want {
			t.Errorf("StripColor(%q) = %q, want %q", c.in, got, c.want)
		}
	}
}

// TestNoColorWriterAcrossWrites: a sequence cut between two writes is
// still stripped.
func TestNoColorWriterAcrossWrites(t *testing.T) {
	var out strings.Builder
	w := NoColorWriter(&out)
	for _, part := range []string{"a\x1b[1;3", "8;5;200mb\x1b", "[0m"} {
		if _, err := w.Write([]byte(part)); err != nil {
			t.Fatal(err)
		}
	}
	if got, want := out.String(), "a\x1b[1mb\x1b[0m"; got != want {
		t.Errorf("got %q, want %q", got, want)
	}
}

// TestNoColorWriterKeepsTerminal: a terminal output stays a terminal file,
// or the program could not size itself.
func TestNoColorWriterKeepsTerminal(t *testing.T) {
	f, err := os.CreateTemp(t.TempDir(), "tty")
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	w := NoColorWriter(f)
	tf, ok := w.(interface{ Fd() uintptr })
	if !ok || tf.Fd() != f.Fd() {
		t.Fatalf("NoColorWriter(file) is %T, not a file with the same Fd", w)
	}
	if _, err := w.Write([]byte("\x1b[1;31mx\x1b[0m")); err != nil {
		t.Fatal(err)
	}
	got, err := os.ReadFile(f.Name())
	if err != nil {
		t.Fatal(err)
	}
	if string(got) != "\x1b[1mx\x1b[0m" {
		t.Errorf("file holds %q", got)
	}
}
