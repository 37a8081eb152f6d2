package diff

import (
	"bytes"
	"flag"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

var update = flag.Bool("update", false, "rewrite the golden files in testdata/")

func TestWriteUnified(t *testing.T) {
	apexOld := "public with sharing class InvoiceService {\n" +
		"    public static Decimal total(List<Invoice__c> invoices) {\n" +
		"        Decimal sum = 0;\n" +
		"        for (Invoice__c inv : invoices) {\n" +
		"            sum += inv.Amount__c;\n" +
		"        }\n" +
		"        return sum;\n" +
		"    }\n" +
		"\n" +
		"    public static void log(String message) {\n" +
		"        System.debug(message);\n" +
		"    }\n" +
		"}\n"
	apexNew := strings.NewReplacer(
		"sum += inv.Amount__c;", "sum += inv.Net_Amount__c;",
		"System.debug(message);", "System.debug(LoggingLevel.INFO, message);\n        Logger.flush();",
	).Replace(apexOld)
	tests := []struct {
		name     string
		path     string
		old, new string
		opts     Options
		edit     func(*FileDiff)
	}{
		{name: "modified", path: "classes/InvoiceService.cls", old: apexOld, new: apexNew},
		{name: "new_file", path: "classes/Util.cls", new: "public class Util {}\n", edit: func(d *FileDiff) { d.NewFile = true }},
		{name: "deleted_file", path: "classes/Old.cls", old: "public class Old {}\n", edit: func(d *FileDiff) { d.DeletedFile = true }},
		{name: "no_newline", path: "labels/CustomLabels.labels-meta.xml", old: "<a>\n<b>x</b>\n</a>", new: "<a>\n<b>y</b>\n</a>"},
		{name: "binary", path: "staticresources/logo.png", old: "\x89PNG\x00a", new: "\x89PNG\x00b"},
		{name: "whitespace_hidden", path: "classes/InvoiceService.cls", old: apexOld,
			new: strings.ReplaceAll(strings.Replace(apexNew, "return sum;", "return  sum; ", 1), "    ", "\t"), opts: wsOnly},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			d, err := Lines(tt.path, []byte(tt.old), []byte(tt.new), 3, tt.opts)
			if err != nil {
				t.Fatal(err)
			}
			if tt.edit != nil {
				tt.edit(&d)
			}
			var buf bytes.Buffer
			if err := WriteUnified(&buf, d, "a", "b"); err != nil {
				t.Fatal(err)
			}
			golden := filepath.Join("testdata", "unified", tt.name+".golden")
			if *update {
				if err := os.MkdirAll(filepath.Dir(golden), 0o755); err != nil {
					t.Fatal(err)
				}
				if err := os.WriteFile(golden, buf.Bytes(), 0o644); err != nil {
					t.Fatal(err)
				}
			}
			want, err := os.ReadFile(golden)
			if err != nil {
				t.Fatalf("%v (run go test ./diff -run TestWriteUnified -update to create it)", err)
			}
			if buf.String() != string(want) {
				t.Errorf("got\n%s\nwant\n%s", buf.String(), want)
			}
		})
	}
}

func TestWriteUnifiedNothing(t *testing.T) {
	var buf bytes.Buffer
	if err := WriteUnified(&buf, FileDiff{Path: "a.cls", Hidden: 4}, "a", "b"); err != nil || buf.Len() != 0 {
		t.Errorf("wrote %q, %v for a diff without hunks", buf.String(), err)
	}
}

type failWriter struct{}

func (failWriter) Write([]byte) (int, error) { return 0, errString("disk full") }

func TestWriteUnifiedError(t *testing.T) {
	d, err := Lines("a.txt", []byte("a\n"), []byte("b\n"), 3, Options{})
	if err != nil {
		t.Fatal(err)
	}
	if err := WriteUnified(failWriter{}, d, "a", "b"); err == nil || err.Error() != "disk full" {
		t.Errorf("error %v, want disk full", err)
	}
}
