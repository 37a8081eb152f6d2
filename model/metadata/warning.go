package metadata

import (
	"fmt"
	"strings"
)

// Warning is a file relman read in part, left out, or read in a way the
// user should know about: a duplicate resolved by package-directory order,
// a file of no type relman knows compared byte for byte, a file that could
// not be read. Reads never stop at such a file; they report it.
type Warning struct {
	// Path names the file, relative to what was read (the org directory
	// once orgclient has prefixed it).
	Path    string `json:"path"`
	Problem string `json:"problem"`
	// Incomplete is set when the file may hold components of this type that
	// were not read: a comparison must not propose deleting components of
	// that type from the other side.
	Incomplete string `json:"-"`
	// Name is, for a file of an unknown type, the component name its file
	// name suggests: a deletion of a component of that name is not
	// proposed either.
	Name string `json:"-"`
	// Kept is, for a duplicate, the path of the copy kept, which Problem
	// names too.
	Kept string `json:"-"`
}

func (w Warning) Error() string { return w.Path + ": " + w.Problem }

// Prefixed returns w with its path prefixed by dir (unless dir is "." or
// empty).
func (w Warning) Prefixed(dir string) Warning {
	if dir == "" || dir == "." {
		return w
	}
	w.Path = dir + "/" + w.Path
	if w.Kept != "" && !strings.HasPrefix(w.Kept, "/") {
		w.Problem = strings.Replace(w.Problem, w.Kept, dir+"/"+w.Kept, 1)
		w.Kept = dir + "/" + w.Kept
	}
	return w
}

// UnresolvedError carries the warnings of a read. The items returned
// alongside it are complete for every file it does not name, so callers
// warn and go on.
type UnresolvedError struct {
	Warnings []Warning
}

// Error lists every warning, one per line.
func (e *UnresolvedError) Error() string {
	var b strings.Builder
	fmt.Fprintf(&b, "%d warning(s) while reading metadata:", len(e.Warnings))
	for _, w := range e.Warnings {
		b.WriteString("\n  " + w.Error())
	}
	return b.String()
}

// warningsOf returns the warnings as an error, or nil when there are none.
func warningsOf(ws []Warning) error {
	if len(ws) == 0 {
		return nil
	}
	return &UnresolvedError{Warnings: ws}
}

// Incompleteness tells which components a read with warnings may have
// missed. A comparison asks it before proposing a deletion.
type Incompleteness struct {
	types map[string][]string // type → paths of the files not read
	names map[string][]string // component name (last part) → paths
}

// NewIncompleteness collects the incomplete types and names of warnings.
func NewIncompleteness(ws []Warning) Incompleteness {
	in := Incompleteness{types: map[string][]string{}, names: map[string][]string{}}
	for _, w := range ws {
		switch {
		case w.Incomplete != "":
			in.types[w.Incomplete] = append(in.types[w.Incomplete], w.Path)
		case w.Name != "":
			in.names[w.Name] = append(in.names[w.Name], w.Path)
		}
	}
	return in
}

// Unread returns the paths of the files not read that may hold c, or nil
// when the read was complete for c.
func (in Incompleteness) Unread(c Component) []string {
	if ps := in.types[c.Type]; len(ps) > 0 {
		return ps
	}
	if t, ok := typesByName[c.Type]; ok && t.Parent != "" {
		if ps := in.types[t.Parent]; len(ps) > 0 {
			return ps
		}
	}
	name := c.FullName
	if i := strings.LastIndexAny(name, "./"); i >= 0 {
		name = name[i+1:]
	}
	return in.names[name]
}
