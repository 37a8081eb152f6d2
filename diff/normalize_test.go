package diff

import (
	"strings"
	"testing"
)

var (
	wsOnly    = Options{IgnoreWhitespace: true}
	orderOnly = Options{IgnoreOrder: true}
	both      = Options{IgnoreWhitespace: true, IgnoreOrder: true}
)

func TestNormalizeEquivalence(t *testing.T) {
	const objField = `<?xml version="1.0" encoding="UTF-8"?>
<CustomField xmlns="http://soap.sforce.com/2006/04/metadata">
    <fullName>Region__c</fullName>
    <valueSet>
        <valueSetDefinition>
            <value><fullName>%s</fullName></value>
            <value><fullName>%s</fullName></value>
        </valueSetDefinition>
    </valueSet>
</CustomField>
`
	pick := func(a, b string) string { return strings.Replace(strings.Replace(objField, "%s", a, 1), "%s", b, 1) }
	object := func(fields ...string) string {
		return "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n" + `<CustomObject xmlns="http://soap.sforce.com/2006/04/metadata">` + "\n" + strings.Join(fields, "") + "</CustomObject>\n"
	}
	field := func(name, values string) string {
		return "    <fields>\n        <fullName>" + name + "</fullName>\n        <valueSet>" + values + "</valueSet>\n    </fields>\n"
	}
	tests := []struct {
		name string
		path string
		a, b string
		// whether a and b normalise equal with no option, whitespace only,
		// order only, and both
		none, ws, order, all bool
	}{
		{name: "xml indentation and blank lines", path: "profiles/A.profile-meta.xml",
			a:  profile(fieldPerm("Account.A__c", true)),
			b:  strings.ReplaceAll(profile(fieldPerm("Account.A__c", true)), "    ", "\t") + "\n\n",
			ws: true, all: true},
		{name: "xml text trimmed", path: "labels/CustomLabels.labels-meta.xml",
			a: "<labels><value> Hello world\n</value></labels>", b: "<labels><value>Hello world</value></labels>",
			ws: true, all: true},
		{name: "xml inner text whitespace counts", path: "x.xml",
			a: "<a><b>Hello  world</b></a>", b: "<a><b>Hello world</b></a>"},
		{name: "xml whitespace inside tags", path: "x.xml",
			a: "<?xml  version=\"1.0\" ?>\n<a  x = \"1\"\n   y='2' ><b /></a >", b: "<?xml version=\"1.0\"?><a x=\"1\" y='2'><b/></a>",
			ws: true, all: true},
		{name: "xml attribute value whitespace counts", path: "x.xml",
			a: `<a x="1 2"/>`, b: `<a x="1  2"/>`},
		{name: "xml empty element form is not whitespace", path: "x.xml",
			a: "<a><b/></a>", b: "<a><b></b></a>"},
		{name: "xml entities are not whitespace", path: "x.xml",
			a: "<a>it&apos;s</a>", b: "<a>it's</a>"},
		{name: "xml CRLF", path: "x.xml",
			a: "<a>\r\n  <b>x\r\ny</b>\r\n</a>\r\n", b: "<a>\n<b>x\ny</b>\n</a>",
			ws: true, all: true},
		{name: "xml CDATA content counts", path: "x.xml",
			a: "<a> <![CDATA[ x ]]> </a>", b: "<a><![CDATA[ x ]]></a>",
			ws: true, all: true},
		{name: "metadata API format sniffed as xml", path: "profiles/Admin.profile",
			a:     profile(fieldPerm("Account.A__c", true), fieldPerm("Account.B__c", true)),
			b:     profile(fieldPerm("Account.B__c", true), fieldPerm("Account.A__c", true)),
			order: true, all: true},
		{name: "profile field permissions reordered", path: "profiles/A.profile-meta.xml",
			a:     profile(fieldPerm("Account.A__c", true), fieldPerm("Account.B__c", false)),
			b:     profile(fieldPerm("Account.B__c", false), fieldPerm("Account.A__c", true)),
			order: true, all: true},
		{name: "profile reordered and changed", path: "profiles/A.profile-meta.xml",
			a: profile(fieldPerm("Account.A__c", true), fieldPerm("Account.B__c", false)),
			b: profile(fieldPerm("Account.B__c", true), fieldPerm("Account.A__c", true))},
		{name: "profile reordered and reindented needs both", path: "profiles/A.profile-meta.xml",
			a:   profile(fieldPerm("Account.A__c", true), fieldPerm("Account.B__c", false)),
			b:   strings.ReplaceAll(profile(fieldPerm("Account.B__c", false), fieldPerm("Account.A__c", true)), "    ", "  "),
			all: true},
		{name: "profile groups interleaved differently", path: "profiles/A.profile-meta.xml",
			a:     profile(fieldPerm("Account.A__c", true), "    <userPermissions><enabled>true</enabled><name>ApiEnabled</name></userPermissions>\n"),
			b:     profile("    <userPermissions><enabled>true</enabled><name>ApiEnabled</name></userPermissions>\n", fieldPerm("Account.A__c", true)),
			order: true, all: true},
		{name: "layout assignments by layout and record type", path: "profiles/A.profile-meta.xml",
			a: profile("<layoutAssignments><layout>L</layout><recordType>B</recordType></layoutAssignments>",
				"<layoutAssignments><layout>L</layout><recordType>A</recordType></layoutAssignments>"),
			b: profile("<layoutAssignments><layout>L</layout><recordType>A</recordType></layoutAssignments>",
				"<layoutAssignments><layout>L</layout><recordType>B</recordType></layoutAssignments>"),
			order: true, all: true},
		{name: "login IP ranges keep their order", path: "profiles/A.profile-meta.xml",
			a: profile("<loginIpRanges><startAddress>1.1.1.1</startAddress></loginIpRanges>", "<loginIpRanges><startAddress>2.2.2.2</startAddress></loginIpRanges>"),
			b: profile("<loginIpRanges><startAddress>2.2.2.2</startAddress></loginIpRanges>", "<loginIpRanges><startAddress>1.1.1.1</startAddress></loginIpRanges>")},
		{name: "permission set tab settings", path: "permissionsets/P.permissionset-meta.xml",
			a:     "<PermissionSet><tabSettings><tab>A</tab></tabSettings><tabSettings><tab>B</tab></tabSettings></PermissionSet>",
			b:     "<PermissionSet><tabSettings><tab>B</tab></tabSettings><tabSettings><tab>A</tab></tabSettings></PermissionSet>",
			order: true, all: true},
		{name: "permission set group members", path: "permissionsetgroups/G.permissionsetgroup-meta.xml",
			a:     "<PermissionSetGroup><label>G</label><permissionSets>A</permissionSets><permissionSets>B</permissionSets></PermissionSetGroup>",
			b:     "<PermissionSetGroup><label>G</label><permissionSets>B</permissionSets><permissionSets>A</permissionSets></PermissionSetGroup>",
			order: true, all: true},
		{name: "custom labels", path: "labels/CustomLabels.labels-meta.xml",
			a:     "<CustomLabels><labels><fullName>A</fullName></labels><labels><fullName>B</fullName></labels></CustomLabels>",
			b:     "<CustomLabels><labels><fullName>B</fullName></labels><labels><fullName>A</fullName></labels></CustomLabels>",
			order: true, all: true},
		{name: "picklist values keep their order", path: "objects/Account/fields/Region__c.field-meta.xml",
			a: pick("North", "South"), b: pick("South", "North")},
		{name: "object fields reordered", path: "objects/Account.object",
			a:     object(field("A__c", "<value>x</value>"), field("B__c", "")),
			b:     object(field("B__c", ""), field("A__c", "<value>x</value>")),
			order: true, all: true},
		{name: "picklist values inside object fields keep their order", path: "objects/Account.object",
			a: object(field("A__c", "<value>x</value><value>y</value>")),
			b: object(field("A__c", "<value>y</value><value>x</value>"))},
		{name: "prefixed element names", path: "profiles/A.profile-meta.xml",
			a:     `<sf:Profile xmlns:sf="urn:x"><sf:userPermissions><sf:name>B</sf:name></sf:userPermissions><sf:userPermissions><sf:name>A</sf:name></sf:userPermissions></sf:Profile>`,
			b:     `<sf:Profile xmlns:sf="urn:x"><sf:userPermissions><sf:name>A</sf:name></sf:userPermissions><sf:userPermissions><sf:name>B</sf:name></sf:userPermissions></sf:Profile>`,
			order: true, all: true},
		{name: "unknown xml keeps its order", path: "layouts/Account-Layout.layout-meta.xml",
			a: "<Layout><layoutSections><label>A</label></layoutSections><layoutSections><label>B</label></layoutSections></Layout>",
			b: "<Layout><layoutSections><label>B</label></layoutSections><layoutSections><label>A</label></layoutSections></Layout>"},
		{name: "only top-level children are reordered", path: "profiles/A.profile-meta.xml",
			a: profile("<description><fieldPermissions><field>A</field></fieldPermissions><fieldPermissions><field>B</field></fieldPermissions></description>"),
			b: profile("<description><fieldPermissions><field>B</field></fieldPermissions><fieldPermissions><field>A</field></fieldPermissions></description>")},
		{name: "apex reindented", path: "classes/Foo.cls",
			a:  "public class Foo {\n    void x() {\n        y();   \n    }\n}\n",
			b:  "public class Foo {\n\n\tvoid  x() {\r\n\t\ty();\n\t}\n}",
			ws: true, all: true},
		{name: "apex token change counts", path: "classes/Foo.cls",
			a: "a = b;\n", b: "a = c;\n"},
		{name: "apex whitespace between tokens removed counts", path: "classes/Foo.cls",
			a: "a = b;\n", b: "a=b;\n"},
		{name: "lwc js", path: "lwc/x/x.js", a: "  x();\n", b: "x();", ws: true, all: true},
		{name: "other text is content", path: "email/unfiled$public/T.email", a: "Hi\n", b: "  Hi\n"},
		{name: "identical", path: "x.xml", a: "<a/>", b: "<a/>", none: true, ws: true, order: true, all: true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			for _, c := range []struct {
				opts Options
				want bool
			}{{Options{}, tt.none}, {wsOnly, tt.ws}, {orderOnly, tt.order}, {both, tt.all}} {
				na, err := Normalize(tt.path, []byte(tt.a), c.opts)
				if err != nil {
					t.Fatalf("%+v: a: %v", c.opts, err)
				}
				nb, err := Normalize(tt.path, []byte(tt.b), c.opts)
				if err != nil {
					t.Fatalf("%+v: b: %v", c.opts, err)
				}
				if got := string(na) == string(nb); got != c.want {
					t.Errorf("%+v: equal = %v, want %v\na: %q\nb: %q", c.opts, got, c.want, na, nb)
				}
			}
		})
	}
}

// TestNormalizeOrderKeepsBytes checks that IgnoreOrder alone only moves whole
// elements into the places permissions held: a shuffled profile normalises
// to exactly the sorted file, byte for byte.
func TestNormalizeOrderKeepsBytes(t *testing.T) {
	class := "    <classAccesses>\n        <apexClass>Alpha</apexClass>\n        <enabled>true</enabled>\n    </classAccesses>\n"
	custom := "    <custom>false</custom>\n"
	tail := "    <!-- kept -->\n    <userLicense>Salesforce</userLicense>\n"
	a, b, c := fieldPerm("Account.A__c", true), fieldPerm("Account.B__c", false), fieldPerm("Contact.C__c", true)
	sorted := profile(class, custom, a, b, c, tail)
	shuffled := profile(c, custom, b, class, a, tail)
	got, err := Normalize("profiles/Admin.profile-meta.xml", []byte(shuffled), orderOnly)
	if err != nil {
		t.Fatal(err)
	}
	if string(got) != sorted {
		t.Errorf("got\n%s\nwant\n%s", got, sorted)
	}
	again, err := Normalize("profiles/Admin.profile-meta.xml", []byte(sorted), orderOnly)
	if err != nil {
		t.Fatal(err)
	}
	if string(again) != sorted {
		t.Errorf("a sorted file changed:\n%s", again)
	}
}

func TestNormalizeUnchanged(t *testing.T) {
	for _, c := range []struct {
		path string
		opts Options
	}{
		{"x.xml", Options{}},
		{"classes/A.cls", orderOnly},
		{"staticresources/a.json", both},
		{"layouts/A.layout-meta.xml", orderOnly},
	} {
		data := []byte("<a>\n  <b> x </b>\n</a>\n")
		got, err := Normalize(c.path, data, c.opts)
		if err != nil {
			t.Fatal(err)
		}
		if &got[0] != &data[0] {
			t.Errorf("%s %+v: the data was copied or changed: %q", c.path, c.opts, got)
		}
	}
}

func TestNormalizeMalformed(t *testing.T) {
	tests := []struct{ data, want string }{
		{"<a>\n<b>\n</a>", "profiles/P.profile-meta.xml line 3: malformed XML: element <b> is closed by </a>"},
		{"<a>\n<b>\n", "line 3: malformed XML: element <b> is never closed"},
		{"<a/>\n</a>", "line 2: malformed XML: end tag </a> closes no element"},
		{"<a>\n<b x=1/></a>", "line 2: malformed XML: unquoted or missing attribute value in element"},
		{"<a>&bogus;</a>", "line 1: malformed XML: invalid character entity &bogus;"},
		{"<a>\xff</a>", "line 1: malformed XML: invalid UTF-8"},
		{"<sf:a>\n</sf:b>", "line 2: malformed XML: element <sf:a> is closed by </sf:b>"},
	}
	for _, tt := range tests {
		for _, opts := range []Options{wsOnly, orderOnly} {
			_, err := Normalize("profiles/P.profile-meta.xml", []byte(tt.data), opts)
			if err == nil || !strings.Contains(err.Error(), tt.want) || !strings.HasPrefix(err.Error(), "profiles/P.profile-meta.xml line ") {
				t.Errorf("%q %+v: error %v, want one containing %q", tt.data, opts, err, tt.want)
			}
		}
	}
}

func TestNormalizeEncoding(t *testing.T) {
	_, err := Normalize("x.xml", []byte(`<?xml version="1.0" encoding="ISO-8859-1"?><a/>`), wsOnly)
	if want := `x.xml: the file declares encoding "ISO-8859-1"; save it as UTF-8`; err == nil || err.Error() != want {
		t.Errorf("error %v, want %s", err, want)
	}
	// UTF-8, however spelt, is fine.
	if _, err := Normalize("x.xml", []byte(`<?xml version="1.0" encoding="utf-8"?><a/>`), wsOnly); err != nil {
		t.Error(err)
	}
}

// TestCanonicalKeys checks the per-line split Lines relies on: line i's key
// is what Normalize keeps of line i, so the keys add up to Normalize's output.
func TestCanonicalKeys(t *testing.T) {
	data := "<?xml version=\"1.0\"?>\n<a>\n    <b>x\n   y</b>\n\n    <c  k=\"v\"\n       j=\"w\"/>\n</a>"
	c, err := canonicalize("x.xml", []byte(data), wsOnly)
	if err != nil {
		t.Fatal(err)
	}
	var keys []string
	prev := 0
	for _, e := range c.ends {
		keys = append(keys, string(c.norm[prev:e]))
		prev = e
	}
	want := []string{`<?xml version="1.0"?>`, "<a>", "<b>x\n", "   y</b>", "", `<c k="v" `, `j="w"/>`, "</a>"}
	if strings.Join(keys, "|") != strings.Join(want, "|") {
		t.Errorf("keys\n got %q\nwant %q", keys, want)
	}
	if strings.Join(keys, "") != string(c.norm) {
		t.Errorf("keys do not add up to the normalised text")
	}
}
