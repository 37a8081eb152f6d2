package main

import (
	"archive/zip"
	"bytes"
	"encoding/base64"
	"io"
	"strings"
	"testing"

	"relman/model"
)

// editRetrievedZip rewrites the zip inside a checkRetrieveStatus answer:
// edit gets every file (by path) and may add, change or drop them.
func editRetrievedZip(t *testing.T, answer []byte, edit func(files map[string][]byte)) []byte {
	start := bytes.Index(answer, []byte("<zipFile>"))
	end := bytes.Index(answer, []byte("</zipFile>"))
	if start < 0 || end < start {
		return answer
	}
	raw, err := base64.StdEncoding.DecodeString(string(answer[start+len("<zipFile>") : end]))
	if err != nil {
		t.Errorf("hostile org: reading the retrieve zip: %v", err)
		return answer
	}
	zr, err := zip.NewReader(bytes.NewReader(raw), int64(len(raw)))
	if err != nil {
		t.Errorf("hostile org: %v", err)
		return answer
	}
	files := map[string][]byte{}
	for _, f := range zr.File {
		rc, err := f.Open()
		if err != nil {
			t.Errorf("hostile org: %v", err)
			return answer
		}
		files[f.Name], err = io.ReadAll(rc)
		rc.Close()
		if err != nil {
			t.Errorf("hostile org: %v", err)
			return answer
		}
	}
	edit(files)
	var out bytes.Buffer
	zw := zip.NewWriter(&out)
	for name, b := range files {
		w, err := zw.Create(name)
		if err == nil {
			_, err = w.Write(b)
		}
		if err != nil {
			t.Errorf("hostile org: %v", err)
			return answer
		}
	}
	if err := zw.Close(); err != nil {
		t.Errorf("hostile org: %v", err)
		return answer
	}
	return bytes.Join([][]byte{answer[:start+len("<zipFile>")], []byte(base64.StdEncoding.EncodeToString(out.Bytes())), answer[end:]}, nil)
}

const apexClassMeta = `<?xml version="1.0" encoding="UTF-8"?>
<ApexClass xmlns="http://soap.sforce.com/2006/04/metadata"><apiVersion>62.0</apiVersion><status>Active</status></ApexClass>
`

// hostileRun sets up uat behind a tampering proxy, production, and an
// approved deployment of InvoiceService whose CR was compared (the review
// the approval binds) before it was approved.
func hostileRun(t *testing.T) (relmanCLI, *lossyProxy, string) {
	c, src, _, dr := hostileOrgs(t)
	return c, src, dr
}

// hostileOrgs is hostileRun with the target behind a proxy as well.
func hostileOrgs(t *testing.T) (relmanCLI, *lossyProxy, *lossyProxy, string) {
	c := newCLI(t, tempStore(t))
	uat := startSimProcess(t, []string{"sim", "--dir", copyOrg(t, "uat"), "--kind", "sandbox", "--test-ms", "5"})
	prod := startSimProcess(t, []string{"sim", "--dir", copyOrg(t, "production"), "--kind", "production", "--test-ms", "5"})
	proxy := newLossyProxy(t, uat.url, false)
	proxy.lose = false
	c.ok("alice", nil, "env", "add", "uat", "--kind", "sandbox", "--url", proxy.srv.URL, "--auth", "refresh-token",
		"--refresh-token", uat.refresh, "--client-id", "relman")
	target := newLossyProxy(t, prod.url, false)
	target.lose = false
	c.ok("alice", nil, "env", "add", "production", "--kind", "production", "--url", target.srv.URL, "--auth", "refresh-token",
		"--refresh-token", prod.refresh, "--client-id", "relman")
	cr := c.approvedCR(t, "--name", "Due dates", "--component", "ApexClass:InvoiceService", "--component", "ApexClass:InvoiceServiceTest",
		"--component", "CustomField:Invoice__c.Due_Date__c")
	c.ok("alice", nil, "compare", "uat", "production", "--cr", cr)
	var d deployJSON
	c.ok("alice", &d, "deploy", "new", "--cr", cr, "--from", "uat", "--to", "production", "--test-level", "RunLocalTests")
	c.approveDeployment(t, "alice", d.ID)
	return c, proxy, target, d.ID
}

func (p *lossyProxy) setTamper(f func([]byte) []byte) {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.tamper = f
}

// A source org whose retrieve answer holds more than was asked for — an
// extra class listed in package.xml, a destructive manifest deleting a
// class nobody approved — is refused with the difference listed, and
// nothing is kept to deploy.
func TestHostileRetrieveScopeIsRefused(t *testing.T) {
	t.Parallel()
	c, proxy, dr := hostileRun(t)
	cases := []struct {
		name string
		edit func(files map[string][]byte)
		want string
	}{
		{"extra class", func(files map[string][]byte) {
			files["unpackaged/classes/Backdoor.cls"] = []byte("public class Backdoor { }")
			files["unpackaged/classes/Backdoor.cls-meta.xml"] = []byte(apexClassMeta)
			files["unpackaged/package.xml"] = bytes.Replace(files["unpackaged/package.xml"], []byte("<members>InvoiceService</members>"),
				[]byte("<members>Backdoor</members><members>InvoiceService</members>"), 1)
		}, "not approved: ApexClass:Backdoor"},
		{"extra file not in package.xml", func(files map[string][]byte) {
			files["unpackaged/classes/Backdoor.cls"] = []byte("public class Backdoor { }")
			files["unpackaged/classes/Backdoor.cls-meta.xml"] = []byte(apexClassMeta)
		}, "files of ApexClass:Backdoor"},
		{"destructive manifest", func(files map[string][]byte) {
			files["unpackaged/destructiveChanges.xml"] = []byte(`<?xml version="1.0" encoding="UTF-8"?>
<Package xmlns="http://soap.sforce.com/2006/04/metadata"><types><members>Important</members><name>ApexClass</name></types><version>62.0</version></Package>`)
		}, "deletion not approved: ApexClass:Important"},
		{"wildcard", func(files map[string][]byte) {
			files["unpackaged/package.xml"] = bytes.Replace(files["unpackaged/package.xml"], []byte("<members>InvoiceService</members>"),
				[]byte("<members>*</members>"), 1)
		}, "wildcard member"},
	}
	for _, tc := range cases {
		proxy.setTamper(func(answer []byte) []byte { return editRetrievedZip(t, answer, tc.edit) })
		msg := c.refused("alice", 1, "PackageScopeError", "deploy", "retrieve", dr)
		if !strings.Contains(msg, tc.want) {
			t.Errorf("%s: refused with %q; want it to name %q", tc.name, msg, tc.want)
		}
		var shown deployJSON
		c.ok("auditor", &shown, "deploy", "show", dr)
		if shown.Package != nil {
			t.Errorf("%s: a refused package was kept (%s)", tc.name, shown.Package.SHA256)
		}
	}
	proxy.setTamper(nil)
	var d deployJSON
	c.ok("alice", &d, "deploy", "retrieve", dr)
	if d.Package == nil || len(d.Package.Components) != 3 {
		t.Fatalf("the honest retrieve kept %+v, want the 3 approved components", d.Package)
	}
	c.verifyChain(t)
}

// Code changed in the sandbox after it was reviewed is not deployed: the
// retrieve sends the deployment back for approval naming the component,
// and once approved again the new content is what deploys.
func TestContentChangedAfterReviewGoesBackForApproval(t *testing.T) {
	t.Parallel()
	c, proxy, dr := hostileRun(t)
	proxy.setTamper(func(answer []byte) []byte {
		return editRetrievedZip(t, answer, func(files map[string][]byte) {
			p := "unpackaged/classes/InvoiceService.cls"
			files[p] = append(files[p], []byte("\n// changed after review\n")...)
		})
	})
	msg := c.refused("alice", 1, "ContentChangedError", "deploy", "retrieve", dr)
	if !strings.Contains(msg, "ApexClass:InvoiceService") || strings.Contains(msg, "InvoiceServiceTest") {
		t.Errorf("refusal %q should name ApexClass:InvoiceService only", msg)
	}
	var shown deployJSON
	c.ok("auditor", &shown, "deploy", "show", dr)
	if shown.Status != string(model.DeployPending) || shown.ApprovalStatus != string(model.ApprovalPending) {
		t.Fatalf("after changed content %s is %s/%s, want Pending Approval", dr, shown.Status, shown.ApprovalStatus)
	}
	c.refused("alice", 1, "NotDeployableError", "deploy", "run", dr)
	// The approvers look again and approve the new content.
	c.ok("bob", nil, "deploy", "approve", dr)
	c.ok("carol", nil, "deploy", "approve", dr)
	c.ok("alice", nil, "deploy", "retrieve", dr)
	// The org changes it once more: sent back again.
	proxy.setTamper(func(answer []byte) []byte {
		return editRetrievedZip(t, answer, func(files map[string][]byte) {
			p := "unpackaged/classes/InvoiceServiceTest.cls"
			files[p] = append(files[p], []byte("\n// and again\n")...)
		})
	})
	if msg := c.refused("alice", 1, "ContentChangedError", "deploy", "retrieve", dr); !strings.Contains(msg, "ApexClass:InvoiceServiceTest") {
		t.Errorf("second change refused with %q", msg)
	}
	c.verifyChain(t)
}

// Two `deploy run` at once: the org holds the first run's deploy call open
// until the second run has ended, so the runs certainly overlap. The
// check that nothing runs and the claim of the attempt are one
// transaction: the second is refused with a clear message while the first
// is in flight, and the org sees exactly one deploy.
func TestTwoDeployRunsAtOnceDeployOnce(t *testing.T) {
	t.Parallel()
	c, prod, proxy, dr := proxiedRun(t, false, false)
	first, second := overlapping(t, c, proxy, "deploy", "run", dr, "--json")
	oneGotThrough(t, first, second, dr)
	if n := realDeploys(t, prod); n != 1 {
		t.Errorf("the org ran %d deploys, want exactly 1", n)
	}
	c.verifyChain(t)
}

// A verify that fails leaves the deployment Deployed; running it again is
// a new decision that needs its reason, and keeps the first snapshot.
func TestRedeployAfterFailedVerifyNeedsAReason(t *testing.T) {
	t.Parallel()
	c, proxy, dr := hostileRun(t)
	c.ok("alice", nil, "deploy", "retrieve", dr)
	// From now on uat's copies read differently, so verify finds them unlike.
	proxy.setTamper(func(answer []byte) []byte {
		return editRetrievedZip(t, answer, func(files map[string][]byte) {
			p := "unpackaged/classes/InvoiceService.cls"
			if files[p] != nil {
				files[p] = append(files[p], []byte("\n// edited during the deploy\n")...)
			}
		})
	})
	if r := c.run("alice", "deploy", "run", dr, "--json"); r.code == 0 {
		t.Fatal("deploy run passed its verify although the source changed under it")
	}
	var shown deployJSON
	c.ok("auditor", &shown, "deploy", "show", dr)
	if shown.Status != string(model.DeployDeployed) {
		t.Fatalf("after the failed verify %s is %s, want Deployed", dr, shown.Status)
	}
	snap := snapshotOf(t, c, dr)
	c.refused("alice", 1, "RedeployNeedsReasonError", "deploy", "run", dr)
	proxy.setTamper(nil)
	var d deployJSON
	c.ok("alice", &d, "deploy", "run", dr, "--redeploy-reason", "verify compared a copy edited mid-deploy; deploying the approved package again")
	if d.Status != string(model.DeployVerified) {
		t.Fatalf("after the redeploy %s is %s, want Verified", dr, d.Status)
	}
	if got := snapshotOf(t, c, dr); got != snap {
		t.Errorf("the redeploy replaced the first snapshot %s with %s", snap, got)
	}
	c.verifyChain(t)
}
