package model

import (
	"time"

	"relman/model/metadata"
)

// EntitySnapshot names org snapshots in audit events.
const EntitySnapshot = "snapshot"

// PrefixSnapshot is the prefix of snapshot ids ("SN-3").
const PrefixSnapshot = "SN"

// OrgSnapshot is what `relman monitor` saw of an environment at one time.
// Its entries are kept apart (store: content-addressed chunks shared with
// other snapshots), so the record itself stays small.
type OrgSnapshot struct {
	ID         int64     `json:"id"`
	Env        string    `json:"env"`
	TakenAt    time.Time `json:"takenAt"`
	TakenBy    string    `json:"takenBy"`
	Components int       `json:"components"`
	// Chunks are the blob keys of the entry chunks, in component order.
	Chunks []string `json:"chunks"`
	// AuditTrail is set when the org's Setup Audit Trail was read.
	AuditTrail bool `json:"auditTrail,omitempty"`
	// Baseline is set on an environment's first snapshot: nothing to
	// compare with, so no change logs.
	Baseline bool `json:"baseline,omitempty"`
	Changes  int  `json:"changes"`
}

// Key is the snapshot's id as users see it, e.g. "SN-0003".
func (s OrgSnapshot) Key() string { return FormatID(PrefixSnapshot, s.ID) }

// SnapshotEntry is one component in a snapshot: the blob of each of its
// files' content, a hash over them all, and who last modified it and when
// as the org reports it.
type SnapshotEntry struct {
	Component  metadata.Component `json:"c"`
	Hash       string             `json:"h"`
	Files      map[string]string  `json:"f"`
	ModifiedAt time.Time          `json:"at,omitzero"`
	ModifiedBy string             `json:"by,omitempty"`
}

// SnapshotChange is one difference between two snapshots.
type SnapshotChange struct {
	Kind   ChangeKind
	Before *SnapshotEntry
	After  *SnapshotEntry
}

// Component is the component that changed.
func (c SnapshotChange) Component() metadata.Component {
	if c.After != nil {
		return c.After.Component
	}
	return c.Before.Component
}

// CompareSnapshots lists what was added, changed (content hash differs) and
// deleted from prev to next; both are sorted by component, as snapshots
// store them, and so is the result.
func CompareSnapshots(prev, next []SnapshotEntry) []SnapshotChange {
	var out []SnapshotChange
	i, j := 0, 0
	for i < len(prev) || j < len(next) {
		switch {
		case j == len(next) || (i < len(prev) && prev[i].Component.Less(next[j].Component)):
			out = append(out, SnapshotChange{Kind: KindDeleted, Before: &prev[i]})
			i++
		case i == len(prev) || next[j].Component.Less(prev[i].Component):
			out = append(out, SnapshotChange{Kind: KindAdded, After: &next[j]})
			j++
		default:
			if prev[i].Hash != next[j].Hash {
				out = append(out, SnapshotChange{Kind: KindChanged, Before: &prev[i], After: &next[j]})
			}
			i++
			j++
		}
	}
	return out
}
