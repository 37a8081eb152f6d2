package salesforce

import (
	"bufio"
	"context"
	"encoding/base64"
	"encoding/xml"
	"errors"
	"fmt"
	"io"
	"slices"

	"relman/model"
)

// DeployOptions are the Metadata API deploy options, in WSDL order (§2.6).
// Every boolean is sent, as the WSDL requires. Production orgs need
// RollbackOnError true and refuse PurgeOnDelete, AllowMissingFiles,
// AutoUpdatePackage and PerformRetrieve.
type DeployOptions struct {
	AllowMissingFiles bool `xml:"allowMissingFiles"`
	AutoUpdatePackage bool `xml:"autoUpdatePackage"`
	// CheckOnly validates without committing; a successful validation can be
	// quick-deployed with DeployRecentValidation (§2.9).
	CheckOnly       bool `xml:"checkOnly"`
	IgnoreWarnings  bool `xml:"ignoreWarnings"`
	PerformRetrieve bool `xml:"performRetrieve"`
	PurgeOnDelete   bool `xml:"purgeOnDelete"`
	RollbackOnError bool `xml:"rollbackOnError"`
	// RunTests names test classes; only with RunSpecifiedTests, which an
	// empty TestLevel then defaults to (as ForceCLI does).
	RunTests      []string `xml:"runTests,omitempty"`
	SinglePackage bool     `xml:"singlePackage"`
	// TestLevel empty lets the org decide: no tests in sandboxes, local
	// tests in production when the zip has Apex (§2.6).
	TestLevel model.TestLevel `xml:"testLevel,omitempty"`
}

// runRelevantTests is the newer test level recent CLIs send (§2.6).
const runRelevantTests model.TestLevel = "RunRelevantTests"

func (o DeployOptions) checked() (DeployOptions, error) {
	if len(o.RunTests) > 0 && o.TestLevel == "" {
		o.TestLevel = model.RunSpecifiedTests
	}
	switch {
	case o.TestLevel != "" && o.TestLevel != runRelevantTests && !slices.Contains(model.TestLevels, o.TestLevel):
		return o, fmt.Errorf("test level %q is not one of %v", o.TestLevel, model.TestLevels)
	case len(o.RunTests) > 0 && o.TestLevel != model.RunSpecifiedTests:
		return o, fmt.Errorf("test classes are named but the test level is %s: name tests only with %s", o.TestLevel, model.RunSpecifiedTests)
	case o.TestLevel == model.RunSpecifiedTests && len(o.RunTests) == 0:
		return o, fmt.Errorf("test level %s needs at least one test class", model.RunSpecifiedTests)
	}
	return o, nil
}

// Deploy checks the zip against Salesforce's limits, then sends it and
// returns the deploy id (0Af…). The base64 zip is streamed into the request
// through a pipe: the envelope is never built in memory. zip is read from
// its current offset without moving it when it is an io.ReaderAt and
// io.Seeker (*os.File, *bytes.Reader); any other reader is read into memory
// once. A deploy is never retried after a 5xx or a timeout, since the org
// may have started it; it is resent once only when the org refused the
// session (§5.2).
func (c *Client) Deploy(ctx context.Context, zip io.Reader, opts DeployOptions) (string, error) {
	const op = "deploy"
	if zip == nil {
		return "", c.opErr(op, errors.New("no deploy package given"))
	}
	src, err := zipSource(zip)
	if err != nil {
		return "", c.opErr(op, err)
	}
	if err := CheckZip(src, src.Size()); err != nil {
		return "", c.opErr(op, err)
	}
	if opts, err = opts.checked(); err != nil {
		return "", c.opErr(op, err)
	}
	optsXML, err := xml.Marshal(struct {
		DeployOptions
		XMLName xml.Name `xml:"DeployOptions"`
	}{DeployOptions: opts})
	if err != nil {
		return "", c.opErr(op, err)
	}
	opTail := slices.Concat([]byte("</ZipFile>"), optsXML, []byte("</deploy>"))
	res, err := soapSend[AsyncResult](ctx, c, request{op: op, body: func(t token) (io.ReadCloser, int64, error) {
		head, tail := envelopeParts(t.access)
		head = append(head, "<deploy><ZipFile>"...)
		tail = append(opTail[:len(opTail):len(opTail)], tail...)
		n := int64(len(head)) + int64(base64.StdEncoding.EncodedLen(int(src.Size()))) + int64(len(tail))
		return streamBody(head, io.NewSectionReader(src, 0, src.Size()), tail), n, nil
	}})
	r, err := single(c, op, res, err)
	return r.ID, err
}

// zipReadError is a failure to read the caller's zip while streaming it.
type zipReadError struct{ err error }

func (e *zipReadError) Error() string { return "reading the deploy package: " + e.err.Error() }
func (e *zipReadError) Unwrap() error { return e.err }

// streamBody writes head, the base64 of zip (standard alphabet, no line
// breaks, §5.6) and tail into a pipe. Memory stays at a few buffers whatever
// the zip size. When the HTTP transport stops reading, it closes the pipe
// and the writer ends.
func streamBody(head []byte, zip io.Reader, tail []byte) io.ReadCloser {
	pr, pw := io.Pipe()
	go func() {
		bw := bufio.NewWriterSize(pw, 64<<10)
		err := func() error {
			if _, err := bw.Write(head); err != nil {
				return err
			}
			enc := base64.NewEncoder(base64.StdEncoding, bw)
			if _, err := io.Copy(enc, readErrs{zip}); err != nil {
				return err
			}
			if err := enc.Close(); err != nil {
				return err
			}
			if _, err := bw.Write(tail); err != nil {
				return err
			}
			return bw.Flush()
		}()
		pw.CloseWithError(err)
	}()
	return pr
}

// readErrs marks errors from the zip reader so they are reported as such,
// not as network failures.
type readErrs struct{ r io.Reader }

func (r readErrs) Read(p []byte) (int, error) {
	n, err := r.r.Read(p)
	if err != nil && !errors.Is(err, io.EOF) {
		err = &zipReadError{err}
	}
	return n, err
}
