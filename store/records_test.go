package store

import (
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"slices"
	"strings"
	"testing"

	"relman/model"
	"relman/model/metadata"
)

func TestDeploymentsLogsAndCompareLogs(t *testing.T) {
	s := openTest(t)
	comp := metadata.Component{Type: "ApexClass", FullName: "InvoiceService"}
	mustUpdate(t, s, func(tx *Tx) error {
		for cr := int64(1); cr <= 2; cr++ {
			for range 2 {
				id, err := tx.NextDeploymentID()
				if err != nil {
					return err
				}
				if err := tx.PutDeployment(model.DeploymentRecord{ID: id, CR: cr, Components: []metadata.Component{comp}}); err != nil {
					return err
				}
				lid, _ := tx.NextLogID()
				if err := tx.PutLog(model.DeploymentLog{ID: lid, Deployment: id, Kind: model.LogDeploy}); err != nil {
					return err
				}
			}
			cid, _ := tx.NextCompareLogID()
			if err := tx.PutCompareLog(model.CompareLog{ID: cid, CR: cr, Counts: map[model.Category]int{model.Same: 3}}); err != nil {
				return err
			}
		}
		return nil
	})
	mustView(t, s, func(tx *Tx) error {
		ds, err := tx.ListDeployments(2)
		if err != nil {
			return err
		}
		if got := ids(ds, func(d model.DeploymentRecord) int64 { return d.ID }); !slices.Equal(got, []int64{3, 4}) {
			t.Errorf("ListDeployments(2) = %v, want [3 4]", got)
		}
		if all, _ := tx.ListDeployments(0); len(all) != 4 || all[0].Components[0] != comp {
			t.Errorf("ListDeployments(0) = %+v", all)
		}
		ls, _ := tx.ListLogs(3)
		if got := ids(ls, func(l model.DeploymentLog) int64 { return l.ID }); !slices.Equal(got, []int64{3}) {
			t.Errorf("ListLogs(3) = %v, want [3]", got)
		}
		if all, _ := tx.ListLogs(0); len(all) != 4 {
			t.Errorf("ListLogs(0) has %d logs, want 4", len(all))
		}
		cs, _ := tx.ListCompareLogs(1)
		if len(cs) != 1 || cs[0].Counts[model.Same] != 3 {
			t.Errorf("ListCompareLogs(1) = %+v", cs)
		}
		if all, _ := tx.ListCompareLogs(0); len(all) != 2 {
			t.Errorf("ListCompareLogs(0) has %d, want 2", len(all))
		}
		for name, err := range map[string]error{
			"DR-0099": second(tx.Deployment(99)),
			"log 99":  second(tx.Log(99)),
			"CL-0099": second(tx.CompareLog(99)),
		} {
			if !errors.Is(err, ErrNotFound) || !strings.Contains(err.Error(), name) {
				t.Errorf("missing %s: %v", name, err)
			}
		}
		return nil
	})
	err := s.Update(func(tx *Tx) error { return tx.PutLog(model.DeploymentLog{Deployment: 1}) })
	if err == nil || !strings.Contains(err.Error(), "NextLogID") {
		t.Errorf("PutLog without an id = %v, want a refusal pointing at NextLogID", err)
	}
}

func TestBlobs(t *testing.T) {
	s := openTest(t)
	data := []byte("PK\x03\x04 package.xml and classes")
	var key, again string
	mustUpdate(t, s, func(tx *Tx) error {
		var err error
		if key, err = tx.PutBlob(data); err != nil {
			return err
		}
		data[0] = 'X' // the caller reuses its buffer before the commit
		again, err = tx.PutBlob([]byte("PK\x03\x04 package.xml and classes"))
		return err
	})
	if sum := sha256.Sum256([]byte("PK\x03\x04 package.xml and classes")); key != hex.EncodeToString(sum[:]) {
		t.Errorf("key = %q, want the SHA-256 of the bytes", key)
	}
	if again != key {
		t.Errorf("same bytes stored under %s and %s", key, again)
	}
	mustView(t, s, func(tx *Tx) error {
		b, err := tx.Blob(key)
		if err != nil || string(b) != "PK\x03\x04 package.xml and classes" {
			t.Errorf("Blob = %q, %v", b, err)
		}
		if _, err := tx.Blob("feed"); !errors.Is(err, ErrNotFound) {
			t.Errorf("Blob(feed) = %v, want ErrNotFound", err)
		}
		return nil
	})
}

func ids[T any](xs []T, id func(T) int64) []int64 {
	var out []int64
	for _, x := range xs {
		out = append(out, id(x))
	}
	return out
}

func second[T any](_ T, err error) error { return err }
