package environments

import (
	"strings"
	"testing"
	"time"

	tea "github.com/charmbracelet/bubbletea"

	"relman/model"
	"relman/ui/actions"
	"relman/ui/common"
	"relman/ui/uitest"
)

func TestMain(m *testing.M) {
	uitest.PlainGoldens()
	m.Run()
}

// t0 is the fixed clock's start.
var t0 = uitest.T0

// world is uitest's world with copies of the production, uat and dev
// sample orgs, alice acting.
type world struct {
	*uitest.World
	t   *testing.T
	dir string
}

func newWorld(t *testing.T) *world {
	t.Helper()
	u := uitest.NewWorld(t)
	for _, org := range []string{"production", "uat", "dev"} {
		u.Org(org)
	}
	return &world{World: u, t: t, dir: u.Dir}
}

// org is the path of a copied org (or of a directory that does not exist).
func (w *world) org(name string) string { return w.OrgPath(name) }

func (w *world) svc() *actions.Service { return w.As("alice") }

func (w *world) tick(d time.Duration) { w.Tick(d) }

func (w *world) deps() common.Deps { return w.Deps("alice") }

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

// keyMsg is a key press; " " is the space bar.
func keyMsg(k string) tea.KeyMsg {
	if k == " " {
		return uitest.Key("space")
	}
	return uitest.Key(k)
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
