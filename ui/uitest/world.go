package uitest

import (
	"os"
	"path/filepath"
	"runtime"
	"testing"
	"time"

	"github.com/charmbracelet/lipgloss"
	"github.com/muesli/termenv"

	"relman/model"
	"relman/store"
	"relman/ui/actions"
	"relman/ui/common"
	"relman/ui/identity/identitytest"
	"relman/ui/theme"
)

// T0 is the start of every world's clock.
var T0 = time.Date(2025, 11, 26, 9, 0, 0, 0, time.UTC)

// PlainGoldens makes goldens plain text in UTC, whatever the machine's
// terminal and zone; a package's TestMain calls it first.
func PlainGoldens() {
	lipgloss.SetColorProfile(termenv.Ascii)
	time.Local = time.UTC
}

// World is a real store in a temporary directory, copies of the sample
// orgs (testdata/orgs) beside it made on demand, and a clock the test
// moves; users act through identitytest's keys.
type World struct {
	TB  testing.TB
	Dir string
	St  *store.Store
	Now time.Time
}

// NewWorld opens an empty store in a temporary directory, clock at T0.
func NewWorld(tb testing.TB) *World {
	tb.Helper()
	dir := tb.TempDir()
	st, err := store.Open(filepath.Join(dir, "relman.db"))
	if err != nil {
		tb.Fatal(err)
	}
	return &World{TB: tb, Dir: dir, St: st, Now: T0}
}

// samples is testdata/orgs of the repository, found from this file so any
// package's test can use it.
func samples() string {
	_, file, _, _ := runtime.Caller(0)
	return filepath.Join(filepath.Dir(file), "..", "..", "testdata", "orgs")
}

// OrgPath is where the copy of sample org name is (or would be).
func (w *World) OrgPath(name string) string { return filepath.Join(w.Dir, "orgs", name) }

// Org copies sample org name into the world, once, and returns its folder.
func (w *World) Org(name string) string {
	w.TB.Helper()
	dir := w.OrgPath(name)
	if _, err := os.Stat(dir); err == nil {
		return dir
	}
	if err := os.CopyFS(dir, os.DirFS(filepath.Join(samples(), name))); err != nil {
		w.TB.Fatal(err)
	}
	return dir
}

// As is the use cases acting as user (registered with every role on first
// use) on the world's clock.
func (w *World) As(user string) *actions.Service {
	svc := identitytest.As(w.TB, w.St, user)
	svc.Now = func() time.Time { return w.Now }
	return svc
}

// Tick moves the clock on.
func (w *World) Tick(d time.Duration) { w.Now = w.Now.Add(d) }

// Deps is what a screen needs, acting as user.
func (w *World) Deps(user string) common.Deps {
	return common.Deps{Svc: w.As(user), Styles: theme.Default()}
}

// AddLocal adds the directory environment name of kind over a copy of
// sample org, as alice.
func (w *World) AddLocal(name string, kind model.EnvKind, org string) {
	w.TB.Helper()
	if _, err := w.As("alice").AddEnvironment(model.Environment{Name: name, Kind: kind, Connection: model.ConnLocal, Dir: w.Org(org)}); err != nil {
		w.TB.Fatal(err)
	}
}
