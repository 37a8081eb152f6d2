package logs

import (
	"cmp"
	"fmt"
	"slices"

	"relman/model"
)

// outcome groups the org's many status words (process.md's seventeen) into
// the four a reader filters by.
type outcome string

const (
	outcomeAll       outcome = ""
	outcomeRunning   outcome = "running"
	outcomeSucceeded outcome = "succeeded"
	outcomeFailed    outcome = "failed"
	outcomeCancelled outcome = "cancelled"
)

// outcomeOrder is the order the status filter cycles through.
var outcomeOrder = []outcome{outcomeRunning, outcomeSucceeded, outcomeFailed, outcomeCancelled}

// outcomeOf is the group of a log's status. A partial success counts as
// failed: some of what was asked did not happen. Cancelling is still
// running; a cancelled job is not a failure.
func outcomeOf(l model.DeploymentLog) outcome {
	switch l.Status {
	case model.LogSucceeded, model.LogRetrieveCompleted, model.LogValidationCompleted, model.LogRollbackCompleted:
		return outcomeSucceeded
	case model.LogCanceled:
		return outcomeCancelled
	case model.LogPending, model.LogInProgress, model.LogCanceling, model.LogRetrieveInProgress,
		model.LogValidationInProgress, model.LogRollbackInProgress:
		return outcomeRunning
	}
	if l.Running() {
		return outcomeRunning
	}
	return outcomeFailed
}

// attemptName is "DR-0004 attempt 2": the deployment record and which of
// its attempts, counted per record (log ids are global).
func attemptName(e entry) string {
	return fmt.Sprintf("%s attempt %d", model.FormatID(model.PrefixDeployment, e.l.Deployment), e.attempt)
}

// attemptShort is attemptName for the table: "DR-0004 #2".
func attemptShort(e entry) string {
	return fmt.Sprintf("%s #%d", model.FormatID(model.PrefixDeployment, e.l.Deployment), e.attempt)
}

// numberAttempts sets each entry's attempt: its place among its record's
// logs in the order they were written (log ids grow).
func numberAttempts(entries []entry) {
	byRecord := map[int64][]int{}
	for i, e := range entries {
		byRecord[e.l.Deployment] = append(byRecord[e.l.Deployment], i)
	}
	for _, ids := range byRecord {
		slices.SortFunc(ids, func(a, b int) int { return cmp.Compare(entries[a].l.ID, entries[b].l.ID) })
		for n, i := range ids {
			entries[i].attempt = n + 1
		}
	}
}
