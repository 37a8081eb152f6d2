package salesforce

import (
	"context"
	"encoding/xml"
	"strings"
)

// CheckDeployStatus polls a deploy once (§2.7). includeDetails adds the
// component and test lists, which grow with the deploy: ask for them when it
// is done.
func (c *Client) CheckDeployStatus(ctx context.Context, id string, includeDetails bool) (DeployResult, error) {
	payload := struct {
		XMLName        xml.Name `xml:"checkDeployStatus"`
		AsyncProcessID string   `xml:"asyncProcessId"`
		IncludeDetails bool     `xml:"includeDetails"`
	}{AsyncProcessID: id, IncludeDetails: includeDetails}
	res, err := soapCall[DeployResult](ctx, c, "checkDeployStatus", payload, true)
	return single(c, "checkDeployStatus", res, err)
}

// WaitDeploy polls a deploy until it is done, calling onProgress after each
// poll, and returns the final result with details. Polls are spaced by the
// poll interval (1 s rising to 10 s while no counter moves), one call at a
// time; ctx ends the wait at once, leaving the deploy running on the org. A
// Failed or Canceled deploy is a result, not an error: read its Status and
// ComponentFailures.
func (c *Client) WaitDeploy(ctx context.Context, id string, onProgress func(DeployResult)) (DeployResult, error) {
	p := c.newPoller(ctx, "deploy "+id, DefaultDeployWait)
	for {
		r, err := c.CheckDeployStatus(ctx, id, false)
		if err != nil {
			return r, err
		}
		if r.Done {
			if r, err = c.CheckDeployStatus(ctx, id, true); err != nil {
				return r, err
			}
			if onProgress != nil {
				onProgress(r)
			}
			return r, nil
		}
		if onProgress != nil {
			onProgress(r)
		}
		if err := p.wait(ctx, r.progress()); err != nil {
			return r, c.opErr("wait for deploy "+id, err)
		}
	}
}

// CancelDeployResult is cancelDeploy's answer: Done is true when the deploy
// was still queued; otherwise it moves to Canceling, then Canceled (§2.8).
type CancelDeployResult struct {
	Done bool   `xml:"done"`
	ID   string `xml:"id"`
}

// CancelDeploy asks the org to cancel a deploy. Cancelling a finished deploy
// is a SOAPFault INVALID_ID_FIELD "Deployment already completed" (§2.8).
func (c *Client) CancelDeploy(ctx context.Context, id string) (CancelDeployResult, error) {
	payload := struct {
		XMLName xml.Name `xml:"cancelDeploy"`
		ID      string   `xml:"String"`
	}{ID: id}
	res, err := soapCall[CancelDeployResult](ctx, c, "cancelDeploy", payload, false)
	return single(c, "cancelDeploy", res, err)
}

// DeployRecentValidation quick-deploys a successful checkOnly validation
// from the last 10 days and returns the new deploy id to wait on (§2.9).
func (c *Client) DeployRecentValidation(ctx context.Context, validationID string) (string, error) {
	payload := struct {
		XMLName      xml.Name `xml:"deployRecentValidation"`
		ValidationID string   `xml:"validationId"`
	}{ValidationID: validationID}
	res, err := soapCall[string](ctx, c, "deployRecentValidation", payload, false)
	id, err := single(c, "deployRecentValidation", res, err)
	return strings.TrimSpace(id), err
}
