package diff

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"strings"
	"testing"

	"relman/model"
	"relman/model/metadata"
)

func TestCompareCategories(t *testing.T) {
	source := []metadata.Item{
		item("ApexClass", "OnlySource", "classes/OnlySource.cls", "class OnlySource {}", "classes/OnlySource.cls-meta.xml", "<ApexClass/>"),
		item("ApexClass", "Changed", "classes/Changed.cls", "class Changed { void x() {} }"),
		item("CustomLabel", "Greeting", "labels/CustomLabels.labels-meta.xml", "<labels><fullName>Greeting</fullName></labels>"),
		item("LightningComponentBundle", "card", "lwc/card/card.js", "x", "lwc/card/card.html", "<template/>"),
	}
	target := []metadata.Item{
		item("CustomLabel", "Greeting", "labels/CustomLabels.labels-meta.xml", "<labels><fullName>Greeting</fullName></labels>"),
		item("ApexClass", "Changed", "classes/Changed.cls", "class Changed {}"),
		item("ApexClass", "OnlyTarget", "classes/OnlyTarget.cls", "class OnlyTarget {}"),
		// A file more on one side is a difference even with options on.
		item("LightningComponentBundle", "card", "lwc/card/card.js", "x", "lwc/card/card.html", "<template/>", "lwc/card/card.css", ""),
	}
	for _, opts := range []Options{{}, both, {Workers: 1}} {
		res, err := Compare(context.Background(), source, target, opts)
		if err != nil {
			t.Fatal(err)
		}
		var got []string
		for _, e := range res.Entries {
			got = append(got, e.Component.String()+"="+string(e.Category)+" "+strings.Join(e.Files, ","))
		}
		want := []string{
			"ApexClass:Changed=different classes/Changed.cls",
			"ApexClass:OnlySource=onlyInSource classes/OnlySource.cls,classes/OnlySource.cls-meta.xml",
			"ApexClass:OnlyTarget=onlyInTarget classes/OnlyTarget.cls",
			"CustomLabel:Greeting=same labels/CustomLabels.labels-meta.xml",
			"LightningComponentBundle:card=different lwc/card/card.css,lwc/card/card.html,lwc/card/card.js",
		}
		if strings.Join(got, "\n") != strings.Join(want, "\n") {
			t.Errorf("%+v: entries\n%s\nwant\n%s", opts, strings.Join(got, "\n"), strings.Join(want, "\n"))
		}
		wantCounts := map[model.Category]int{model.OnlyInSource: 1, model.OnlyInTarget: 1, model.Different: 2, model.Same: 1}
		if len(res.Counts) != 4 {
			t.Errorf("counts %v: want all four categories", res.Counts)
		}
		for c, n := range wantCounts {
			if res.Counts[c] != n {
				t.Errorf("%+v: count %s = %d, want %d", opts, c, res.Counts[c], n)
			}
		}
		if res.Hidden != (Hidden{}) {
			t.Errorf("hidden %+v", res.Hidden)
		}
		e := res.Entries
		if e[1].TargetHash != "" || e[1].SourceHash == "" || e[2].SourceHash != "" || e[2].TargetHash == "" {
			t.Errorf("a hash where the component is absent: %+v %+v", e[1], e[2])
		}
		if e[3].SourceHash != e[3].TargetHash || e[0].SourceHash == e[0].TargetHash {
			t.Errorf("hashes do not follow content: %+v %+v", e[3], e[0])
		}
	}
}

func TestCompareHash(t *testing.T) {
	it := item("LightningComponentBundle", "c", "lwc/c/c.js", "js", "lwc/c/c.html", "html")
	res, err := Compare(context.Background(), []metadata.Item{it}, nil, Options{})
	if err != nil {
		t.Fatal(err)
	}
	// Files in path order: path, NUL, SHA-256 of the content.
	h := sha256.New()
	for _, f := range [][2]string{{"lwc/c/c.html", "html"}, {"lwc/c/c.js", "js"}} {
		sum := sha256.Sum256([]byte(f[1]))
		h.Write([]byte(f[0] + "\x00"))
		h.Write(sum[:])
	}
	if want := hex.EncodeToString(h.Sum(nil)); res.Entries[0].SourceHash != want {
		t.Errorf("hash %s, want %s", res.Entries[0].SourceHash, want)
	}
	// Moving content from one file to another changes the hash.
	moved := item("LightningComponentBundle", "c", "lwc/c/c.js", "jsh", "lwc/c/c.html", "tml")
	res2, _ := Compare(context.Background(), []metadata.Item{moved}, nil, Options{})
	if res2.Entries[0].SourceHash == res.Entries[0].SourceHash {
		t.Error("content moved between files hashes the same")
	}
}

func TestCompareOptions(t *testing.T) {
	p := "profiles/Admin.profile-meta.xml"
	sorted := profile(fieldPerm("Account.A__c", true), fieldPerm("Account.B__c", false))
	reordered := profile(fieldPerm("Account.B__c", false), fieldPerm("Account.A__c", true))
	reindented := strings.ReplaceAll(sorted, "    ", "  ")
	both2 := strings.ReplaceAll(reordered, "    ", "  ")
	picklist := func(a, b string) string {
		return "<CustomField><fullName>Region__c</fullName><valueSet><valueSetDefinition><value><fullName>" + a +
			"</fullName></value><value><fullName>" + b + "</fullName></value></valueSetDefinition></valueSet></CustomField>"
	}
	fp := "objects/Account/fields/Region__c.field-meta.xml"
	source := []metadata.Item{
		item("Profile", "Reordered", p, reordered),
		item("Profile", "Reindented", p, reindented),
		item("Profile", "Both", p, both2),
		item("CustomField", "Account.Region__c", fp, picklist("South", "North")),
		item("ApexClass", "A", "classes/A.cls", "class A {\n  void x() {}\n}\n", "classes/A.cls-meta.xml", "<ApexClass/>"),
	}
	target := []metadata.Item{
		item("Profile", "Reordered", p, sorted),
		item("Profile", "Reindented", p, sorted),
		item("Profile", "Both", p, sorted),
		item("CustomField", "Account.Region__c", fp, picklist("North", "South")),
		item("ApexClass", "A", "classes/A.cls", "class A {\n\tvoid x() {}\n}", "classes/A.cls-meta.xml", "<ApexClass/>"),
	}
	tests := []struct {
		opts   Options
		want   map[string]model.Category
		hidden Hidden
	}{
		{Options{}, map[string]model.Category{"Reordered": model.Different, "Reindented": model.Different, "Both": model.Different, "Account.Region__c": model.Different, "A": model.Different}, Hidden{}},
		{wsOnly, map[string]model.Category{"Reordered": model.Different, "Reindented": model.Same, "Both": model.Different, "Account.Region__c": model.Different, "A": model.Same}, Hidden{Whitespace: 2}},
		{orderOnly, map[string]model.Category{"Reordered": model.Same, "Reindented": model.Different, "Both": model.Different, "Account.Region__c": model.Different, "A": model.Different}, Hidden{Order: 1}},
		{both, map[string]model.Category{"Reordered": model.Same, "Reindented": model.Same, "Both": model.Same, "Account.Region__c": model.Different, "A": model.Same}, Hidden{Whitespace: 3, Order: 2}},
	}
	for _, tt := range tests {
		res, err := Compare(context.Background(), source, target, tt.opts)
		if err != nil {
			t.Fatal(err)
		}
		for _, e := range res.Entries {
			if want := tt.want[e.Component.FullName]; e.Category != want {
				t.Errorf("%+v: %s is %s, want %s", tt.opts, e.Component, e.Category, want)
			}
			if e.SourceHash == e.TargetHash {
				t.Errorf("%s: hashes equal although bytes differ", e.Component)
			}
		}
		if res.Hidden != tt.hidden {
			t.Errorf("%+v: hidden %+v, want %+v", tt.opts, res.Hidden, tt.hidden)
		}
	}
}

// failing is a file whose content cannot be read.
func failing(path string, openErr, readErr error) metadata.File {
	return metadata.File{Path: path, Open: func() (io.ReadCloser, error) {
		if openErr != nil {
			return nil, openErr
		}
		return io.NopCloser(io.MultiReader(strings.NewReader("partial"), errReader{readErr})), nil
	}}
}

type errReader struct{ err error }

func (r errReader) Read([]byte) (int, error) { return 0, r.err }

func TestCompareErrors(t *testing.T) {
	ok := item("ApexClass", "Fine", "classes/Fine.cls", "x")
	broken := item("ApexClass", "Broken")
	broken.Files = []metadata.File{failing("classes/Broken.cls", nil, errors.New("disk on fire"))}
	unopenable := item("ApexClass", "Gone")
	unopenable.Files = []metadata.File{failing("classes/Gone.cls", errors.New("no such file"), nil)}
	malformed := item("Profile", "Bad", "profiles/Bad.profile-meta.xml", "<Profile>\n<x>\n</Profile>")
	fine := item("Profile", "Bad", "profiles/Bad.profile-meta.xml", "<Profile/>")
	tests := []struct {
		name           string
		source, target []metadata.Item
		opts           Options
		want           string
	}{
		{"read error", []metadata.Item{ok}, []metadata.Item{broken}, Options{},
			"diff: target ApexClass:Broken: reading classes/Broken.cls: disk on fire; check that the target can be read"},
		{"open error", []metadata.Item{unopenable, ok}, nil, Options{},
			"diff: source ApexClass:Gone: opening classes/Gone.cls: no such file"},
		{"no Open", []metadata.Item{{Component: ok.Component, Files: []metadata.File{{Path: "classes/Fine.cls"}}}}, nil, Options{},
			"opening classes/Fine.cls: the file has no content"},
		{"duplicate component", []metadata.Item{ok, ok}, nil, Options{},
			"diff: the source lists ApexClass:Fine twice"},
		{"duplicate file", []metadata.Item{item("ApexClass", "Fine", "a.cls", "x", "a.cls", "y")}, nil, Options{},
			"diff: source ApexClass:Fine: file a.cls is listed twice"},
		{"malformed xml with options", []metadata.Item{malformed}, []metadata.Item{fine}, wsOnly,
			"diff: source Profile:Bad: profiles/Bad.profile-meta.xml line 3: malformed XML: element <x> is closed by </Profile>; fix the file, or compare without ignoring whitespace or order"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := Compare(context.Background(), tt.source, tt.target, tt.opts)
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Errorf("error %v, want one containing %q", err, tt.want)
			}
		})
	}
	// Read errors and malformed XML found only when normalising.
	once := func(path, content string) metadata.File {
		opened := false
		return metadata.File{Path: path, Open: func() (io.ReadCloser, error) {
			if opened {
				return nil, errors.New("gone")
			}
			opened = true
			return io.NopCloser(strings.NewReader(content)), nil
		}}
	}
	for _, c := range []struct {
		source, target metadata.Item
		want           string
	}{
		{metadata.Item{Component: fine.Component, Files: []metadata.File{once("profiles/Bad.profile-meta.xml", "<Profile> </Profile>")}}, fine,
			"diff: source Profile:Bad: opening profiles/Bad.profile-meta.xml: gone; check that the source can be read"},
		{fine, metadata.Item{Component: fine.Component, Files: []metadata.File{once("profiles/Bad.profile-meta.xml", "<Profile> </Profile>")}},
			"diff: target Profile:Bad: opening profiles/Bad.profile-meta.xml: gone; check that the target can be read"},
		{fine, malformed, "diff: target Profile:Bad: profiles/Bad.profile-meta.xml line 3: malformed XML"},
	} {
		_, err := Compare(context.Background(), []metadata.Item{c.source}, []metadata.Item{c.target}, both)
		if err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("error %v, want one containing %q", err, c.want)
		}
	}

	// Without options malformed XML is just different bytes.
	res, err := Compare(context.Background(), []metadata.Item{malformed}, []metadata.Item{fine}, Options{})
	if err != nil || res.Entries[0].Category != model.Different {
		t.Errorf("%+v %v", res, err)
	}
}

func TestCompareCancel(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	items := []metadata.Item{item("ApexClass", "A", "classes/A.cls", "x")}
	if _, err := Compare(ctx, items, items, Options{}); !errors.Is(err, context.Canceled) {
		t.Errorf("error %v, want context.Canceled", err)
	}
	// Cancelled while files are being read: the remaining items are not.
	ctx, cancel = context.WithCancel(context.Background())
	defer cancel()
	opened := 0
	var many []metadata.Item
	for i := range 1000 {
		it := item("ApexClass", fmt.Sprintf("C%04d", i), "classes/C.cls", "x")
		open := it.Files[0].Open
		it.Files[0].Open = func() (io.ReadCloser, error) {
			opened++
			if opened == 10 {
				cancel()
			}
			return open()
		}
		many = append(many, it)
	}
	if _, err := Compare(ctx, many, nil, Options{Workers: 1}); !errors.Is(err, context.Canceled) {
		t.Errorf("error %v, want context.Canceled", err)
	}
	if opened > 11 {
		t.Errorf("%d files opened after cancelling at the 10th", opened)
	}

	// Cancelled in the middle of a large file: the rest is not read.
	ctx, cancel = context.WithCancel(context.Background())
	defer cancel()
	r := &cancellingReader{cancel: cancel}
	big := item("StaticResource", "Big")
	big.Files = []metadata.File{{Path: "staticresources/Big.resource", Open: func() (io.ReadCloser, error) {
		return io.NopCloser(r), nil
	}}}
	if _, err := Compare(ctx, []metadata.Item{big}, nil, Options{}); !errors.Is(err, context.Canceled) {
		t.Errorf("error %v, want context.Canceled", err)
	}
	if r.reads != 1 {
		t.Errorf("%d reads, want none after cancelling in the first", r.reads)
	}
}

// cancellingReader cancels on its first read; it is 100 reads long.
type cancellingReader struct {
	cancel func()
	reads  int
}

func (r *cancellingReader) Read(p []byte) (int, error) {
	if r.reads == 100 {
		return 0, io.EOF
	}
	r.reads++
	r.cancel()
	return copy(p, "data"), nil
}
