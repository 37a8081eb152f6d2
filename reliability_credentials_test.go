package main

import (
	"bytes"
	"regexp"
	"strings"
	"sync"
	"testing"

	"relman/model"
)

// runStdin runs one relman command as user with stdin and extra
// environment variables.
func (c relmanCLI) runStdin(user, stdin string, extra []string, args ...string) result {
	c.t.Helper()
	return c.runInput(append(c.env(user), extra...), stdin, args...)
}

// Secrets come from environment variables or stdin, never from argv; the
// old flags still work but warn. Plain http is refused for anything but
// this computer.
func TestSecretsOutOfArgv(t *testing.T) {
	t.Parallel()
	c := newCLI(t, tempStore(t))
	org := startSim(t, "uat", "--kind", "sandbox")
	r := c.runStdin("alice", org.refresh+"\n", nil, "env", "add", "viastdin", "--kind", "sandbox", "--url", org.url,
		"--auth", "refresh-token", "--client-id", "relman", "--refresh-token-stdin", "--json")
	if r.code != 0 || strings.Contains(r.stderr, "warning") {
		t.Fatalf("env add with --refresh-token-stdin: exit %d\n%s%s", r.code, r.stdout, r.stderr)
	}
	r = c.runStdin("alice", "", []string{"RELMAN_REFRESH_TOKEN=" + org.refresh}, "env", "add", "viaenv", "--kind", "sandbox", "--url", org.url,
		"--auth", "refresh-token", "--client-id", "relman", "--json")
	if r.code != 0 || strings.Contains(r.stderr, "warning") {
		t.Fatalf("env add with RELMAN_REFRESH_TOKEN: exit %d\n%s%s", r.code, r.stdout, r.stderr)
	}
	for _, name := range []string{"viastdin", "viaenv"} {
		c.ok("alice", nil, "env", "test", name)
	}
	r = c.run("alice", "env", "add", "viaflag", "--kind", "sandbox", "--url", org.url, "--auth", "refresh-token", "--client-id", "relman",
		"--refresh-token", org.refresh, "--json")
	if r.code != 0 || !strings.Contains(r.stderr, "warning: --refresh-token") || !strings.Contains(r.stderr, "RELMAN_REFRESH_TOKEN") {
		t.Errorf("the deprecated --refresh-token flag: exit %d, stderr %q; want it accepted with a warning naming RELMAN_REFRESH_TOKEN", r.code, r.stderr)
	}
	if strings.Contains(r.stderr+r.stdout, org.refresh) {
		t.Error("the warning shows the secret")
	}
	msg := c.refused("alice", 2, "UsageError", "env", "add", "plain", "--kind", "sandbox", "--url", "http://acme.my.salesforce.com",
		"--auth", "refresh-token", "--client-id", "relman")
	if !strings.Contains(msg, "https") {
		t.Errorf("http:// to a remote host refused with %q; want it to ask for https", msg)
	}
}

// tokenProxy is a hostile (or merely rotating) login server in front of a
// simulated org: it rewrites token answers.
func tokenProxy(t *testing.T, org simOrg, rewrite func(answer []byte) []byte) *lossyProxy {
	p := newLossyProxy(t, org.url, false)
	p.lose = false
	p.tamper = func(answer []byte) []byte {
		if !bytes.Contains(answer, []byte(`"access_token"`)) {
			return answer
		}
		return rewrite(answer)
	}
	return p
}

// The token answer's instance_url is trusted only on Salesforce's domains,
// the loopback simulator, or a host pinned with --allow-host; each
// environment is pinned to the org of its first successful test.
func TestInstanceURLAndOrgPinning(t *testing.T) {
	t.Parallel()
	c := newCLI(t, tempStore(t))
	org := startSim(t, "uat", "--kind", "sandbox")
	evil := tokenProxy(t, org, func(answer []byte) []byte {
		return regexp.MustCompile(`"instance_url":"[^"]*"`).ReplaceAll(answer, []byte(`"instance_url":"https://collector.example.net"`))
	})
	add := func(name, url string, extra ...string) {
		r := c.runStdin("alice", "", []string{"RELMAN_REFRESH_TOKEN=" + org.refresh}, append([]string{"env", "add", name, "--kind", "sandbox",
			"--url", url, "--auth", "refresh-token", "--client-id", "relman", "--json"}, extra...)...)
		if r.code != 0 {
			t.Fatalf("env add %s: exit %d %s%s", name, r.code, r.stdout, r.stderr)
		}
	}
	add("evil", evil.srv.URL)
	r := c.run("alice", "env", "test", "evil", "--json")
	env := lastJSON(t, r.stdout, []string{"env", "test"})
	if r.code == 0 || !strings.Contains(env.Message, "collector.example.net") || !strings.Contains(env.Message, "--allow-host") {
		t.Errorf("instance_url on a foreign host: exit %d, %q; want a refusal naming the host and --allow-host", r.code, env.Message)
	}
	add("pinnedhost", evil.srv.URL, "--allow-host", "collector.example.net")
	r = c.run("alice", "env", "test", "pinnedhost", "--json")
	if env := lastJSON(t, r.stdout, []string{"env", "test"}); strings.Contains(env.Message, "not a Salesforce domain") {
		t.Errorf("a host pinned with --allow-host was still refused: %q", env.Message)
	}

	// Pinning: the first good test pins the org; a login landing elsewhere fails.
	var mu sync.Mutex
	moved := false
	elsewhere := tokenProxy(t, org, func(answer []byte) []byte {
		mu.Lock()
		defer mu.Unlock()
		if !moved {
			return answer
		}
		return regexp.MustCompile(`/id/00D[0-9A-Za-z]{12,15}/`).ReplaceAll(answer, []byte("/id/00D000000000001AAA/"))
	})
	add("moving", elsewhere.srv.URL)
	var first model.TestResult
	c.ok("alice", &first, "env", "test", "moving")
	pinned, err := readStore(t, c.store).Environment("moving")
	if err != nil || pinned.OrgID == "" || !model.SameOrgID(pinned.OrgID, first.OrgID) {
		t.Fatalf("after the first test the environment is pinned to %q (test said %q, %v)", pinned.OrgID, first.OrgID, err)
	}
	mu.Lock()
	moved = true
	mu.Unlock()
	r = c.run("alice", "env", "test", "moving", "--json")
	if env := lastJSON(t, r.stdout, []string{"env", "test"}); r.code == 0 || !strings.Contains(env.Message, "pinned to org") {
		t.Errorf("a login landing in another org: exit %d, %q; want a refusal naming the pinned org", r.code, env.Message)
	}
	c.verifyChain(t)
}

// A refresh token the org rotates is stored at once: the old one stops
// working, and the environment keeps working on its second and third use.
func TestRotatedRefreshTokenIsKept(t *testing.T) {
	t.Parallel()
	c := newCLI(t, tempStore(t))
	org := startSim(t, "uat", "--kind", "sandbox")
	var mu sync.Mutex
	current, n := org.refresh, 0
	p := newLossyProxy(t, org.url, false)
	p.lose = false
	// The login server hands out a new refresh token each time and accepts
	// only the latest: it maps it back to the simulator's one.
	p.rewriteRequest = func(body []byte) ([]byte, bool) {
		mu.Lock()
		defer mu.Unlock()
		if !bytes.Contains(body, []byte("grant_type=refresh_token")) {
			return body, true
		}
		if !bytes.Contains(body, []byte("refresh_token="+current)) {
			return body, false
		}
		return bytes.Replace(body, []byte("refresh_token="+current), []byte("refresh_token="+org.refresh), 1), true
	}
	p.tamper = func(answer []byte) []byte {
		if !bytes.Contains(answer, []byte(`"access_token"`)) {
			return answer
		}
		mu.Lock()
		defer mu.Unlock()
		n++
		current = "5Aep861rotated" + strings.Repeat("x", n)
		return bytes.Replace(answer, []byte(`"access_token"`), []byte(`"refresh_token":"`+current+`","access_token"`), 1)
	}
	r := c.runStdin("alice", "", []string{"RELMAN_REFRESH_TOKEN=" + org.refresh}, "env", "add", "rotating", "--kind", "sandbox",
		"--url", p.srv.URL, "--auth", "refresh-token", "--client-id", "relman", "--json")
	if r.code != 0 {
		t.Fatalf("env add: %s%s", r.stdout, r.stderr)
	}
	for i := range 3 {
		r := c.run("alice", "env", "test", "rotating", "--json")
		if env := lastJSON(t, r.stdout, []string{"env", "test"}); r.code != 0 {
			t.Fatalf("use %d after rotation failed: %q", i+1, env.Message)
		}
	}
	e, err := readStore(t, c.store).Environment("rotating")
	mu.Lock()
	want := current
	mu.Unlock()
	if err != nil || e.Credentials.RefreshToken != want {
		t.Errorf("the store holds refresh token %q, want the latest rotated one (%v)", e.Credentials.RefreshToken, err)
	}
	c.verifyChain(t)
}

// An access-token environment's token carries no identity URL: its org-id
// pin is checked on every open (here by compare), not only at `env test`.
func TestAccessTokenPinCheckedOnEveryOpen(t *testing.T) {
	t.Parallel()
	c := newCLI(t, tempStore(t))
	uat := startSim(t, "uat", "--kind", "sandbox")
	prod := startSim(t, "production", "--kind", "production")
	proxy := newLossyProxy(t, prod.url, false)
	proxy.lose = false
	for _, add := range [][]string{
		{"RELMAN_REFRESH_TOKEN=" + uat.refresh, "uat", "sandbox", uat.url, "refresh-token", "--client-id", "relman"},
		{"SF_ACCESS_TOKEN=" + prod.token, "production", "production", proxy.srv.URL, "access-token"},
	} {
		r := c.runStdin("alice", "", []string{add[0]}, append([]string{"env", "add", add[1], "--kind", add[2], "--url", add[3], "--auth", add[4], "--json"}, add[5:]...)...)
		if r.code != 0 {
			t.Fatalf("env add %s: exit %d %s%s", add[1], r.code, r.stdout, r.stderr)
		}
	}
	var first model.TestResult
	c.ok("alice", &first, "env", "test", "production")
	c.ok("alice", nil, "compare", "uat", "production")
	const elsewhere = "00D000000000001AAA"
	proxy.setTamper(func(answer []byte) []byte {
		return regexp.MustCompile(`"organization_id":"[^"]*"`).ReplaceAll(answer, []byte(`"organization_id":"`+elsewhere+`"`))
	})
	r := c.run("alice", "compare", "uat", "production", "--json")
	env := lastJSON(t, r.stdout, []string{"compare"})
	if r.code == 0 || !strings.Contains(env.Message, "pinned to org "+first.OrgID) || !strings.Contains(env.Message, elsewhere) {
		t.Errorf("compare with production's token now in org %s: exit %d, %q; want a refusal naming both org ids", elsewhere, r.code, env.Message)
	}
}
