package metadata

import (
	"strings"
	"testing"
)

func TestDocumentNormalisesLikeTheCLI(t *testing.T) {
	in := `<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<Flow xmlns="http://soap.sforce.com/2006/04/metadata" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance">
  <!-- kept -->
  <description>Tom &amp; Jerry's "flow" &lt;3</description>
	<formula><![CDATA[a < b]]></formula>
  <text>  spaced  
 lines </text>
  <empty></empty>
  <value xsi:nil="true"/>
  <mixed>before <b>bold</b> after</mixed>
  <nested><a>1</a><b>2</b></nested>
</Flow>`
	root, err := parseXML([]byte(in))
	if err != nil {
		t.Fatal(err)
	}
	want := `<?xml version="1.0" encoding="UTF-8"?>
<Flow xmlns="http://soap.sforce.com/2006/04/metadata" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance">
    <!-- kept -->
    <description>Tom &amp; Jerry's "flow" &lt;3</description>
    <formula><![CDATA[a < b]]></formula>
    <text>  spaced  
 lines </text>
    <empty/>
    <value xsi:nil="true"/>
    <mixed>before <b>bold</b> after</mixed>
    <nested>
        <a>1</a>
        <b>2</b>
    </nested>
</Flow>
`
	got := string(document(root))
	if got != want {
		t.Errorf("document:\n%s\nwant:\n%s", got, want)
	}
	again, err := parseXML([]byte(got))
	if err != nil {
		t.Fatal(err)
	}
	if string(document(again)) != want {
		t.Error("normalising twice must not change the document")
	}
	if d, _ := root.childText("description"); d != `Tom & Jerry's "flow" <3` {
		t.Errorf("decoded description %q", d)
	}
	if f, _ := root.childText("formula"); f != "a < b" {
		t.Errorf("decoded CDATA %q", f)
	}
}

func TestParseXMLErrors(t *testing.T) {
	cases := map[string]string{
		"":                          "no root element",
		"<a>":                       "never closed",
		"<a></b>":                   "line 1",
		"<a/><b/>":                  "second root element",
		"<a/>\ntext":                "line 2: text outside the root element",
		"<!DOCTYPE a><a/>":          "directives are not allowed",
		"<a>\n\n<b>&bogus;</b></a>": "line 3: malformed XML",
		`<?xml version="1.0" encoding="latin1"?><a/>`: "malformed XML",
	}
	for in, want := range cases {
		_, err := parseXML([]byte(in))
		if err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("parseXML(%q) = %v, want an error containing %q", in, err, want)
		}
	}
}
