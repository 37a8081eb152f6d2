package model

import "testing"

func TestParseID(t *testing.T) {
	cases := []struct {
		in   string
		want int64
		ok   bool
	}{
		{"42", 42, true}, {"CR-0042", 42, true}, {"cr-42", 42, true}, {" CR-7 ", 7, true},
		{"DR-0042", 0, false}, {"CR-", 0, false}, {"0", 0, false}, {"-3", 0, false}, {"CR-x", 0, false}, {"", 0, false},
	}
	for _, c := range cases {
		got, err := ParseID(PrefixChangeRequest, c.in)
		if (err == nil) != c.ok || got != c.want {
			t.Errorf("ParseID(%q) = %d, %v; want %d ok=%v", c.in, got, err, c.want, c.ok)
		}
	}
	if FormatID(PrefixDeployment, 7) != "DR-0007" {
		t.Fatal(FormatID(PrefixDeployment, 7))
	}
}

func FuzzParseID(f *testing.F) {
	for _, s := range []string{"42", "CR-0042", "DR-1", "cr-", "-"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		id, err := ParseID(PrefixChangeRequest, s)
		if err == nil {
			if id <= 0 {
				t.Fatalf("accepted non-positive id %d from %q", id, s)
			}
			if back, err := ParseID(PrefixChangeRequest, FormatID(PrefixChangeRequest, id)); err != nil || back != id {
				t.Fatalf("round trip of %d failed: %d %v", id, back, err)
			}
		}
	})
}
