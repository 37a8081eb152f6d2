package sim

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"time"

	"relman/model/metadata"
	"relman/orgclient/local"
)

// AdminSidecar is a file in the org's directory whose first line names who
// makes the out-of-band edits noticed while it exists, overriding
// Config.AdminName: a test or a demo edits a file, writes the sidecar, and
// the org reports that person as lastModifiedByName.
const AdminSidecar = ".sim-admin"

// DefaultAdminName is who out-of-band edits are attributed to by default,
// and the name the simulator's API user goes by.
const DefaultAdminName = "Sim Admin"

// maxAdminName bounds the sidecar's name as shown by the org.
const maxAdminName = 80

// tracker notices edits made to the org's directory behind the simulator's
// back ("in Setup"): it keeps each component's content hash as last seen,
// so listMetadata can report a changed component with a new
// lastModifiedDate and lastModifiedByName, and a removed one in the Setup
// Audit Trail. Guarded by Server.modMu.
type tracker struct {
	hashes map[metadata.Component]string
	by     map[metadata.Component]string
	trail  []trailRow
}

// trailRow is one SetupAuditTrail record.
type trailRow struct {
	id, action, section, display, by string
	at                               time.Time
}

func itemHash(it metadata.Item) (string, error) {
	files, err := readFiles(it)
	if err != nil {
		return "", err
	}
	paths := make([]string, 0, len(files))
	for p := range files {
		paths = append(paths, p)
	}
	slices.Sort(paths)
	h := sha256.New()
	for _, p := range paths {
		h.Write([]byte(p))
		h.Write([]byte{0})
		h.Write(files[p])
		h.Write([]byte{0})
	}
	return hex.EncodeToString(h.Sum(nil)), nil
}

// adminName is who an out-of-band edit noticed now is attributed to.
func (s *Server) adminName() string {
	if b, err := os.ReadFile(filepath.Join(s.cfg.Dir, AdminSidecar)); err == nil {
		line, _, _ := strings.Cut(string(b[:min(len(b), 4*maxAdminName)]), "\n")
		if line = strings.TrimSpace(line); line != "" {
			return string([]rune(line)[:min(len([]rune(line)), maxAdminName)])
		}
	}
	if s.cfg.AdminName != "" {
		return s.cfg.AdminName
	}
	return DefaultAdminName
}

// rememberContent records the current content of every component as seen:
// the baseline against which out-of-band edits are noticed.
func (s *Server) rememberContent(ctx context.Context) error {
	items, err := s.readOrg(ctx, local.Filter{})
	if err != nil {
		return err
	}
	hashes := make(map[metadata.Component]string, len(items))
	for _, it := range items {
		if hashes[it.Component], err = itemHash(it); err != nil {
			return err
		}
	}
	s.modMu.Lock()
	defer s.modMu.Unlock()
	s.track.hashes = hashes
	s.track.by = map[metadata.Component]string{}
	return nil
}

// listNoticing reads the components of type typ and notices out-of-band
// edits among them, under one read lock: a deploy cannot slip in between
// the read and the comparison and be taken for an edit.
func (s *Server) listNoticing(ctx context.Context, typ string) ([]metadata.Item, error) {
	s.orgMu.RLock()
	defer s.orgMu.RUnlock()
	items, err := s.readOrgLocked(ctx, local.Filter{Types: []string{typ}})
	if err != nil {
		return nil, err
	}
	return items, s.noticeEdits(items, []string{typ})
}

// noticeEdits compares the listed items of types with the content last
// seen: a changed or new component was edited out of band now; a
// component of those types that is gone was deleted in Setup, which the
// Setup Audit Trail records.
func (s *Server) noticeEdits(items []metadata.Item, types []string) error {
	hashes := make(map[metadata.Component]string, len(items))
	for _, it := range items {
		h, err := itemHash(it)
		if err != nil {
			return err
		}
		hashes[it.Component] = h
	}
	s.modMu.Lock()
	defer s.modMu.Unlock()
	if s.track.hashes == nil {
		return nil
	}
	now := s.now()
	var who string
	name := func() string {
		if who == "" {
			who = s.adminName()
		}
		return who
	}
	for c, h := range hashes {
		if old, ok := s.track.hashes[c]; !ok || old != h {
			s.track.hashes[c] = h
			s.changed[c] = now
			s.track.by[c] = name()
			action, verb := "changed", "Changed"
			if !ok {
				action, verb = "created", "Created"
			}
			s.track.trail = append(s.track.trail, s.trailRow(action+c.Type, verb, c, name(), now))
		}
	}
	var gone []metadata.Component
	for c := range s.track.hashes {
		if _, ok := hashes[c]; !ok && slices.Contains(types, c.Type) {
			gone = append(gone, c)
		}
	}
	metadata.SortComponents(gone)
	for _, c := range gone {
		delete(s.track.hashes, c)
		delete(s.changed, c)
		delete(s.track.by, c)
		s.track.trail = append(s.track.trail, s.trailRow("deleted"+c.Type, "Deleted", c, name(), now))
	}
	return nil
}

func (s *Server) trailRow(action, verb string, c metadata.Component, by string, at time.Time) trailRow {
	id := sfID("0Ym", "8d0000"+hashedBody("trail:"+action+c.String()+at.String(), 6))
	return trailRow{id: id, action: action, section: "Customize", display: verb + " " + c.Type + " " + c.FullName, by: by, at: at}
}

// deployed records what a deploy wrote as seen, so it is not taken for an
// out-of-band edit. Called with modMu held.
func (s *Server) deployed(written []metadata.Item, deleted []metadata.Component) {
	if s.track.hashes == nil {
		return
	}
	for _, it := range written {
		if h, err := itemHash(it); err == nil {
			s.track.hashes[it.Component] = h
		}
		delete(s.track.by, it.Component)
	}
	for _, c := range deleted {
		delete(s.track.hashes, c)
		delete(s.track.by, c)
	}
}

// modifiedBy is who last modified c as the org reports it.
func (s *Server) modifiedBy(c metadata.Component) string {
	s.modMu.Lock()
	defer s.modMu.Unlock()
	if by, ok := s.track.by[c]; ok {
		return by
	}
	return DefaultAdminName
}

// setupAuditTrailRecords answers SOQL on SetupAuditTrail: the out-of-band
// edits noticed so far, oldest first.
func (s *Server) setupAuditTrailRecords(context.Context) ([]*sobjectRecord, error) {
	s.modMu.Lock()
	defer s.modMu.Unlock()
	out := make([]*sobjectRecord, 0, len(s.track.trail))
	for _, r := range s.track.trail {
		user := &sobjectRecord{typ: "User", id: s.userID, values: map[string]any{"Id": s.userID, "Name": r.by, "Username": s.user}}
		out = append(out, &sobjectRecord{typ: "SetupAuditTrail", id: r.id, values: map[string]any{
			"Id": r.id, "Action": r.action, "Section": r.section, "Display": r.display, "CreatedDate": sfDate(r.at),
			"CreatedById": s.userID, "CreatedBy": user, "DelegateUser": nil,
		}})
	}
	return out, nil
}
