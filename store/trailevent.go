package store

import (
	"bytes"
	"encoding/json"
)

// trailEvent is what verify reads of an event's canonical encoding. Its
// fields point into the stored value (bbolt memory, valid for the
// transaction), so reading a million events allocates next to nothing.
type trailEvent struct {
	User, Entity, EntityID, Action []byte
	// Details is the raw JSON object, decoded only for the events that
	// need it (user events, server-signed events).
	Details []byte
	// States is nil for events before schema v5.
	States []statePair
}

type statePair struct{ key, state []byte }

// decodeTrailEvent reads canonical into ev, appending its states to pairs
// (ev.States is then the end of the returned pairs: verify reuses one
// array for a batch of events). The canonical encoding
// (model.AuditEvent.Canonical) is compact JSON in a fixed field order;
// readCanonical takes the common case — plain printable ASCII strings —
// directly, and anything else (escapes, other bytes, another shape) goes
// through encoding/json, so both read every encoding the same way.
func decodeTrailEvent(canonical []byte, ev *trailEvent, pairs []statePair) ([]statePair, error) {
	if pairs, ok := readCanonical(canonical, ev, pairs); ok {
		return pairs, nil
	}
	var j struct {
		User     string            `json:"user"`
		Entity   string            `json:"entity"`
		EntityID string            `json:"entityId"`
		Action   string            `json:"action"`
		Details  json.RawMessage   `json:"details"`
		States   map[string]string `json:"states"`
	}
	if err := json.Unmarshal(canonical, &j); err != nil {
		return pairs, err
	}
	*ev = trailEvent{User: []byte(j.User), Entity: []byte(j.Entity), EntityID: []byte(j.EntityID), Action: []byte(j.Action), Details: j.Details}
	if j.States != nil {
		ev.States = make([]statePair, 0, len(j.States))
		for k, v := range j.States {
			ev.States = append(ev.States, statePair{[]byte(k), []byte(v)})
		}
	}
	return pairs, nil
}

// canonicalReader walks a canonical encoding; ok turns false at the first
// byte it does not expect, and stays false.
type canonicalReader struct {
	b  []byte
	i  int
	ok bool
}

func readCanonical(b []byte, ev *trailEvent, pairs []statePair) ([]statePair, bool) {
	r := canonicalReader{b: b, ok: true}
	r.lit(`{"seq":`)
	for r.ok && r.i < len(b) && b[r.i] >= '0' && b[r.i] <= '9' {
		r.i++
	}
	r.lit(`,"time":`)
	r.str()
	r.lit(`,"user":`)
	ev.User = r.str()
	r.lit(`,"entity":`)
	ev.Entity = r.str()
	r.lit(`,"entityId":`)
	ev.EntityID = r.str()
	r.lit(`,"action":`)
	ev.Action = r.str()
	r.lit(`,"details":`)
	from := r.i
	r.object(nil)
	ev.Details = b[from:r.i]
	ev.States = nil
	if r.ok && bytes.HasPrefix(b[r.i:], []byte(`,"states":`)) {
		r.i += len(`,"states":`)
		from := len(pairs)
		r.object(func(k, v []byte) { pairs = append(pairs, statePair{k, v}) })
		ev.States = pairs[from:len(pairs):len(pairs)]
	}
	r.lit("}")
	return pairs, r.ok && r.i == len(b)
}

func (r *canonicalReader) lit(s string) {
	if r.ok && bytes.HasPrefix(r.b[r.i:], []byte(s)) {
		r.i += len(s)
		return
	}
	r.ok = false
}

// str reads a string of printable ASCII without escapes and returns its
// contents.
func (r *canonicalReader) str() []byte {
	r.lit(`"`)
	from := r.i
	for r.ok && r.i < len(r.b) && r.b[r.i] != '"' {
		if c := r.b[r.i]; c < 0x20 || c > 0x7e || c == '\\' {
			r.ok = false
		}
		r.i++
	}
	s := r.b[from:r.i]
	r.lit(`"`)
	return s
}

// object reads a JSON object of strings, calling pair for each.
func (r *canonicalReader) object(pair func(k, v []byte)) {
	r.lit("{")
	for first := true; r.ok && r.i < len(r.b) && r.b[r.i] != '}'; first = false {
		if !first {
			r.lit(",")
		}
		k := r.str()
		r.lit(":")
		v := r.str()
		if r.ok && pair != nil {
			pair(k, v)
		}
	}
	r.lit("}")
}

// details decodes ev's details.
func (ev *trailEvent) details() (map[string]string, error) {
	if len(ev.Details) == 0 {
		return nil, nil
	}
	var d map[string]string
	err := json.Unmarshal(ev.Details, &d)
	return d, err
}
