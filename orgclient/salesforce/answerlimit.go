package salesforce

import (
	"fmt"
	"io"
)

// Bounds on the org's answers, read before any of it is decoded: an answer
// beyond them is not one Salesforce gives, and reading on would let a
// broken or hostile server run relman out of memory.
const (
	// MaxRetrieveAnswer is checkRetrieveStatus with its zip: the 39 MB zip
	// limit, base64-encoded (52 MB), and the envelope around it.
	MaxRetrieveAnswer = 56 << 20
	// MaxAnswer is every other SOAP or REST answer (status, lists, queries).
	MaxAnswer = 16 << 20
)

// answerLimit is the bound on op's answer.
func answerLimit(op string) int64 {
	if op == "checkRetrieveStatus" {
		return MaxRetrieveAnswer
	}
	return MaxAnswer
}

// cappedBody reads at most max bytes of an answer and then fails: over
// tells the caller the answer, not the network, was at fault.
type cappedBody struct {
	r    io.ReadCloser
	left int64
	max  int64
	over bool
}

func capBody(r io.ReadCloser, max int64) *cappedBody {
	return &cappedBody{r: r, left: max, max: max}
}

func (b *cappedBody) Read(p []byte) (int, error) {
	if b.left <= 0 {
		// One byte more tells an answer of exactly max bytes from a longer one.
		var one [1]byte
		if n, _ := b.r.Read(one[:]); n > 0 {
			b.over = true
			return 0, b.tooLarge()
		}
		return 0, io.EOF
	}
	if int64(len(p)) > b.left {
		p = p[:b.left]
	}
	n, err := b.r.Read(p)
	b.left -= int64(n)
	return n, err
}

func (b *cappedBody) Close() error { return b.r.Close() }

func (b *cappedBody) tooLarge() error {
	return &ResponseError{StatusCode: 200, Problem: fmt.Sprintf("the answer is larger than %d MB, more than Salesforce sends for this call; relman stopped reading it (check the URL: is this really a Salesforce org?)", b.max>>20)}
}
