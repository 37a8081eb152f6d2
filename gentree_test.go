package main

import (
	"fmt"
	"math/rand/v2"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"testing"
)

// treeSpec sizes a generated pair of SFDX projects shaped like NPSP: two
// package directories, test classes in force-app/tests/, object
// translations split over both package directories, labels duplicated in
// the second one, types the old hand-written registry lacked (feature
// parameters, message channels) and files of types no registry knows.
type treeSpec struct {
	Objects, FieldsPerObject, Classes, Layouts, Profiles, Labels int
	ClassBytes, LayoutFields, ProfileFields                      int
	TestClasses, Translated, TranslatedFields, Channels          int
}

// realSize is about 12,000 files and 75 MB per tree, the size of NPSP's
// force-app.
var realSize = treeSpec{Objects: 400, FieldsPerObject: 20, Classes: 1200, Layouts: 400, Profiles: 24, Labels: 2000,
	ClassBytes: 16000, LayoutFields: 60, ProfileFields: 1200,
	TestClasses: 300, Translated: 40, TranslatedFields: 12, Channels: 20}

// smallSize keeps the same shape for fast tests.
var smallSize = treeSpec{Objects: 12, FieldsPerObject: 6, Classes: 20, Layouts: 12, Profiles: 2, Labels: 40,
	ClassBytes: 2000, LayoutFields: 6, ProfileFields: 30,
	TestClasses: 8, Translated: 3, TranslatedFields: 4, Channels: 3}

// translationLanguages are the languages every translated object has.
var translationLanguages = []string{"de", "fr"}

// genTrees writes a source tree and a target tree under dir and returns
// the manifest a careful engineer would build by hand from the changes:
// what to deploy from source onto target, and what to delete.
func genTrees(t testing.TB, dir string, s treeSpec) (src, tgt string, deploy, destroy []string) {
	t.Helper()
	src, tgt = filepath.Join(dir, "source"), filepath.Join(dir, "target")
	rng := rand.New(rand.NewPCG(42, 7))
	w := &treeWriter{t: t, roots: []string{src, tgt}}
	for _, root := range w.roots {
		w.file(root, "sfdx-project.json", `{"packageDirectories":[{"path":"force-app","default":true},{"path":"extras"}],"sourceApiVersion":"62.0"}`)
		w.file(root, "force-app/README.md", "# Generated project\n")
		w.file(root, "force-app/main/default/widgets/Sample.widget-meta.xml", "<Widget/>\n") // a type no registry knows
	}
	// Roughly a fifth of each kind differs, so ~2,500 of ~12,000 files change.
	changed := func() bool { return rng.IntN(5) == 0 }
	for o := 0; o < s.Objects; o++ {
		obj := fmt.Sprintf("Obj%03d__c", o)
		w.both(fmt.Sprintf("objects/%s/%s.object-meta.xml", obj, obj), objectXML(obj))
		for f := 0; f < s.FieldsPerObject; f++ {
			field := fmt.Sprintf("Field%02d__c", f)
			rel := fmt.Sprintf("objects/%s/fields/%s.field-meta.xml", obj, field)
			member := "CustomField:" + obj + "." + field
			switch r := rng.IntN(20); {
			case r == 0: // new in the sandbox
				w.one(src, rel, fieldXML(field, 255))
				deploy = append(deploy, member)
			case r == 1: // deleted in the sandbox
				w.one(tgt, rel, fieldXML(field, 255))
				destroy = append(destroy, member)
			case r < 5: // changed length
				w.one(src, rel, fieldXML(field, 80))
				w.one(tgt, rel, fieldXML(field, 255))
				deploy = append(deploy, member)
			default:
				w.both(rel, fieldXML(field, 255))
			}
		}
	}
	for c := 0; c < s.Classes; c++ {
		name := fmt.Sprintf("Service%04d", c)
		body := classBody(name, s.ClassBytes)
		w.both("classes/"+name+".cls-meta.xml", classMeta)
		if changed() {
			w.one(src, "classes/"+name+".cls", strings.Replace(body, "return 0;", "return 1;", 1))
			w.one(tgt, "classes/"+name+".cls", body)
			deploy = append(deploy, "ApexClass:"+name)
		} else {
			w.both("classes/"+name+".cls", body)
		}
	}
	for l := 0; l < s.Layouts; l++ {
		obj := fmt.Sprintf("Obj%03d__c", l%max(s.Objects, 1))
		name := fmt.Sprintf("%s-Layout %d", obj, l)
		rel := "layouts/" + name + ".layout-meta.xml"
		if changed() {
			w.one(src, rel, layoutXML(s.LayoutFields+1))
			w.one(tgt, rel, layoutXML(s.LayoutFields))
			deploy = append(deploy, "Layout:"+name)
		} else {
			w.both(rel, layoutXML(s.LayoutFields))
		}
	}
	for p := 0; p < s.Profiles; p++ {
		name := fmt.Sprintf("Profile %02d", p)
		rel := "profiles/" + name + ".profile-meta.xml"
		if changed() {
			w.one(src, rel, profileXML(s.ProfileFields, true))
			w.one(tgt, rel, profileXML(s.ProfileFields, false))
			deploy = append(deploy, "Profile:"+name)
		} else {
			w.both(rel, profileXML(s.ProfileFields, false))
		}
	}
	var srcLabels, tgtLabels []string
	for i := 0; i < s.Labels; i++ {
		name := fmt.Sprintf("Label_%04d", i)
		if rng.IntN(25) == 0 {
			srcLabels = append(srcLabels, labelXML(name, "Changed text "+name))
			deploy = append(deploy, "CustomLabel:"+name)
		} else {
			srcLabels = append(srcLabels, labelXML(name, "Text "+name))
		}
		tgtLabels = append(tgtLabels, labelXML(name, "Text "+name))
	}
	w.one(src, "labels/CustomLabels.labels-meta.xml", labelsXML(srcLabels))
	w.one(tgt, "labels/CustomLabels.labels-meta.xml", labelsXML(tgtLabels))
	// The second package directory repeats a few labels: the first package
	// directory's copy wins, so their text here never shows.
	for _, root := range w.roots {
		w.file(root, "extras/labels/Extra.labels-meta.xml", labelsXML(tgtLabels[:min(3, len(tgtLabels))]))
	}
	for c := 0; c < s.TestClasses; c++ {
		name := fmt.Sprintf("Service%04dTest", c)
		body := classBody(name, s.ClassBytes/4)
		// Test classes live in force-app/tests/; a few were moved there
		// from classes/ since the target's release: still the same class.
		srcDir, tgtDir := "force-app/tests/", "force-app/tests/"
		if c%10 == 0 {
			tgtDir = "force-app/main/default/classes/"
		}
		w.file(src, srcDir+name+".cls-meta.xml", classMeta)
		w.file(tgt, tgtDir+name+".cls-meta.xml", classMeta)
		if changed() {
			w.file(src, srcDir+name+".cls", strings.Replace(body, "return 0;", "return 1;", 1))
			w.file(tgt, tgtDir+name+".cls", body)
			deploy = append(deploy, "ApexClass:"+name)
		} else {
			w.file(src, srcDir+name+".cls", body)
			w.file(tgt, tgtDir+name+".cls", body)
		}
	}
	for o := 0; o < s.Translated; o++ {
		obj := fmt.Sprintf("Obj%03d__c", o)
		for _, lang := range translationLanguages {
			name := obj + "-" + lang
			dir := "objectTranslations/" + name + "/"
			w.both(dir+name+".objectTranslation-meta.xml", objectTranslationXML(obj))
			// Field translations sit in the second package directory; the
			// Salesforce CLI joins them with the object's.
			isChanged := changed()
			for f := 0; f < s.TranslatedFields; f++ {
				field := fmt.Sprintf("Field%02d__c", f)
				rel := "extras/" + dir + field + ".fieldTranslation-meta.xml"
				if isChanged && f == 0 {
					w.file(src, rel, fieldTranslationXML(field, "Neu "+field))
					w.file(tgt, rel, fieldTranslationXML(field, field))
				} else {
					for _, root := range w.roots {
						w.file(root, rel, fieldTranslationXML(field, field))
					}
				}
			}
			if isChanged {
				deploy = append(deploy, "CustomObjectTranslation:"+name)
			}
		}
	}
	for c := 0; c < s.Channels; c++ {
		channel := fmt.Sprintf("Channel%02d", c)
		param := fmt.Sprintf("Feature%02d", c)
		if changed() {
			w.one(src, "messageChannels/"+channel+".messageChannel-meta.xml", messageChannelXML(channel+" (new)"))
			w.one(tgt, "messageChannels/"+channel+".messageChannel-meta.xml", messageChannelXML(channel))
			deploy = append(deploy, "LightningMessageChannel:"+channel)
		} else {
			w.both("messageChannels/"+channel+".messageChannel-meta.xml", messageChannelXML(channel))
		}
		w.both("featureParameters/"+param+".featureParameterBoolean-meta.xml", featureParameterXML(param))
	}
	sort.Strings(deploy)
	sort.Strings(destroy)
	return src, tgt, deploy, destroy
}

type treeWriter struct {
	t     testing.TB
	roots []string
}

func (w *treeWriter) file(root, rel, content string) {
	p := filepath.Join(root, filepath.FromSlash(rel))
	if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
		w.t.Fatal(err)
	}
	if err := os.WriteFile(p, []byte(content), 0o644); err != nil {
		w.t.Fatal(err)
	}
}

func (w *treeWriter) one(root, rel, content string) {
	w.file(root, "force-app/main/default/"+rel, content)
}

func (w *treeWriter) both(rel, content string) {
	for _, r := range w.roots {
		w.one(r, rel, content)
	}
}

const xmlHead = "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"

const classMeta = xmlHead + `<ApexClass xmlns="http://soap.sforce.com/2006/04/metadata">
    <apiVersion>62.0</apiVersion>
    <status>Active</status>
</ApexClass>
`

func objectXML(name string) string {
	return xmlHead + `<CustomObject xmlns="http://soap.sforce.com/2006/04/metadata">
    <deploymentStatus>Deployed</deploymentStatus>
    <label>` + strings.TrimSuffix(name, "__c") + `</label>
    <nameField>
        <label>Name</label>
        <type>Text</type>
    </nameField>
    <pluralLabel>` + strings.TrimSuffix(name, "__c") + `s</pluralLabel>
    <sharingModel>ReadWrite</sharingModel>
</CustomObject>
`
}

func fieldXML(name string, length int) string {
	return xmlHead + fmt.Sprintf(`<CustomField xmlns="http://soap.sforce.com/2006/04/metadata">
    <fullName>%s</fullName>
    <description>Generated field %s used to measure comparisons of large orgs.</description>
    <externalId>false</externalId>
    <inlineHelpText>Help text for %s, long enough to look like the help admins write.</inlineHelpText>
    <label>%s</label>
    <length>%d</length>
    <required>false</required>
    <trackHistory>false</trackHistory>
    <type>Text</type>
    <unique>false</unique>
</CustomField>
`, name, name, name, strings.TrimSuffix(name, "__c"), length)
}

func classBody(name string, size int) string {
	var b strings.Builder
	b.WriteString("public with sharing class " + name + " {\n    public static Integer answer() {\n        return 0;\n    }\n")
	for i := 0; b.Len() < size; i++ {
		fmt.Fprintf(&b, "\n    // Computes step %d of the generated workload.\n    public static Decimal step%d(Decimal amount, Decimal rate) {\n        Decimal result = amount * rate / 100;\n        return result.setScale(2);\n    }\n", i, i)
	}
	b.WriteString("}\n")
	return b.String()
}

func layoutXML(fields int) string {
	var b strings.Builder
	b.WriteString(xmlHead + "<Layout xmlns=\"http://soap.sforce.com/2006/04/metadata\">\n    <layoutSections>\n        <customLabel>false</customLabel>\n        <detailHeading>false</detailHeading>\n        <editHeading>true</editHeading>\n        <label>Information</label>\n        <layoutColumns>\n")
	for i := 0; i < fields; i++ {
		fmt.Fprintf(&b, "            <layoutItems>\n                <behavior>Edit</behavior>\n                <field>Field%02d__c</field>\n            </layoutItems>\n", i)
	}
	b.WriteString("        </layoutColumns>\n        <style>TwoColumnsTopToBottom</style>\n    </layoutSections>\n</Layout>\n")
	return b.String()
}

func profileXML(fields int, extra bool) string {
	var b strings.Builder
	b.WriteString(xmlHead + "<Profile xmlns=\"http://soap.sforce.com/2006/04/metadata\">\n    <custom>true</custom>\n")
	for i := 0; i < fields; i++ {
		editable := "false"
		if extra && i%97 == 0 {
			editable = "true"
		}
		fmt.Fprintf(&b, "    <fieldPermissions>\n        <editable>%s</editable>\n        <field>Obj%03d__c.Field%02d__c</field>\n        <readable>true</readable>\n    </fieldPermissions>\n", editable, i/20, i%20)
	}
	b.WriteString("    <userLicense>Salesforce</userLicense>\n</Profile>\n")
	return b.String()
}

func labelXML(name, value string) string {
	return fmt.Sprintf("    <labels>\n        <fullName>%s</fullName>\n        <language>en_US</language>\n        <protected>false</protected>\n        <shortDescription>%s</shortDescription>\n        <value>%s</value>\n    </labels>\n", name, name, value)
}

func labelsXML(labels []string) string {
	return xmlHead + "<CustomLabels xmlns=\"http://soap.sforce.com/2006/04/metadata\">\n" + strings.Join(labels, "") + "</CustomLabels>\n"
}

func objectTranslationXML(obj string) string {
	return xmlHead + `<CustomObjectTranslation xmlns="http://soap.sforce.com/2006/04/metadata">
    <caseValues>
        <plural>false</plural>
        <value>` + strings.TrimSuffix(obj, "__c") + `</value>
    </caseValues>
</CustomObjectTranslation>
`
}

func fieldTranslationXML(field, label string) string {
	return xmlHead + `<CustomFieldTranslation xmlns="http://soap.sforce.com/2006/04/metadata">
    <label>` + label + `</label>
    <name>` + field + `</name>
</CustomFieldTranslation>
`
}

func messageChannelXML(label string) string {
	return xmlHead + `<LightningMessageChannel xmlns="http://soap.sforce.com/2006/04/metadata">
    <description>Generated channel</description>
    <isExposed>true</isExposed>
    <masterLabel>` + label + `</masterLabel>
</LightningMessageChannel>
`
}

func featureParameterXML(name string) string {
	return xmlHead + `<FeatureParameterBoolean xmlns="http://soap.sforce.com/2006/04/metadata">
    <dataflowDirection>LmoToSubscriber</dataflowDirection>
    <masterLabel>` + name + `</masterLabel>
    <value>false</value>
</FeatureParameterBoolean>
`
}
