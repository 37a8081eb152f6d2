package salesforce

import (
	"context"
	"fmt"
	"time"
)

// poller spaces status calls: pollMin after any progress, then doubling up
// to pollMax while nothing moves. SDR and jsforce poll every 1 s; the
// backoff keeps long deploys from spending the org's API allocation, since
// each poll is a counted call (§5.3, §5.5).
type poller struct {
	c       *Client
	next    time.Duration
	last    string
	started bool
	// deadline ends a wait whose caller set none; what names the job.
	deadline time.Time
	what     string
}

// Default bounds on a wait whose caller gave no deadline: a stuck retrieve
// or deploy is reported rather than polled for ever.
const (
	DefaultRetrieveWait = 30 * time.Minute
	DefaultDeployWait   = 6 * time.Hour
)

// newPoller starts the polls of one job, what; when ctx has no deadline,
// the wait ends after max.
func (c *Client) newPoller(ctx context.Context, what string, max time.Duration) *poller {
	p := &poller{c: c, next: c.pollMin, what: what}
	if _, set := ctx.Deadline(); !set {
		p.deadline = c.clock.Now().Add(max)
	}
	return p
}

// wait sleeps before the next poll; progress summarises the last answer and
// resets the interval when it changes. It returns promptly when ctx ends.
func (p *poller) wait(ctx context.Context, progress string) error {
	if !p.started || progress != p.last {
		p.started, p.last, p.next = true, progress, p.c.pollMin
	}
	if !p.deadline.IsZero() && !p.c.clock.Now().Before(p.deadline) {
		return fmt.Errorf("%s did not finish within relman's default wait; it may still run on the org (check Setup → Deployment Status), and can be followed again with its id", p.what)
	}
	d := p.next
	p.next = min(2*p.next, p.c.pollMax)
	select {
	case <-p.c.clock.After(d):
		return nil
	case <-ctx.Done():
		return fmt.Errorf("stopped waiting (%w); the job keeps running on the org and can be resumed with its id", ctx.Err())
	}
}
