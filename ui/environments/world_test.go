package environments

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	tea "github.com/charmbracelet/bubbletea"
	"github.com/charmbracelet/lipgloss"
	"github.com/muesli/termenv"

	"relman/model"
	"relman/store"
	"relman/ui/actions"
	"relman/ui/common"
	"relman/ui/identity/identitytest"
	"relman/ui/theme"
)

func TestMain(m *testing.M) {
	// Goldens are plain text in UTC, whatever the machine's terminal and zone.
	lipgloss.SetColorProfile(termenv.Ascii)
	time.Local = time.UTC
	m.Run()
}

// t0 is the fixed clock's start.
var t0 = time.Date(2025, 11, 26, 9, 0, 0, 0, time.UTC)

// world is a real store in a temporary directory, copies of the orgs of
// testdata/orgs beside it, and a clock the test moves.
type world struct {
	t   *testing.T
	dir string
	st  *store.Store
	now time.Time
}

func newWorld(t *testing.T) *world {
	t.Helper()
	dir := t.TempDir()
	st, err := store.Open(filepath.Join(dir, "relman.db"))
	if err != nil {
		t.Fatal(err)
	}
	for _, org := range []string{"production", "uat", "dev"} {
		if err := os.CopyFS(filepath.Join(dir, "orgs", org), os.DirFS(filepath.Join("..", "..", "testdata", "orgs", org))); err != nil {
			t.Fatal(err)
		}
	}
	return &world{t: t, dir: dir, st: st, now: t0}
}

// org is the path of a copied org (or of a directory that does not exist).
func (w *world) org(name string) string { return filepath.Join(w.dir, "orgs", name) }

func (w *world) svc() *actions.Service {
	s := identitytest.As(w.t, w.st, "alice")
	s.Now = func() time.Time { return w.now }
	return s
}

func (w *world) tick(d time.Duration) { w.now = w.now.Add(d) }

func (w *world) deps() common.Deps { return common.Deps{Svc: w.svc(), Styles: theme.Default()} }

// addLocal adds a directory environment.
func (w *world) addLocal(name string, kind model.EnvKind, org string) {
	w.t.Helper()
	if _, err := w.svc().AddEnvironment(model.Environment{Name: name, Kind: kind, Connection: model.ConnLocal, Dir: w.org(org)}); err != nil {
		w.t.Fatal(err)
	}
}

// secret is a refresh token no view may ever show.
const secret = "5Aep861TSESvWeug_xvFHRBTTbf_YrTWgEyjBJY"

// seed stores production (tested, OK), uat (never tested), gone (its
// directory does not exist; tested, failed) and a Salesforce org with a
// stored refresh token.
func (w *world) seed() {
	w.t.Helper()
	w.addLocal("production", model.KindProduction, "production")
	w.addLocal("uat", model.KindSandbox, "uat")
	w.addLocal("gone", model.KindSandbox, "gone")
	if _, err := w.svc().AddEnvironment(model.Environment{Name: "acme-prod", Kind: model.KindProduction,
		Connection: model.ConnSalesforce, URL: "https://acme.my.salesforce.com", Auth: model.AuthRefreshToken,
		ClientID: "3MVG9relmanClientId", Credentials: model.Credentials{RefreshToken: secret}}); err != nil {
		w.t.Fatal(err)
	}
	w.tick(time.Hour)
	for _, name := range []string{"production", "gone"} {
		if _, err := w.svc().TestEnvironment(w.t.Context(), name); err != nil {
			w.t.Fatal(err)
		}
	}
	w.tick(20 * time.Minute)
}

// isOutbound reports whether msg leaves the screen under test: for the
// root, or for the other screen of this package.
func isOutbound(msg tea.Msg) bool {
	switch msg.(type) {
	case common.StatusMsg, common.ErrMsg, common.OpenMsg, common.BackMsg, common.FatalMsg, savedMsg:
		return true
	}
	return false
}

// settle runs cmd, feeds every message it yields back into s until nothing
// is left, and returns the outbound ones. Only commands that finish on their
// own may be settled (not a cursor blink).
func settle(t *testing.T, s common.Screen, cmd tea.Cmd) []tea.Msg {
	t.Helper()
	var out []tea.Msg
	queue := []tea.Cmd{cmd}
	for len(queue) > 0 {
		c := queue[0]
		queue = queue[1:]
		if c == nil {
			continue
		}
		switch msg := c().(type) {
		case nil:
		case tea.BatchMsg:
			queue = append(queue, msg...)
		default:
			if isOutbound(msg) {
				out = append(out, msg)
				continue
			}
			_, next := s.Update(msg)
			queue = append(queue, next)
		}
	}
	return out
}

func keyMsg(k string) tea.KeyMsg {
	types := map[string]tea.KeyType{"enter": tea.KeyEnter, "esc": tea.KeyEsc, "up": tea.KeyUp, "down": tea.KeyDown,
		"left": tea.KeyLeft, "right": tea.KeyRight, "tab": tea.KeyTab, "shift+tab": tea.KeyShiftTab,
		"pgup": tea.KeyPgUp, "pgdown": tea.KeyPgDown, "ctrl+s": tea.KeyCtrlS, "ctrl+t": tea.KeyCtrlT, " ": tea.KeySpace}
	if t, ok := types[k]; ok {
		return tea.KeyMsg{Type: t}
	}
	return tea.KeyMsg{Type: tea.KeyRunes, Runes: []rune(k)}
}

// press sends keys and returns the last key's command.
func press(s common.Screen, keys ...string) tea.Cmd {
	var cmd tea.Cmd
	for _, k := range keys {
		_, cmd = s.Update(keyMsg(k))
	}
	return cmd
}

// typeText types text into the focused field; the cursor blinks it starts
// are not run.
func typeText(s common.Screen, text string) {
	for _, r := range text {
		s.Update(tea.KeyMsg{Type: tea.KeyRunes, Runes: []rune{r}})
	}
}

// list builds the list at w×h and loads it.
func (w *world) list(width, height int) *List {
	w.t.Helper()
	m := NewList(w.deps()).(*List)
	m.SetSize(width, height)
	if out := settle(w.t, m, m.Init()); len(out) > 0 {
		w.t.Fatalf("loading sent %v", out)
	}
	return m
}

// scrub replaces the temporary directory in what the list shows, so that
// goldens do not depend on where the test ran.
func (w *world) scrub(m *List) {
	r := strings.NewReplacer(w.dir, "/home/admin")
	for i := range m.envs {
		e := &m.envs[i].env
		e.Dir = r.Replace(e.Dir)
		if e.LastTest != nil {
			t := *e.LastTest
			t.Instance, t.Message = r.Replace(t.Instance), r.Replace(t.Message)
			e.LastTest = &t
		}
	}
}

func names(m *List) []string {
	out := make([]string, len(m.envs))
	for i, e := range m.envs {
		out[i] = e.env.Name
	}
	return out
}
