package termsafe

import (
	"bytes"
	"testing"
)

func TestEscapes(t *testing.T) {
	for _, c := range []struct{ in, text, line string }{
		{"bob", "bob", "bob"},
		{"mallory\x1b[2K\rbob", `mallory\x1b[2K\rbob`, `mallory\x1b[2K\rbob`},
		{"two\nlines\tand tab", "two\nlines\tand tab", `two\nlines\tand tab`},
		{"title\x1b]0;pwned\x07", `title\x1b]0;pwned\x07`, `title\x1b]0;pwned\x07`},
		{"evil\u202etxt.exe", `evil\u202etxt.exe`, `evil\u202etxt.exe`},
		{"c1\u009bcsi", `c1\x9bcsi`, `c1\x9bcsi`},
		{"caf\xe9 \xff", `caf\xe9 \xff`, `caf\xe9 \xff`},
		{"Größe ✓ 日本", "Größe ✓ 日本", "Größe ✓ 日本"},
	} {
		if got := Text(c.in); got != c.text {
			t.Errorf("Text(%q) = %q, want %q", c.in, got, c.text)
		}
		if got := Line(c.in); got != c.line {
			t.Errorf("Line(%q) = %q, want %q", c.in, got, c.line)
		}
	}
}

func TestWriter(t *testing.T) {
	var b bytes.Buffer
	if _, err := Writer(&b).Write([]byte("CR-0001 mallory\x1b[2K\rbob\n")); err != nil {
		t.Fatal(err)
	}
	if got := b.String(); got != "CR-0001 mallory\\x1b[2K\\rbob\n" {
		t.Errorf("Writer wrote %q", got)
	}
}

func TestFrameKeepsColoursOnly(t *testing.T) {
	for _, c := range []struct{ in, want string }{
		{"\x1b[1;38;5;8mbold grey\x1b[0m\n", "\x1b[1;38;5;8mbold grey\x1b[0m\n"},
		{"\x1b[38;2;8;8;8mrgb\x1b[m", "\x1b[38;2;8;8;8mrgb\x1b[m"},
		{"name: mallory\x1b[2K\rbob", `name: mallory\x1b[2K\rbob`},
		{"hidden \x1b[8msecret\x1b[0m", `hidden \x1b[8msecret` + "\x1b[0m"},
		{"link \x1b]8;;http://x\x1b\\y", `link \x1b]8;;http://x\x1b\y`},
	} {
		if got := Frame(c.in); got != c.want {
			t.Errorf("Frame(%q) = %q, want %q", c.in, got, c.want)
		}
	}
}
