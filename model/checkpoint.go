package model

import (
	"bufio"
	"bytes"
	"fmt"
	"strconv"
	"strings"
	"time"
)

// Checkpoint fixes the audit trail's length and head at one moment, signed
// by whoever took it. Kept outside the store (a ticket, a git repository,
// the production org), it lets verify notice an old copy of the store put
// back, or events cut off its end: the chain alone cannot tell.
type Checkpoint struct {
	Seq  uint64
	Head string
	User string
	Time time.Time
	// Signature is the SSHSIG signature of Message by User's key.
	Signature []byte
}

const checkpointMagic = "relman audit checkpoint v1"

// Message is what the checkpoint's signature covers. It starts with a line
// no event message can start with (those start with a hex hash), so a
// checkpoint signature is never valid for an event, nor the reverse.
func (c Checkpoint) Message() []byte {
	return fmt.Appendf(nil, "%s\nseq %d\nhead %s\nuser %s\ntime %s\n", checkpointMagic, c.Seq, c.Head, c.User, c.Time.UTC().Format(time.RFC3339))
}

// maxCheckpoint bounds a checkpoint file: a few lines and one signature.
const maxCheckpoint = 32 << 10

// ParseCheckpoint reads a checkpoint's Message lines followed by its
// armored signature; unarmor turns the armor into the signature bytes.
func ParseCheckpoint(text []byte, unarmor func([]byte) ([]byte, error)) (Checkpoint, error) {
	bad := func(why string) (Checkpoint, error) {
		return Checkpoint{}, fmt.Errorf("not a relman checkpoint (%s): give a file written by relman audit checkpoint", why)
	}
	if len(text) > maxCheckpoint {
		return bad("too long")
	}
	var c Checkpoint
	sc := bufio.NewScanner(bytes.NewReader(text))
	lines := 0
	for lines < 5 && sc.Scan() {
		line := sc.Text()
		key, value, _ := strings.Cut(line, " ")
		switch {
		case lines == 0 && line != checkpointMagic:
			return bad("first line is not " + checkpointMagic)
		case lines == 0:
		case key == "seq":
			n, err := strconv.ParseUint(value, 10, 64)
			if err != nil {
				return bad("seq " + value)
			}
			c.Seq = n
		case key == "head" && len(value) == 64:
			c.Head = value
		case key == "user":
			c.User = value
		case key == "time":
			t, err := time.Parse(time.RFC3339, value)
			if err != nil {
				return bad("time " + value)
			}
			c.Time = t
		default:
			return bad("unexpected line " + strconv.Quote(line))
		}
		lines++
	}
	if lines < 5 || c.Head == "" || c.User == "" {
		return bad("a line is missing")
	}
	rest := text[bytes.Index(text, []byte("time ")):]
	rest = rest[bytes.IndexByte(rest, '\n')+1:]
	sig, err := unarmor(rest)
	if err != nil {
		return bad(err.Error())
	}
	c.Signature = sig
	return c, nil
}
