package salesforce

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"relman/model"
)

// fakeSF puts an `sf` shell script on PATH that answers show-access-token
// and org display with the given JSON (empty = fail like an old CLI
// without the command) and logs its arguments.
func fakeSF(t *testing.T, showToken, display string) (logFile string) {
	t.Helper()
	dir := t.TempDir()
	logFile = filepath.Join(dir, "calls.log")
	script := `#!/bin/sh
echo "$@" >> '` + logFile + `'
case "$1 $2" in
"org auth")
  if [ -z '` + showToken + `' ]; then
    echo 'Warning: sf-plugin not found' >&2
    echo '{"status":1,"name":"CommandNotFound","message":"auth show-access-token is not a sf command."}' >&2
    exit 1
  fi
  echo '` + showToken + `' ;;
"org display")
  echo '` + display + `' ;;
*) exit 2 ;;
esac
`
	if err := os.WriteFile(filepath.Join(dir, "sf"), []byte(script), 0o755); err != nil {
		t.Fatal(err)
	}
	t.Setenv("PATH", dir+string(os.PathListSeparator)+os.Getenv("PATH"))
	return logFile
}

func displayJSON(o *testOrg, accessToken string) string {
	return `{"status":0,"result":{"id":"` + testOrgID + `","apiVersion":"62.0","accessToken":"` + accessToken +
		`","instanceUrl":"` + o.URL() + `","username":"admin@acme.com","clientId":"PlatformCLI","connectedStatus":"Connected","alias":"prod"},"warnings":[]}`
}

func sfAliasClient(t *testing.T) *Client {
	c, err := New(Config{Auth: model.AuthSfAlias, Alias: "prod"})
	if err != nil {
		t.Fatal(err)
	}
	return c
}

func TestSfAliasShowAccessToken(t *testing.T) {
	o := newTestOrg(t)
	o.serveUserinfo()
	tok := o.issue()
	log := fakeSF(t, `{"status":0,"result":{"accessToken":"`+tok+`"},"warnings":["Do not share it"]}`,
		displayJSON(o, "[REDACTED] Use 'sf org auth show-access-token' to view"))
	id, err := sfAliasClient(t).Identity(context.Background())
	if err != nil || id.InstanceURL != o.URL() || id.OrgID != testOrgID {
		t.Fatalf("Identity = %+v, %v", id, err)
	}
	calls, _ := os.ReadFile(log)
	want := "org auth show-access-token --target-org prod --json\norg display --target-org prod --json\n"
	if string(calls) != want {
		t.Errorf("sf calls:\n%s\nwant:\n%s", calls, want)
	}
}

func TestSfAliasFallsBackToDisplay(t *testing.T) {
	o := newTestOrg(t)
	o.serveUserinfo()
	tok := o.issue()
	fakeSF(t, "", displayJSON(o, tok))
	if _, err := sfAliasClient(t).Identity(context.Background()); err != nil {
		t.Fatal(err)
	}
}

func TestSfAliasRedactedEverywhere(t *testing.T) {
	o := newTestOrg(t)
	fakeSF(t, "", displayJSON(o, "[REDACTED] Use 'sf org auth show-access-token' to view"))
	_, err := sfAliasClient(t).Identity(context.Background())
	var ae *AuthError
	if !errors.As(err, &ae) || !strings.Contains(err.Error(), "sf update") || !strings.Contains(err.Error(), "CommandNotFound") {
		t.Fatalf("err = %v, want an AuthError saying to update the CLI", err)
	}
}

func TestSfAliasRenewsThroughCLI(t *testing.T) {
	o := newTestOrg(t)
	o.serveUserinfo()
	tok := o.issue()
	log := fakeSF(t, `{"status":0,"result":{"accessToken":"`+tok+`"}}`, displayJSON(o, "[REDACTED]"))
	c := sfAliasClient(t)
	if _, err := c.Identity(context.Background()); err != nil {
		t.Fatal(err)
	}
	o.expireSessions()
	_, err := c.Identity(context.Background())
	// The fake CLI hands out the same (now expired) token, so the retry
	// fails; what matters is that the CLI was asked again, once.
	if err == nil {
		t.Fatal("want an error: the CLI's token is expired too")
	}
	calls, _ := os.ReadFile(log)
	if n := strings.Count(string(calls), "show-access-token"); n != 2 {
		t.Errorf("show-access-token ran %d times, want 2 (sign-in, renewal)", n)
	}
	if n := strings.Count(string(calls), "org display"); n != 1 {
		t.Errorf("org display ran %d times, want 1 (instance URL remembered)", n)
	}
	assertNoSecrets(t, err.Error())
}

func TestSfAliasUnknownAlias(t *testing.T) {
	fakeSF(t, "", `{"status":1,"name":"NamedOrgNotFoundError","message":"No authorization information found for prod.","exitCode":1}`)
	_, err := sfAliasClient(t).Identity(context.Background())
	if err == nil || !strings.Contains(err.Error(), "No authorization information found for prod.") || !strings.Contains(err.Error(), "sf org list") {
		t.Fatalf("err = %v", err)
	}
}

func TestSfNotInstalled(t *testing.T) {
	t.Setenv("PATH", t.TempDir())
	_, err := sfAliasClient(t).Identity(context.Background())
	var ae *AuthError
	if !errors.As(err, &ae) || !strings.Contains(err.Error(), "not installed") || !strings.Contains(err.Error(), "sf alias prod") {
		t.Fatalf("err = %v", err)
	}
}

// Access tokens and Salesforce CLI logins carry no identity URL: a pinned
// environment still refuses, at its first sign-in of each open, a token of
// another org, naming both ids, and accepts one of its own org.
func TestPinnedOrgCheckedForTokenAndAlias(t *testing.T) {
	o := newTestOrg(t)
	o.serveUserinfo()
	const elsewhere = "00D000000000001AAA"
	clients := map[model.AuthMethod]func(pin string) *Client{
		model.AuthAccessToken: func(pin string) *Client {
			c, err := New(Config{Auth: model.AuthAccessToken, InstanceURL: o.URL(), Credentials: model.Credentials{AccessToken: o.issue()}, OrgID: pin})
			if err != nil {
				t.Fatal(err)
			}
			return c
		},
		model.AuthSfAlias: func(pin string) *Client {
			fakeSF(t, `{"status":0,"result":{"accessToken":"`+o.issue()+`"}}`, displayJSON(o, "[REDACTED]"))
			c, err := New(Config{Auth: model.AuthSfAlias, Alias: "prod", OrgID: pin})
			if err != nil {
				t.Fatal(err)
			}
			return c
		},
	}
	for method, client := range clients {
		_, err := client(elsewhere).Identity(context.Background())
		var ae *AuthError
		if !errors.As(err, &ae) || !strings.Contains(err.Error(), "pinned to org "+elsewhere) || !strings.Contains(err.Error(), testOrgID) {
			t.Errorf("%s pinned to another org: %v; want a refusal naming both org ids", method, err)
		}
		if id, err := client(testOrgID).Identity(context.Background()); err != nil || id.OrgID != testOrgID {
			t.Errorf("%s pinned to its own org: %+v, %v", method, id, err)
		}
	}
}
