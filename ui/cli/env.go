package cli

import (
	"context"
	"fmt"
	"io"
	"path/filepath"
	"time"

	"relman/model"
	"relman/orgclient/salesforce"
	"relman/ui/termsafe"
)

func envCommands() map[string]command {
	return map[string]command{
		"add":  {usage: "env add NAME --kind production|sandbox (--dir DIR | --url URL --auth METHOD [auth flags])", run: envAdd},
		"list": {usage: "env list", run: envList},
		"show": {usage: "env show NAME", run: envShow},
		"test": {usage: "env test NAME", run: envTest},
		"rm":   {usage: "env rm NAME", run: envRemove},
	}
}

// envView is an environment as printed: everything but the secrets, which
// are only said to exist.
type envView struct {
	model.Environment
	Credentials string `json:"credentials"`
}

func viewOf(e model.Environment) envView {
	v := envView{Environment: e, Credentials: "none"}
	if !e.Credentials.IsZero() {
		v.Credentials = "stored encrypted"
	}
	return v
}

func envAdd(_ context.Context, r *runner, args []string) error {
	usage := envCommands()["add"].usage
	fs := newFlags("env add")
	kind := fs.String("kind", "", "production or sandbox")
	dir := fs.String("dir", "", "a directory in SFDX source or Metadata API format")
	url := fs.String("url", "", "login or instance URL of a Salesforce org")
	auth := fs.String("auth", "", "auth method: "+fmt.Sprint(model.AuthMethods))
	secrets := newEnvSecrets(fs)
	clientID := fs.String("client-id", "", "connected app consumer key")
	username := fs.String("username", "", "Salesforce username (password, jwt)")
	var allowHosts multiFlag
	fs.Var(&allowHosts, "allow-host", "a host outside Salesforce's domains that the token answer's instance_url may name (repeatable)")
	keyFile := fs.String("key", "", "JWT signing key file (jwt)")
	sfdxFile := fs.String("sfdx-url-file", "", "file holding a force:// SFDX auth URL (sfdx-url)")
	alias := fs.String("alias", "", "Salesforce CLI alias or username to reuse (sf-alias)")
	pos, err := parse(fs, args, 1, usage)
	if err != nil {
		return err
	}
	env := model.Environment{Name: pos[0], Kind: model.EnvKind(*kind)}
	switch {
	case *dir != "" && *url != "":
		return usageErr("env add %s: give either --dir or --url, not both", env.Name)
	case *dir != "":
		abs, err := filepath.Abs(*dir)
		if err != nil {
			return usageErr("env add %s: --dir %s: %v", env.Name, *dir, err)
		}
		env.Connection, env.Dir = model.ConnLocal, abs
	case *url != "":
		orgURL, err := salesforce.CheckOrgURL(*url)
		if err != nil {
			return usageErr("env add %s: --url %s: %v", env.Name, termsafe.Line(*url), err)
		}
		env.Connection, env.URL, env.Auth = model.ConnSalesforce, orgURL, model.AuthMethod(*auth)
		env.ClientID, env.Username, env.Alias, env.AllowHosts = *clientID, *username, *alias, allowHosts
		if *keyFile != "" {
			if env.KeyFile, err = filepath.Abs(*keyFile); err != nil {
				return usageErr("env add %s: --key %s: %v", env.Name, *keyFile, err)
			}
		}
		if err := r.resolveSecrets(secrets, env.Auth, &env.Credentials); err != nil {
			return err
		}
	}
	svc, err := r.service()
	if err != nil {
		return err
	}
	if *sfdxFile != "" && env.Connection == model.ConnSalesforce {
		if env.Credentials.SfdxAuthURL, err = svc.ReadSfdxAuthURL(*sfdxFile); err != nil {
			return usageErr("env add %s: %v", env.Name, err)
		}
	}
	if err := model.ValidateEnvironment(env); err != nil {
		return usageErr("%v", err)
	}
	saved, err := svc.AddEnvironment(env)
	if err != nil {
		return err
	}
	return r.emit(viewOf(saved), func(w io.Writer) error {
		_, err := fmt.Fprintf(w, "Added %s environment %s (%s). Check it with `relman env test %s`.\n",
			saved.Kind, saved.Name, where(saved), saved.Name)
		return err
	})
}

func where(e model.Environment) string {
	if e.Connection == model.ConnLocal {
		return "directory " + e.Dir
	}
	return e.URL + " via " + string(e.Auth)
}

func envList(_ context.Context, r *runner, args []string) error {
	if _, err := parse(newFlags("env list"), args, 0, envCommands()["list"].usage); err != nil {
		return err
	}
	svc, err := r.service()
	if err != nil {
		return err
	}
	envs, err := svc.Environments()
	if err != nil {
		return err
	}
	views := make([]envView, len(envs))
	for i, e := range envs {
		views[i] = viewOf(e)
	}
	return r.emit(views, func(w io.Writer) error {
		if len(envs) == 0 {
			_, err := fmt.Fprintln(w, "No environments yet. Add one with `relman env add NAME --kind production --dir DIR`.")
			return err
		}
		rows := make([][]string, len(envs))
		for i, e := range envs {
			rows[i] = []string{e.Name, string(e.Kind), where(e), lastTest(e)}
		}
		return table(w, []string{"NAME", "KIND", "CONNECTION", "LAST TEST"}, rows)
	})
}

func lastTest(e model.Environment) string {
	if e.LastTest == nil {
		return "never"
	}
	status := "ok"
	if !e.LastTest.OK {
		status = "FAILED"
	}
	return status + " " + e.LastTest.At.Local().Format(time.DateTime)
}

func envShow(_ context.Context, r *runner, args []string) error {
	pos, err := parse(newFlags("env show"), args, 1, envCommands()["show"].usage)
	if err != nil {
		return err
	}
	svc, err := r.service()
	if err != nil {
		return err
	}
	e, err := svc.Environment(pos[0])
	if err != nil {
		return err
	}
	return r.emit(viewOf(e), func(w io.Writer) error { return fields(w, envFields(e)) })
}

func envFields(e model.Environment) [][2]string {
	pairs := [][2]string{{"Name", e.Name}, {"Kind", string(e.Kind)}, {"Connection", string(e.Connection)}}
	if e.Connection == model.ConnLocal {
		pairs = append(pairs, [2]string{"Directory", e.Dir})
	} else {
		pairs = append(pairs, [2]string{"URL", e.URL}, [2]string{"Auth", string(e.Auth)})
		for _, p := range [][2]string{{"Client id", e.ClientID}, {"Username", e.Username}, {"Key file", e.KeyFile}, {"Alias", e.Alias}} {
			if p[1] != "" {
				pairs = append(pairs, p)
			}
		}
		pairs = append(pairs, [2]string{"Credentials", viewOf(e).Credentials})
	}
	pairs = append(pairs, [2]string{"Last test", lastTest(e)})
	return append(pairs, testFields(e.LastTest)...)
}

// testFields are the non-empty answers of a Test Connection.
func testFields(t *model.TestResult) [][2]string {
	if t == nil {
		return nil
	}
	var pairs [][2]string
	for _, p := range [][2]string{{"Org id", t.OrgID}, {"User", t.User}, {"API version", t.APIVersion}, {"Instance", t.Instance}, {"Result", t.Message}} {
		if p[1] != "" {
			pairs = append(pairs, p)
		}
	}
	return pairs
}

func envTest(ctx context.Context, r *runner, args []string) error {
	pos, err := parse(newFlags("env test"), args, 1, envCommands()["test"].usage)
	if err != nil {
		return err
	}
	svc, err := r.service()
	if err != nil {
		return err
	}
	e, err := svc.TestEnvironment(ctx, pos[0])
	if err != nil {
		return err
	}
	if !e.LastTest.OK {
		return fmt.Errorf("test connection to %s failed: %s", e.Name, e.LastTest.Message)
	}
	return r.emit(e.LastTest, func(w io.Writer) error {
		fmt.Fprintf(w, "Connection to %s OK.\n", e.Name)
		return fields(w, testFields(e.LastTest))
	})
}

func envRemove(_ context.Context, r *runner, args []string) error {
	pos, err := parse(newFlags("env rm"), args, 1, envCommands()["rm"].usage)
	if err != nil {
		return err
	}
	svc, err := r.service()
	if err != nil {
		return err
	}
	if err := svc.RemoveEnvironment(pos[0]); err != nil {
		return err
	}
	return r.emit(map[string]string{"removed": pos[0]}, func(w io.Writer) error {
		_, err := fmt.Fprintf(w, "Removed environment %s and its stored credentials.\n", pos[0])
		return err
	})
}
