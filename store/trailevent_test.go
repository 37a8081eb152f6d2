package store

import (
	"encoding/json"
	"maps"
	"testing"

	"relman/model"
)

// TestDecodeTrailEventAgreesWithJSON: the direct reading of the canonical
// encoding and encoding/json read every event alike, escapes included.
func TestDecodeTrailEventAgreesWithJSON(t *testing.T) {
	for _, ev := range []model.AuditEvent{
		{Seq: 1, User: "alice", Entity: model.EntityUser, EntityID: "alice", Action: "add", Details: map[string]string{"key": "ssh-ed25519 AAAA+/=", "roles": "admin"}},
		{Seq: 2, User: "bob", Entity: model.EntityChangeRequest, EntityID: "CR-0001", Action: "edit", States: map[string]string{"cr/CR-0001": "abc", "deployment/DR-1": model.StateAbsent}},
		{Seq: 3, User: "b\"o\\b", Entity: "cr", EntityID: "<é>\n", Action: "a\u2028", Details: map[string]string{"x\"": "\x00y"}, States: map[string]string{"cr/\"": "s"}},
		{Seq: 4, User: "carol", Entity: "cr", EntityID: "", Action: "", Details: map[string]string{}},
	} {
		canonical := ev.Canonical()
		var got trailEvent
		if _, err := decodeTrailEvent(canonical, &got, nil); err != nil {
			t.Fatalf("%s: %v", canonical, err)
		}
		var want struct {
			User, Entity, EntityID, Action string
			Details                        map[string]string
			States                         map[string]string
		}
		if err := json.Unmarshal(canonical, &want); err != nil {
			t.Fatal(err)
		}
		details, err := got.details()
		if err != nil {
			t.Fatal(err)
		}
		states := map[string]string{}
		for _, s := range got.States {
			states[string(s.key)] = string(s.state)
		}
		if string(got.User) != want.User || string(got.Entity) != want.Entity || string(got.EntityID) != want.EntityID ||
			string(got.Action) != want.Action || !maps.Equal(details, want.Details) || !maps.Equal(states, want.States) ||
			(got.States == nil) != (want.States == nil) {
			t.Errorf("%s: read as %+v, encoding/json reads %+v", canonical, got, want)
		}
	}
	var ev trailEvent
	if _, err := decodeTrailEvent([]byte(`{"seq":1,"user":`), &ev, nil); err == nil {
		t.Error("a cut-off encoding decoded")
	}
}
