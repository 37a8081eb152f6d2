package orgclient

import (
	"context"
	"errors"
	"net"
	"net/url"
	"syscall"
	"time"

	"relman/model"
	"relman/orgclient/salesforce"
)

// UnknownOutcomeError is a deploy call whose answer never arrived: the
// request may have reached the org, which may have started the job.
type UnknownOutcomeError struct{ Err error }

func (e *UnknownOutcomeError) Error() string {
	return "the answer to the deploy call was lost, so the org may have started it: " + e.Err.Error()
}

func (e *UnknownOutcomeError) Unwrap() error { return e.Err }

// deployCallErr marks a failed deploy call whose request may have reached
// the org. An org's own refusal (a fault, an API or sign-in error, a
// limit), a refused connection or an unknown host are definite: nothing
// was started.
func deployCallErr(err error) error {
	var (
		fault   *salesforce.SOAPFault
		api     *salesforce.APIError
		auth    *salesforce.AuthError
		limit   *salesforce.LimitError
		answer  *salesforce.ResponseError
		sent    *url.Error
		dnsFail *net.DNSError
	)
	switch {
	case err == nil, errors.As(err, &fault), errors.As(err, &api), errors.As(err, &auth), errors.As(err, &limit),
		errors.Is(err, syscall.ECONNREFUSED), errors.As(err, &dnsFail):
		return err
	case errors.As(err, &answer), errors.As(err, &sent):
		return &UnknownOutcomeError{Err: err}
	}
	return err
}

// FindDeploys implements Org with the Tooling API's DeployRequest.
func (o salesforceOrg) FindDeploys(ctx context.Context, since time.Time) ([]DeployState, error) {
	rows, err := o.c.RecentDeploys(ctx, since)
	if err != nil {
		return nil, err
	}
	out := make([]DeployState, len(rows))
	for i, r := range rows {
		out[i] = DeployState{JobID: r.ID, Status: model.LogStatus(r.Status), CheckOnly: r.CheckOnly}
	}
	return out, nil
}

// FindDeploys implements Org: a directory deploy finishes inside the call
// that starts it, so no job of one can be lost.
func (o localOrg) FindDeploys(context.Context, time.Time) ([]DeployState, error) {
	return nil, nil
}
