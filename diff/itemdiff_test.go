package diff

import (
	"strings"
	"testing"

	"relman/model/metadata"
)

func TestItemDiff(t *testing.T) {
	src := item("LightningComponentBundle", "card",
		"lwc/card/card.html", "<template>\n  <p>Hello</p>\n</template>\n",
		"lwc/card/card.js", "export default class Card {}\n",
		"lwc/card/card.css", "p { color: red; }\n")
	tgt := item("LightningComponentBundle", "card",
		"lwc/card/card.js", "export default class Card {}\n",
		"lwc/card/card.html", "<template>\n  <p>Hi</p>\n</template>\n",
		"lwc/card/card.svg", "<svg/>\n")
	diffs, err := ItemDiff(&src, &tgt, 3, Options{})
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, d := range diffs {
		got = append(got, d.Path)
		switch d.Path {
		case "lwc/card/card.css":
			if !d.NewFile || d.DeletedFile || d.Added != 1 || d.Removed != 0 {
				t.Errorf("css: %+v", d)
			}
		case "lwc/card/card.html":
			// The target is the old side: deploying the source adds Hello.
			if d.NewFile || d.DeletedFile || !strings.Contains(render(d), "-2,0   <p>[Hi]</p>\n+0,2   <p>[Hello]</p>") {
				t.Errorf("html: %+v\n%s", d, render(d))
			}
		case "lwc/card/card.svg":
			if !d.DeletedFile || d.Removed != 1 {
				t.Errorf("svg: %+v", d)
			}
		}
	}
	if want := "lwc/card/card.css lwc/card/card.html lwc/card/card.svg"; strings.Join(got, " ") != want {
		t.Errorf("files %v, want %s (identical js left out)", got, want)
	}

	diffs, err = ItemDiff(&src, nil, 3, Options{})
	if err != nil || len(diffs) != 3 {
		t.Fatalf("only in source: %d diffs, %v", len(diffs), err)
	}
	for _, d := range diffs {
		if !d.NewFile || d.Removed != 0 || d.Added == 0 {
			t.Errorf("only in source: %+v", d)
		}
	}
	diffs, err = ItemDiff(nil, &tgt, 3, Options{})
	if err != nil || len(diffs) != 3 || !diffs[0].DeletedFile {
		t.Fatalf("only in target: %+v, %v", diffs, err)
	}
}

func TestItemDiffErrors(t *testing.T) {
	good := item("Profile", "P", "profiles/P.profile-meta.xml", "<Profile>\n</Profile>\n")
	bad := item("Profile", "P", "profiles/P.profile-meta.xml", "<Profile>\n</Profle>\n")
	_, err := ItemDiff(&good, &bad, 3, both)
	if want := "diff: target Profile:P: profiles/P.profile-meta.xml line 2: malformed XML"; err == nil || !strings.Contains(err.Error(), want) {
		t.Errorf("error %v, want %q", err, want)
	}
	_, err = ItemDiff(&bad, &good, 3, both)
	if want := "diff: source Profile:P: profiles/P.profile-meta.xml line 2"; err == nil || !strings.Contains(err.Error(), want) {
		t.Errorf("error %v, want %q", err, want)
	}
	unreadable := item("ApexClass", "A")
	unreadable.Files = []metadata.File{failing("classes/A.cls", nil, errString("bad sector"))}
	_, err = ItemDiff(&unreadable, nil, 3, Options{})
	if want := "diff: source ApexClass:A: reading classes/A.cls: bad sector"; err == nil || !strings.Contains(err.Error(), want) {
		t.Errorf("error %v, want %q", err, want)
	}
	dup := item("ApexClass", "A", "classes/A.cls", "x", "classes/A.cls", "y")
	if _, err = ItemDiff(nil, &dup, 3, Options{}); err == nil || !strings.Contains(err.Error(), "listed twice") {
		t.Errorf("error %v", err)
	}
}

type errString string

func (e errString) Error() string { return string(e) }
