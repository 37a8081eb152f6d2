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
}

func (c *Client) newPoller() *poller { return &poller{c: c, next: c.pollMin} }

// wait sleeps before the next poll; progress summarises the last answer and
// resets the interval when it changes. It returns promptly when ctx ends.
func (p *poller) wait(ctx context.Context, progress string) error {
	if !p.started || progress != p.last {
		p.started, p.last, p.next = true, progress, p.c.pollMin
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
