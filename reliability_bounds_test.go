package main

import (
	"archive/zip"
	"bytes"
	"encoding/base64"
	"fmt"
	"io"
	"net/http"
	"os"
	"os/exec"
	"strings"
	"syscall"
	"testing"
	"time"

	"relman/model"
)

// memoryCap is the most a relman process may use for any hostile answer.
const memoryCap = 200 << 20

// runMeasured runs one relman command and reports its peak resident memory.
func (c relmanCLI) runMeasured(user string, args ...string) (timed, int64) {
	c.t.Helper()
	self, err := os.Executable()
	if err != nil {
		c.t.Fatal(err)
	}
	cmd := exec.Command(self, append(args, "--json")...)
	cmd.Env = c.env(user)
	var out, errb bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &errb
	start := time.Now()
	done := make(chan error, 1)
	if err := cmd.Start(); err != nil {
		c.t.Fatal(err)
	}
	go func() { done <- cmd.Wait() }()
	res := timed{}
	select {
	case err = <-done:
	case <-time.After(commandDeadline):
		_ = cmd.Process.Kill()
		<-done
		res.hung = true
	}
	res.result = result{stdout: out.String(), stderr: errb.String(), code: cmd.ProcessState.ExitCode()}
	res.took = time.Since(start)
	var peak int64
	if ru, ok := cmd.ProcessState.SysUsage().(*syscall.Rusage); ok {
		peak = ru.Maxrss << 10 // KiB on Linux
	}
	return res, peak
}

const soapHead = `<?xml version="1.0" encoding="UTF-8"?><soapenv:Envelope xmlns:soapenv="http://schemas.xmlsoap.org/soap/envelope/" xmlns="http://soap.sforce.com/2006/04/metadata"><soapenv:Body>`
const soapTail = `</soapenv:Body></soapenv:Envelope>`

// streamAnswer writes head, then chunk until n bytes went (n < 0: forever
// while the client reads), then tail.
func streamAnswer(head, chunk, tail string, n int64) func(w http.ResponseWriter) {
	return func(w http.ResponseWriter) {
		w.Header().Set("Content-Type", "text/xml; charset=utf-8")
		w.WriteHeader(http.StatusOK)
		if _, err := io.WriteString(w, head); err != nil {
			return
		}
		buf := []byte(strings.Repeat(chunk, (64<<10)/len(chunk)))
		for sent := int64(0); n < 0 || sent < n; sent += int64(len(buf)) {
			if _, err := w.Write(buf); err != nil {
				return
			}
		}
		_, _ = io.WriteString(w, tail)
	}
}

// bombZip is a Metadata API zip whose one .object file expands to size
// bytes: a few hundred KB on the wire.
func bombZip(t *testing.T, size int) []byte {
	var buf bytes.Buffer
	zw := zip.NewWriter(&buf)
	pkg, _ := zw.Create("unpackaged/package.xml")
	io.WriteString(pkg, `<?xml version="1.0" encoding="UTF-8"?><Package xmlns="http://soap.sforce.com/2006/04/metadata"><types><members>Invoice__c.Due_Date__c</members><name>CustomField</name></types><version>62.0</version></Package>`)
	obj, _ := zw.Create("unpackaged/objects/Invoice__c.object")
	io.WriteString(obj, `<?xml version="1.0" encoding="UTF-8"?><CustomObject xmlns="http://soap.sforce.com/2006/04/metadata"><description>`)
	filler := bytes.Repeat([]byte("a"), 1<<20)
	for written := 0; written < size; written += len(filler) {
		obj.Write(filler)
	}
	io.WriteString(obj, `</description></CustomObject>`)
	if err := zw.Close(); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

// Each hostile answer ends in a clear error, with relman's memory under
// 200 MB: a 3 GB base64 retrieve, a checkDeployStatus body that never
// ends, a small zip expanding into a 390 MB .object, and failure
// messages of 700 KB each (stored cut to 16 KB).
func TestHostileAnswersAreBounded(t *testing.T) {
	t.Parallel()
	c, source, target, dr := hostileOrgs(t)
	proxy := source
	arm := func(f func(body []byte) func(w http.ResponseWriter)) {
		proxy.mu.Lock()
		defer proxy.mu.Unlock()
		proxy.answer = f
	}
	on := func(op string, write func(w http.ResponseWriter)) func(body []byte) func(w http.ResponseWriter) {
		return func(body []byte) func(w http.ResponseWriter) {
			if bytes.Contains(body, []byte("<"+op+">")) {
				return write
			}
			return nil
		}
	}
	retrieveHead := soapHead + `<checkRetrieveStatusResponse><result><done>true</done><id>09S000000000001AAA</id><status>Succeeded</status><success>true</success><zipFile>`
	retrieveTail := `</zipFile></result></checkRetrieveStatusResponse>` + soapTail
	bomb := bombZip(t, 390<<20)
	cases := []struct {
		name    string
		args    []string
		answer  func(body []byte) func(w http.ResponseWriter)
		want    string
		figures string
	}{
		{"3 GB base64 retrieve", []string{"deploy", "retrieve", dr},
			on("checkRetrieveStatus", streamAnswer(retrieveHead, "QUFB", retrieveTail, 3<<30)), "more than a Salesforce retrieve can", ""},
		{"zip expanding to a 390 MB .object", []string{"deploy", "retrieve", dr},
			on("checkRetrieveStatus", func(w http.ResponseWriter) {
				w.Header().Set("Content-Type", "text/xml")
				io.WriteString(w, retrieveHead+base64.StdEncoding.EncodeToString(bomb)+retrieveTail)
			}), "a zip bomb", fmt.Sprintf("zip %d KB", len(bomb)>>10)},
	}
	for _, tc := range cases {
		arm(tc.answer)
		r, peak := c.runMeasured("alice", tc.args...)
		env := r.envelope()
		switch {
		case r.hung:
			t.Errorf("%s: relman hung", tc.name)
		case env == nil || r.code == 0 || !strings.Contains(env.Message, tc.want):
			t.Errorf("%s: exit %d, %+v; want a clear error saying %q", tc.name, r.code, env, tc.want)
		case peak > memoryCap:
			t.Errorf("%s: peak memory %d MB, over %d MB", tc.name, peak>>20, memoryCap>>20)
		}
		t.Logf("%s: %s in %s, peak RSS %d MB %s", tc.name, tc.want, r.took.Round(time.Millisecond), peak>>20, tc.figures)
	}

	// An honest package, then hostile deploy status answers from the target.
	arm(nil)
	c.ok("alice", nil, "deploy", "retrieve", dr)
	proxy = target
	deployHead := soapHead + `<checkDeployStatusResponse><result><id>0Af000000000001AAA</id><done>false</done><status>InProgress</status><success>false</success><stateDetail>`
	arm(on("checkDeployStatus", streamAnswer(deployHead, "x", "", -1)))
	r, peak := c.runMeasured("alice", "deploy", "validate", dr)
	if env := r.envelope(); r.hung || env == nil || r.code == 0 || !strings.Contains(env.Message, "larger than 16 MB") || peak > memoryCap {
		t.Errorf("never-ending checkDeployStatus: hung %v, exit %d, peak %d MB: %s", r.hung, r.code, peak>>20, r.stderr+lastLine(r.stdout))
	}
	t.Logf("never-ending checkDeployStatus: stopped at 16 MB in %s, peak RSS %d MB", r.took.Round(time.Millisecond), peak>>20)

	// The validation is still open (its job id is saved): abandoning is not
	// for it; the org answers at last with 20 failures of 700 KB each.
	big := strings.Repeat("E", 700<<10)
	var failures strings.Builder
	for i := range 20 {
		fmt.Fprintf(&failures, `<componentFailures><componentType>ApexClass</componentType><fullName>C%d</fullName><fileName>classes/C%d.cls</fileName><problem>%s</problem><problemType>Error</problemType><success>false</success></componentFailures>`, i, i, big)
	}
	final := soapHead + `<checkDeployStatusResponse><result><id>0Af000000000001AAA</id><done>true</done><status>Failed</status><success>false</success><checkOnly>true</checkOnly><numberComponentErrors>20</numberComponentErrors><numberComponentsTotal>20</numberComponentsTotal><details>` +
		failures.String() + `</details></result></checkDeployStatusResponse>` + soapTail
	arm(on("checkDeployStatus", func(w http.ResponseWriter) {
		w.Header().Set("Content-Type", "text/xml")
		io.WriteString(w, final)
	}))
	before := fileSize(t, c.store)
	r, peak = c.runMeasured("alice", "deploy", "resume", dr)
	if r.hung || r.code == 0 || peak > memoryCap {
		t.Errorf("20 failures of 700 KB: hung %v exit %d peak %d MB", r.hung, r.code, peak>>20)
	}
	grew := fileSize(t, c.store) - before
	logOut := c.run("alice", "deploy", "log", dr)
	if grew > 4<<20 || len(logOut.stdout) > 2<<20 || !strings.Contains(logOut.stdout, "cut:") {
		t.Errorf("20 failures of 700 KB: the store grew %d KB and `deploy log` printed %d KB (want each message cut, noted)", grew>>10, len(logOut.stdout)>>10)
	}
	t.Logf("20 failures of 700 KB (%d KB answer): store grew %d KB, deploy log %d KB, peak RSS %d MB", len(final)>>10, grew>>10, len(logOut.stdout)>>10, peak>>20)
	var d deployJSON
	c.ok("auditor", &d, "deploy", "show", dr)
	if d.Status == string(model.DeployVerified) {
		t.Error("a failed validation left the deployment Verified")
	}
	c.verifyChain(t)
}

func lastLine(s string) string {
	lines := strings.Split(strings.TrimSpace(s), "\n")
	return lines[len(lines)-1]
}

func fileSize(t *testing.T, path string) int64 {
	fi, err := os.Stat(path)
	if err != nil {
		t.Fatal(err)
	}
	return fi.Size()
}
