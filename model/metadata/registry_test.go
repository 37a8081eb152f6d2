package metadata

import (
	"bytes"
	"strings"
	"testing"
)

// The committed table is the Salesforce CLI's registry: every one of its
// 571 types (535 top-level, 36 children), with the facts read from it.
func TestRegistryIsTheCLIs(t *testing.T) {
	types := Types()
	children := 0
	for _, ty := range types {
		if ty.IsChild() {
			children++
		}
	}
	if len(types) != 571 || children != 36 {
		t.Fatalf("%d types, %d of them children; want the registry's 571 and 36", len(types), children)
	}
	if registrySnapshot != "2026-08-21" {
		t.Errorf("snapshot %q", registrySnapshot)
	}
	for _, want := range []Type{
		{Name: "FeatureParameterBoolean", Directory: "featureParameters", Suffix: "featureParameterBoolean"},
		{Name: "Prompt", Directory: "prompts", Suffix: "prompt"},
		{Name: "LightningMessageChannel", Directory: "messageChannels", Suffix: "messageChannel"},
		{Name: "DataWeaveResource", Directory: "dw", Suffix: "dwl", MetaFile: true},
		{Name: "ApprovalProcess", Directory: "approvalProcesses", Suffix: "approvalProcess"},
		{Name: "GenAiFunction", Directory: "genAiFunctions", Bundle: true, StrictDirectory: true},
		{Name: "Bot", Directory: "bots", Suffix: "bot", StrictDirectory: true, Decomposed: true, TopLevel: true, Children: []string{"BotVersion"}},
		{Name: "BotVersion", Directory: "botVersions", Suffix: "botVersion", Parent: "Bot", ElementName: "botVersions", IDElement: "fullName"},
		{Name: "Index", Directory: "indexes", Suffix: "index", Parent: "CustomObject", ElementName: "indexes", IDElement: "fullName", LegacySuffix: "indexe"},
		{Name: "EmailTemplateFolder", Directory: "email", Suffix: "emailTemplateFolder", FolderContentType: "EmailTemplate", AliasFor: "EmailFolder"},
		// Overlays: relman reads an Experience Cloud site as a bundle.
		{Name: "ExperienceBundle", Directory: "experiences", Suffix: "site", Bundle: true, StrictDirectory: true},
	} {
		got, ok := LookupType(want.Name)
		if !ok {
			t.Errorf("%s missing", want.Name)
			continue
		}
		if g, w := strings.Join(got.Children, ","), strings.Join(want.Children, ","); g != w || got.Directory != want.Directory || got.Suffix != want.Suffix ||
			got.MetaFile != want.MetaFile || got.Bundle != want.Bundle || got.StrictDirectory != want.StrictDirectory ||
			got.Decomposed != want.Decomposed || got.TopLevel != want.TopLevel || got.Parent != want.Parent ||
			got.ElementName != want.ElementName || got.IDElement != want.IDElement || got.LegacySuffix != want.LegacySuffix ||
			got.FolderContentType != want.FolderContentType || got.AliasFor != want.AliasFor {
			t.Errorf("%s = %+v\nwant %+v", want.Name, got, want)
		}
	}
	// The CLI's indexes: a suffix several types share goes to the one the
	// CLI picks; strict directories name their type.
	for suffix, want := range map[string]string{"site": "SiteDotCom", "settings": "Settings", "cls": "ApexClass", "messageChannel": "LightningMessageChannel"} {
		if got := generatedSuffixes[suffix]; got != want {
			t.Errorf("suffix %q → %s, want %s", suffix, got, want)
		}
	}
	for dir, want := range map[string]string{"sites": "CustomSite", "bots": "Bot", "lwc": "LightningComponentBundle", "objects": "CustomObject"} {
		if got := generatedStrictDirectories[dir]; got != want {
			t.Errorf("strict directory %q → %s, want %s", dir, got, want)
		}
	}
}

// Every type of the table can be named in a manifest and validated, and
// every top-level type with a suffix resolves a file of its own: no type
// is listed but unreadable.
func TestEveryTypeIsReadable(t *testing.T) {
	for _, ty := range Types() {
		if ty.IsChild() || ty.FolderContentType != "" || ty.AliasFor != "" || ty.Suffix == "" || ty.InFolder || ty.Bundle || ty.StrictDirectory {
			continue
		}
		file := "Sample." + ty.Suffix + metaXML
		pl := placeFile("force-app/main/default/"+ty.Directory+"/"+file, func(string, *Type) bool { return false })
		if pl.kind != kindSource && pl.kind != kindShared {
			t.Errorf("%s: %s/%s not read: %+v", ty.Name, ty.Directory, file, pl)
			continue
		}
		// A suffix several types share resolves to the CLI's pick unless the
		// directory says otherwise: only then may the type differ.
		if pl.c.Type != ty.Name && generatedSuffixes[ty.Suffix] == ty.Name {
			t.Errorf("%s: %s/%s read as %s", ty.Name, ty.Directory, file, pl.c)
		}
	}
}

// Every type whose components are one file (or a file and its -meta.xml)
// goes into a deploy package and comes back out of a retrieve as the same
// component with the same files.
func TestEveryTypeRoundTripsThroughAPackage(t *testing.T) {
	n := 0
	for _, ty := range Types() {
		if ty.IsChild() || ty.FolderContentType != "" || ty.AliasFor != "" || ty.Suffix == "" || ty.InFolder ||
			ty.Bundle || ty.StrictDirectory || ty.MixedContent || len(ty.Children) > 0 || generatedSuffixes[ty.Suffix] != ty.Name {
			continue
		}
		c := Component{Type: ty.Name, FullName: "Sample"}
		files := []File{memFile(ty.Directory+"/Sample."+ty.Suffix+metaXML, []byte("<"+ty.Name+"/>\n"), false)}
		if ty.MetaFile {
			files = append(files, memFile(ty.Directory+"/Sample."+ty.Suffix, []byte("content\n"), false))
		}
		var buf bytes.Buffer
		if err := WriteMDAPIZip(&buf, []Item{{Component: c, Files: files}}, nil, "62.0"); err != nil {
			t.Errorf("%s: packaging: %v", ty.Name, err)
			continue
		}
		back, err := ReadMDAPIZip(bytes.NewReader(buf.Bytes()), int64(buf.Len()))
		if err != nil || len(back) != 1 || back[0].Component != c || len(back[0].Files) != len(files) {
			t.Errorf("%s: read back %v, %v", ty.Name, back, err)
		}
		n++
	}
	t.Logf("%d types round-tripped", n)
	if n < 400 {
		t.Errorf("only %d types tried", n)
	}
}
