package deploy

import (
	"context"
	"fmt"
	"os"
	"testing"
	"time"

	"github.com/charmbracelet/lipgloss"
	"github.com/muesli/termenv"

	"relman/ui/common"
	"relman/ui/deploy/deploytest"
)

// samples are the sample orgs the simulated ones serve copies of.
const samples = "../../testdata/orgs"

var (
	fixtureTpl   *deploytest.Template
	fixtureErr   error
	fixtureReady = make(chan struct{})
)

func TestMain(m *testing.M) {
	// Goldens are plain text in UTC, whatever the machine's terminal and zone.
	lipgloss.SetColorProfile(termenv.Ascii)
	time.Local = time.UTC
	dir, err := os.MkdirTemp("", "relman-deploy-test")
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	// The fixture waits on simulated orgs for seconds: it is built while
	// the tests that need none run.
	go func() {
		defer close(fixtureReady)
		fixtureTpl, fixtureErr = deploytest.Build(context.Background(), dir, samples)
	}()
	code := m.Run()
	<-fixtureReady
	if fixtureTpl != nil {
		fixtureTpl.Close()
	}
	os.RemoveAll(dir)
	os.Exit(code)
}

// fixture is the deployment history of deploytest.Build, once it is built.
func fixture(t testing.TB) *deploytest.Template {
	t.Helper()
	<-fixtureReady
	if fixtureErr != nil {
		t.Fatal(fixtureErr)
	}
	return fixtureTpl
}

// depsAs returns dependencies on a private copy of the fixture, acting as user.
func depsAs(t testing.TB, user string) common.Deps { return fixture(t).Deps(t, user) }

// isolated is depsAs with simulated orgs of the test's own.
func isolated(t testing.TB, user string) common.Deps { return fixture(t).Isolated(t, user) }
