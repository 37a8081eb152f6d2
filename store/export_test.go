package store

import (
	"bytes"
	"encoding/csv"
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

// TestCSVNeutralisesFormulas: a value a spreadsheet would run as a formula
// is exported as text.
func TestCSVNeutralisesFormulas(t *testing.T) {
	var evs []model.AuditEvent
	for i, v := range []string{`=HYPERLINK("http://evil","x")`, "+1", "-2+3", "@SUM(A1)", "\t=1", "plain"} {
		ev := model.Change{Entity: model.EntityChangeRequest, EntityID: v, Action: "create"}.Event(v, t0)
		ev.Seq = uint64(i + 1)
		evs = append(evs, ev.Seal(model.GenesisHash))
	}
	var buf bytes.Buffer
	if err := WriteAudit(&buf, evs, "csv"); err != nil {
		t.Fatal(err)
	}
	rows, err := csv.NewReader(&buf).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	for _, row := range rows[1:] {
		user, id := row[2], row[4]
		if user != id {
			t.Errorf("user %q and entity id %q of the same value were exported differently", user, id)
		}
		if user != "plain" && !strings.HasPrefix(user, "'") {
			t.Errorf("cell %q starts a formula", user)
		}
	}
	if last := rows[len(rows)-1][2]; last != "plain" {
		t.Errorf("a harmless value was changed to %q", last)
	}
}
