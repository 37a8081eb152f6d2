package salesforce

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"os/exec"
	"strings"

	"relman/model"
)

// sfCLISource borrows a Salesforce CLI login: `sf` keeps the tokens and
// renews them; relman only asks for the current access token (§1.5).
type sfCLISource struct {
	alias string
	// instance is remembered from the first `sf org display`.
	instance string
}

// sfOutput is the CLI's --json envelope (§1.5): result on success, name and
// message on failure.
type sfOutput struct {
	Status  int    `json:"status"`
	Name    string `json:"name"`
	Message string `json:"message"`
	Result  struct {
		AccessToken     string `json:"accessToken"`
		InstanceURL     string `json:"instanceUrl"`
		ConnectedStatus string `json:"connectedStatus"`
	} `json:"result"`
}

func (s *sfCLISource) fail(desc, fix string) error {
	return &AuthError{URL: s.alias, Method: model.AuthSfAlias, Description: desc, Fix: fix}
}

// fetch runs `sf org auth show-access-token` (which refreshes the token
// first) and `sf org display` for the instance URL, falling back to the
// display's access token for CLIs without show-access-token. Values that
// start with [REDACTED] count as absent: current CLIs redact secrets in
// `org display` (§1.5).
func (s *sfCLISource) fetch(ctx context.Context) (token, error) {
	sf, err := exec.LookPath("sf")
	if err != nil {
		return token{}, s.fail("the Salesforce CLI (sf) is not installed or not on PATH",
			"install it (https://developer.salesforce.com/tools/salesforcecli) and log in with `sf org login web --alias "+s.alias+"`, or choose another --auth method")
	}
	tokOut, tokErr := runSF(ctx, sf, s.alias, "org", "auth", "show-access-token")
	access := ""
	if tokErr == nil {
		access = unredacted(tokOut.Result.AccessToken)
	}
	if s.instance == "" || access == "" {
		disp, err := runSF(ctx, sf, s.alias, "org", "display")
		if err != nil {
			return token{}, s.fail(err.Error(), "check the alias with `sf org list`, or log in again with `sf org login web --alias "+s.alias+"`")
		}
		inst, err := normalizeURL(disp.Result.InstanceURL)
		if err != nil {
			return token{}, s.fail("`sf org display` gave no usable instance URL: "+err.Error(), "log in again with `sf org login web --alias "+s.alias+"`")
		}
		s.instance = inst
		if access == "" {
			access = unredacted(disp.Result.AccessToken)
		}
		if access == "" {
			desc := "the Salesforce CLI did not give an access token"
			if tokErr != nil {
				desc += " (show-access-token: " + tokErr.Error() + ")"
			}
			if st := disp.Result.ConnectedStatus; st != "" && st != "Connected" {
				desc += " (connected status: " + st + ")"
			}
			return token{}, s.fail(desc, "update the CLI (`sf update`) so that `sf org auth show-access-token` exists, or log in again with `sf org login web --alias "+s.alias+"`")
		}
	}
	return token{access: access, instance: s.instance}, nil
}

func unredacted(v string) string {
	if strings.HasPrefix(v, "[REDACTED]") {
		return ""
	}
	return v
}

// runSF runs `sf <sub...> --target-org alias --json`. Failures carry sf's
// own error name and message, which never include a token; its stack and
// raw output are not copied.
func runSF(ctx context.Context, sf, alias string, sub ...string) (sfOutput, error) {
	name := "`sf " + strings.Join(sub, " ") + "`"
	cmd := exec.CommandContext(ctx, sf, append(sub, "--target-org", alias, "--json")...)
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	runErr := cmd.Run()
	if ctx.Err() != nil {
		return sfOutput{}, describeNetErr(ctx.Err())
	}
	var out sfOutput
	// The JSON envelope goes to stdout; some CLI versions write error
	// envelopes to stderr instead, after warning lines.
	if !decodeSFJSON(stdout.Bytes(), &out) && !decodeSFJSON(stderr.Bytes(), &out) {
		return sfOutput{}, errors.New(name + " did not print JSON (" + exitText(runErr) + ")")
	}
	if runErr != nil || out.Status != 0 {
		if out.Message == "" {
			return sfOutput{}, errors.New(name + " failed (" + exitText(runErr) + ")")
		}
		return sfOutput{}, errors.New(name + ": " + strings.TrimPrefix(out.Name+": ", ": ") + out.Message)
	}
	return out, nil
}

// decodeSFJSON decodes the first JSON object that starts a line of b.
func decodeSFJSON(b []byte, out *sfOutput) bool {
	for i := 0; i < len(b); i++ {
		if b[i] == '{' && (i == 0 || b[i-1] == '\n') {
			if json.NewDecoder(bytes.NewReader(b[i:])).Decode(out) == nil {
				return true
			}
		}
	}
	return false
}

func exitText(err error) string {
	if err == nil {
		return "exit status 0"
	}
	return err.Error()
}
