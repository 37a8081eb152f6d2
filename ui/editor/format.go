package editor

import (
	"errors"

	"relman/model"
)

// ruleError presents a refusal on the status line: a model.RuleError shows
// its rule and specifics, without its Fix, which names command line flags.
type ruleError struct{ err error }

func (e ruleError) Error() string {
	var re *model.RuleError
	if errors.As(e.err, &re) {
		if re.Detail != "" {
			return re.Rule + ": " + re.Detail
		}
		return re.Rule
	}
	return e.err.Error()
}

func (e ruleError) Unwrap() error { return e.err }
