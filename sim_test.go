package main

import (
	"bufio"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

// simOrg is a `relman sim` process serving a copy of a sample org.
type simOrg struct {
	url, token, refresh string
}

// startSim runs `relman sim` on a copy of testdata/orgs/NAME and reads the
// three lines it promises (cli.md) before serving.
func startSim(t *testing.T, name string, extra ...string) simOrg {
	t.Helper()
	return startSimProcess(t, append([]string{"sim", "--dir", copyOrg(t, name), "--test-ms", "5"}, extra...))
}

// startSimProcess runs relman with args (a sim command line) and reads the
// three lines it prints before serving.
func startSimProcess(t testing.TB, args []string) simOrg {
	t.Helper()
	self, err := os.Executable()
	if err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command(self, args...)
	cmd.Env = append(os.Environ(), "RELMAN_BE_MAIN=1")
	out, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	cmd.Stderr = os.Stderr
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		_ = cmd.Process.Signal(os.Interrupt)
		_ = cmd.Wait()
	})
	lines := map[string]string{}
	sc := bufio.NewScanner(out)
	for len(lines) < 3 && sc.Scan() {
		k, v, _ := strings.Cut(sc.Text(), "=")
		lines[k] = v
	}
	s := simOrg{url: lines["instance_url"], token: lines["access_token"], refresh: lines["refresh_token"]}
	if !strings.HasPrefix(s.url, "http://127.0.0.1:") || s.token == "" || s.refresh == "" {
		t.Fatalf("relman sim printed %v", lines)
	}
	return s
}

// TestEnvironmentsOnASimulatedOrg adds Salesforce environments that reach a
// simulated org through the real client (access token and refresh token),
// tests them, refuses a wrong token clearly, and compares the org with a
// directory exactly as two directories compare.
func TestEnvironmentsOnASimulatedOrg(t *testing.T) {
	org := startSim(t, "production")
	c := newCLI(t, filepath.Join(t.TempDir(), "relman.db"))
	c.ok("alice", nil, "env", "add", "prod", "--kind", "production", "--url", org.url, "--auth", "access-token", "--token", org.token)
	c.ok("alice", nil, "env", "add", "prod-refresh", "--kind", "production", "--url", org.url,
		"--auth", "refresh-token", "--refresh-token", org.refresh, "--client-id", "relman")
	c.ok("alice", nil, "env", "add", "wrong", "--kind", "production", "--url", org.url, "--auth", "access-token", "--token", "00D000000000001!wrong")
	for _, env := range []string{"prod", "prod-refresh"} {
		var res struct {
			OK         bool   `json:"ok"`
			OrgID      string `json:"orgId"`
			User       string `json:"user"`
			APIVersion string `json:"apiVersion"`
		}
		c.ok("alice", &res, "env", "test", env)
		if !res.OK || !strings.HasPrefix(res.OrgID, "00D") || res.User == "" || res.APIVersion == "" {
			t.Fatalf("env test %s = %+v", env, res)
		}
	}
	msg := c.refused("alice", 1, "RelmanError", "env", "test", "wrong")
	if !strings.Contains(msg, "access token") || strings.Contains(msg, "00D000000000001!wrong") {
		t.Fatalf("wrong-token message: %q", msg)
	}

	type compared struct {
		Summary    map[string]int `json:"summary"`
		Components []struct {
			Type, FullName, Status string
		} `json:"components"`
	}
	var viaOrg, viaDirs compared
	uat := copyOrg(t, "uat")
	c.ok("alice", &viaOrg, "compare", uat, "prod")
	c.ok("alice", &viaDirs, "compare", uat, filepath.Join("testdata", "orgs", "production"))
	if len(viaOrg.Components) != len(viaDirs.Components) || len(viaOrg.Components) == 0 {
		t.Fatalf("org compare has %d components, directory compare %d", len(viaOrg.Components), len(viaDirs.Components))
	}
	for i := range viaOrg.Components {
		if viaOrg.Components[i] != viaDirs.Components[i] {
			t.Errorf("component %d: via the org %+v, via directories %+v", i, viaOrg.Components[i], viaDirs.Components[i])
		}
	}
}
