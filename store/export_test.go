package store

import (
	"bytes"
	"flag"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"relman/model"
)

var update = flag.Bool("update", false, "rewrite the golden files in testdata")

// exportEvents is a short chain with values that need quoting in every format.
func exportEvents() []model.AuditEvent {
	changes := []model.Change{
		{Entity: model.EntityChangeRequest, EntityID: "CR-0001", Action: "create", Details: map[string]string{"name": `Add "Region" field, v2`}},
		{Entity: model.EntityChangeRequest, EntityID: "CR-0001", Action: "reject",
			Details: map[string]string{"comment": "needs a test | see line 2\nsecond line", "approver": "bob"}},
		{Entity: model.EntityEnvironment, EntityID: "prod", Action: "test"},
	}
	var out []model.AuditEvent
	prev := model.GenesisHash
	for i, c := range changes {
		ev := c.Event([]string{"alice", "bob", "carol"}[i], t0.Add(time.Duration(i)*90*time.Second).In(time.FixedZone("CET", 3600)))
		ev.Seq = uint64(i + 1)
		ev = ev.Seal(prev)
		prev = ev.Hash
		out = append(out, ev)
	}
	return out
}

func TestWriteAuditGolden(t *testing.T) {
	for _, format := range []string{"csv", "json", "md"} {
		t.Run(format, func(t *testing.T) {
			var buf bytes.Buffer
			if err := WriteAudit(&buf, exportEvents(), format); err != nil {
				t.Fatal(err)
			}
			golden := filepath.Join("testdata", "audit."+format)
			if *update {
				if err := os.WriteFile(golden, buf.Bytes(), 0o644); err != nil {
					t.Fatal(err)
				}
			}
			want, err := os.ReadFile(golden)
			if err != nil {
				t.Fatalf("%v (run go test ./store/ -run TestWriteAuditGolden -update)", err)
			}
			if !bytes.Equal(buf.Bytes(), want) {
				t.Errorf("%s export differs from %s:\n%s", format, golden, buf.String())
			}
		})
	}
}

func TestWriteAuditEmptyAndUnknown(t *testing.T) {
	var buf bytes.Buffer
	if err := WriteAudit(&buf, nil, "json"); err != nil || buf.String() != "[]\n" {
		t.Errorf("empty json export = %q, %v", buf.String(), err)
	}
	err := WriteAudit(&buf, nil, "xml")
	if err == nil || !strings.Contains(err.Error(), `"xml"`) || !strings.Contains(err.Error(), "csv, json or md") {
		t.Errorf("unknown format error = %v", err)
	}
}
