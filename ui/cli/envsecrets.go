package cli

import (
	"bufio"
	"flag"
	"fmt"
	"io"
	"os"
	"strings"

	"github.com/charmbracelet/x/term"

	"relman/model"
)

// envSecret is one secret `env add` takes. It comes from an environment
// variable, from standard input (--NAME-stdin) or from a prompt that does
// not echo; the --NAME flag is kept only as a deprecated alias that warns,
// since a flag is visible to every local user (ps, /proc, shell history).
type envSecret struct {
	flag, envVar, what string
	// primary is the auth method whose required secret this is: the one
	// a terminal is prompted for when nothing else gave it.
	primary model.AuthMethod
	value   *string
	stdin   *bool
}

func newEnvSecrets(fs *flag.FlagSet) []*envSecret {
	secrets := []*envSecret{
		{flag: "token", envVar: "SF_ACCESS_TOKEN", what: "access token", primary: model.AuthAccessToken},
		{flag: "refresh-token", envVar: "RELMAN_REFRESH_TOKEN", what: "refresh token", primary: model.AuthRefreshToken},
		{flag: "client-secret", envVar: "RELMAN_CLIENT_SECRET", what: "connected app consumer secret", primary: model.AuthClientCredentials},
		{flag: "password", envVar: "RELMAN_PASSWORD", what: "password followed by the security token", primary: model.AuthPassword},
	}
	for _, s := range secrets {
		s.value = fs.String(s.flag, "", "deprecated: visible to every local user in ps; use "+s.envVar+", --"+s.flag+"-stdin or the prompt")
		s.stdin = fs.Bool(s.flag+"-stdin", false, "read the "+s.what+" from standard input (one line)")
	}
	return secrets
}

// resolveSecrets reads every secret from its source, warning on the
// deprecated flags, and fills creds. At most one secret reads stdin.
func (r *runner) resolveSecrets(secrets []*envSecret, method model.AuthMethod, creds *model.Credentials) error {
	fromStdin := 0
	for _, s := range secrets {
		if *s.stdin {
			fromStdin++
		}
	}
	if fromStdin > 1 {
		return usageErr("env add: only one --…-stdin flag can read standard input")
	}
	for _, s := range secrets {
		v, err := r.secretValue(s, method)
		if err != nil {
			return err
		}
		switch s.flag {
		case "token":
			creds.AccessToken = v
		case "refresh-token":
			creds.RefreshToken = v
		case "client-secret":
			creds.ClientSecret = v
		case "password":
			creds.Password = v
		}
	}
	return nil
}

func (r *runner) secretValue(s *envSecret, method model.AuthMethod) (string, error) {
	switch {
	case *s.value != "":
		fmt.Fprintf(r.io.Err, "relman: warning: --%s shows the %s to every user of this computer (ps, shell history) and will be removed; use %s, --%s-stdin or the prompt\n",
			s.flag, s.what, s.envVar, s.flag)
		return *s.value, nil
	case *s.stdin:
		line, err := bufio.NewReader(io.LimitReader(r.io.In, 64<<10)).ReadString('\n')
		if err != nil && err != io.EOF {
			return "", fmt.Errorf("env add: reading the %s from standard input: %w", s.what, err)
		}
		if v := strings.TrimRight(line, "\r\n"); v != "" {
			return v, nil
		}
		return "", usageErr("env add: --%s-stdin: standard input held no %s", s.flag, s.what)
	case r.io.Getenv(s.envVar) != "":
		return r.io.Getenv(s.envVar), nil
	case s.primary == method:
		return r.promptSecret(s)
	}
	return "", nil
}

// promptSecret asks for a secret on the terminal without echoing it; with
// no terminal it returns "" and validation names what is missing.
func (r *runner) promptSecret(s *envSecret) (string, error) {
	in, ok := r.io.In.(*os.File)
	if !ok || !term.IsTerminal(in.Fd()) {
		return "", nil
	}
	fmt.Fprintf(r.io.Err, "%s (not shown): ", strings.ToUpper(s.what[:1])+s.what[1:])
	b, err := term.ReadPassword(in.Fd())
	fmt.Fprintln(r.io.Err)
	if err != nil {
		return "", fmt.Errorf("env add: reading the %s: %w", s.what, err)
	}
	return strings.TrimSpace(string(b)), nil
}
