package demo

import (
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"time"

	"relman/model"
	"relman/orgclient/sim"
	"relman/store"
)

// Users are the demo's people: alice requests, bob and carol approve.
var Users = []string{"alice", "bob", "carol"}

// orgSpec is one simulated org of the demo.
type orgSpec struct {
	env  string
	kind model.EnvKind
}

var orgs = []orgSpec{{"production", model.KindProduction}, {"uat", model.KindSandbox}, {"dev", model.KindSandbox}}

// Options configure Start.
type Options struct {
	// Dir holds the demo (orgs/ and relman.db); empty means a new temporary
	// folder.
	Dir string
	// Samples is the tree holding production/, uat/ and dev/ sample orgs.
	Samples fs.FS
	// TestDuration is how long each simulated Apex test method runs.
	TestDuration time.Duration
	// Log receives one line per step; nil discards them.
	Log io.Writer
}

// Demo is a running demo: its orgs serve until Close.
type Demo struct {
	Dir       string
	StorePath string
	Store     *store.Store
	// Temporary is true when Dir was made by Start (and is removed by Close).
	Temporary bool
	Envs      []model.Environment
	servers   []*sim.Server
	// signers hold the demo people's keys (keys/ in Dir).
	signers map[string]model.Signer
}

// Start copies the sample orgs (on first use of the folder), starts the
// simulated orgs and seeds or refreshes the store.
func Start(ctx context.Context, opts Options) (*Demo, error) {
	d := &Demo{Dir: opts.Dir}
	if d.Dir == "" {
		tmp, err := os.MkdirTemp("", "relman-demo-")
		if err != nil {
			return nil, fmt.Errorf("demo: %w", err)
		}
		d.Dir, d.Temporary = tmp, true
	}
	log := opts.Log
	if log == nil {
		log = io.Discard
	}
	if err := os.MkdirAll(d.Dir, 0o700); err != nil {
		return nil, fmt.Errorf("demo folder %s: %w", d.Dir, err)
	}
	d.StorePath = filepath.Join(d.Dir, "relman.db")
	st, err := store.Open(d.StorePath)
	if err != nil {
		return nil, err
	}
	d.Store = st
	fresh, err := isEmpty(st)
	if err != nil {
		return nil, err
	}
	fmt.Fprintln(log, "keys for alice, bob and carol in", filepath.Join(d.Dir, "keys"))
	if err := d.ensureTeam(); err != nil {
		return nil, err
	}
	if err := d.startOrgs(ctx, opts, fresh, log); err != nil {
		d.Close()
		return nil, err
	}
	if fresh {
		fmt.Fprintln(log, "seeding change requests for alice, bob and carol")
		if err := seed(ctx, d); err != nil {
			d.Close()
			return nil, fmt.Errorf("demo: seeding the store: %w", err)
		}
	}
	return d, nil
}

// startOrgs starts one simulator per org and saves (or re-points) its
// environment. A reused folder keeps each org's refresh token, so the
// stored credentials stay valid across restarts.
func (d *Demo) startOrgs(ctx context.Context, opts Options, fresh bool, log io.Writer) error {
	svc, err := d.As("alice")
	if err != nil {
		return err
	}
	for _, o := range orgs {
		dir := filepath.Join(d.Dir, "orgs", o.env)
		if _, err := os.Stat(dir); errors.Is(err, fs.ErrNotExist) {
			sub, err := fs.Sub(opts.Samples, o.env)
			if err != nil {
				return err
			}
			if err := os.CopyFS(dir, sub); err != nil {
				return fmt.Errorf("demo: copying the %s sample org: %w", o.env, err)
			}
		}
		cfg := sim.Config{Dir: dir, Kind: string(o.kind), TestDuration: opts.TestDuration}
		var existing model.Environment
		if !fresh {
			env, err := svc.Environment(o.env)
			if err != nil {
				return fmt.Errorf("demo folder %s: %w; start a new demo in an empty folder", d.Dir, err)
			}
			existing = env
			cfg.RefreshToken = env.Credentials.RefreshToken
		}
		srv, err := sim.Start(ctx, cfg)
		if err != nil {
			return fmt.Errorf("demo: starting the %s org: %w", o.env, err)
		}
		d.servers = append(d.servers, srv)
		fmt.Fprintf(log, "%s org serving at %s\n", o.env, srv.URL())
		env := model.Environment{Name: o.env, Kind: o.kind, Connection: model.ConnSalesforce, URL: srv.URL(),
			Auth: model.AuthRefreshToken, ClientID: "relman", Credentials: model.Credentials{RefreshToken: srv.RefreshToken()}}
		if fresh {
			env, err = svc.AddEnvironment(env)
		} else if existing.URL != env.URL {
			env, err = svc.UpdateEnvironment(env, true)
		} else {
			env = existing
		}
		if err != nil {
			return err
		}
		if env, err = svc.TestEnvironment(ctx, env.Name); err != nil {
			return err
		}
		d.Envs = append(d.Envs, env)
	}
	return nil
}

// Close stops the simulated orgs and removes a temporary demo folder.
func (d *Demo) Close() {
	for _, s := range d.servers {
		_ = s.Close()
	}
	d.servers = nil
	if d.Temporary {
		_ = os.RemoveAll(d.Dir)
	}
}

func isEmpty(st *store.Store) (bool, error) {
	var envs []model.Environment
	err := st.View(func(tx *store.Tx) error {
		var err error
		envs, err = tx.Environments()
		return err
	})
	return len(envs) == 0, err
}
