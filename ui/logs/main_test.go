package logs

import (
	"context"
	"fmt"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/charmbracelet/lipgloss"
	"github.com/charmbracelet/x/exp/golden"
	"github.com/muesli/termenv"

	"relman/ui/common"
	"relman/ui/deploy/deploytest"
)

var (
	fixtureTpl   *deploytest.Template
	fixtureErr   error
	fixtureReady = make(chan struct{})
)

func TestMain(m *testing.M) {
	// Goldens are plain text in UTC, whatever the machine's terminal and zone.
	lipgloss.SetColorProfile(termenv.Ascii)
	time.Local = time.UTC
	dir, err := os.MkdirTemp("", "relman-logs-test")
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	// The fixture waits on simulated orgs for seconds: it is built while
	// the tests that need none run.
	go func() {
		defer close(fixtureReady)
		fixtureTpl, fixtureErr = deploytest.Build(context.Background(), dir, "../../testdata/orgs")
	}()
	code := m.Run()
	<-fixtureReady
	if fixtureTpl != nil {
		fixtureTpl.Close()
	}
	os.RemoveAll(dir)
	os.Exit(code)
}

// fixture is the deployment history of deploytest.Build (eight records,
// their retrieves, checks, validations and deploys), once it is built.
func fixture(t testing.TB) *deploytest.Template {
	t.Helper()
	<-fixtureReady
	if fixtureErr != nil {
		t.Fatal(fixtureErr)
	}
	return fixtureTpl
}

// sizes are the bodies the root gives a screen in terminals of 80×24 and
// 160×48.
var sizes = []struct {
	name string
	w, h int
}{{"80x24", 78, 21}, {"160x48", 158, 45}}

// requireFrame checks a view fits a body of height lines, then its golden.
func requireFrame(t *testing.T, view string, height int) {
	t.Helper()
	if got := len(strings.Split(view, "\n")); got > height {
		t.Errorf("view is %d lines for a body of %d", got, height)
	}
	golden.RequireEqual(t, []byte(deploytest.Stable(view)))
}

// open shows the logs (of record scope, or all when 0) and waits for them.
func open(t *testing.T, deps common.Deps, scope int64, w, h int) (*deploytest.Driver, *Model) {
	t.Helper()
	m := New(deps).(*Model)
	d := deploytest.NewDriver(t, m, w, h)
	d.Init()
	if scope != 0 {
		d.Send(common.ShowMsg{ID: scope})
	}
	d.Until("the logs to load", func() bool { return m.ready && !m.loading })
	return d, m
}

// keys lists the help of the enabled short-help keys: what the footer shows.
func keys(s common.Screen) string {
	var out []string
	for _, b := range s.ShortHelp() {
		if b.Enabled() {
			out = append(out, b.Help().Key+" "+b.Help().Desc)
		}
	}
	return strings.Join(out, " · ")
}
