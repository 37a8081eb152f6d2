package main

import (
	"bytes"
	"context"
	"fmt"
	"runtime"
	"syscall"
	"testing"
	"time"

	"relman/model"
	"relman/model/metadata"
	"relman/orgclient/salesforce"
)

// BenchmarkRetrieveDeploy10k retrieves a 10,000-component package from a
// `relman sim` process and deploys it back, with the client in this
// process, so the CPU time and memory reported are the client's alone.
// heap-peak-MB is the largest live heap seen while the transfer runs, to
// compare with the zip's size: the zip must never be held more than twice.
func BenchmarkRetrieveDeploy10k(b *testing.B) {
	dir := b.TempDir()
	w := &treeWriter{t: b, roots: []string{dir}}
	w.file(dir, "sfdx-project.json", `{"packageDirectories":[{"path":"force-app","default":true}],"sourceApiVersion":"62.0"}`)
	var components []metadata.Component
	for o := 0; o < 90; o++ {
		obj := fmt.Sprintf("Obj%03d__c", o)
		w.one(dir, fmt.Sprintf("objects/%s/%s.object-meta.xml", obj, obj), objectXML(obj))
		for f := 0; f < 100; f++ {
			field := fmt.Sprintf("Field%03d__c", f)
			w.one(dir, fmt.Sprintf("objects/%s/fields/%s.field-meta.xml", obj, field), fieldXML(field, 255))
			components = append(components, metadata.Component{Type: "CustomField", FullName: obj + "." + field})
		}
	}
	var labels []string
	for i := 0; i < 1000; i++ {
		name := fmt.Sprintf("Label_%04d", i)
		labels = append(labels, labelXML(name, "Text "+name))
		components = append(components, metadata.Component{Type: "CustomLabel", FullName: name})
	}
	w.one(dir, "labels/CustomLabels.labels-meta.xml", labelsXML(labels))

	org := startSimAt(b, dir, "--kind", "sandbox")
	client, err := salesforce.New(salesforce.Config{InstanceURL: org.url, Auth: model.AuthAccessToken,
		Credentials: model.Credentials{AccessToken: org.token}}, salesforce.WithPollInterval(50*time.Millisecond, time.Second))
	if err != nil {
		b.Fatal(err)
	}
	ctx := context.Background()
	var zipSize int
	var cpu time.Duration
	var peakHeap uint64
	for b.Loop() {
		before := cpuTime(b)
		stop := watchHeap(&peakHeap)
		res, err := client.RetrieveAndWait(ctx, salesforce.RetrieveRequest{Components: components}, nil)
		if err != nil {
			b.Fatal(err)
		}
		zipSize = len(res.ZipFile)
		id, err := client.Deploy(ctx, bytes.NewReader(res.ZipFile), salesforce.DeployOptions{SinglePackage: false, TestLevel: model.NoTestRun})
		if err != nil {
			b.Fatal(err)
		}
		dr, err := client.WaitDeploy(ctx, id, nil)
		if err != nil || !dr.Success || dr.NumberComponentsDeployed < len(components) {
			b.Fatalf("deploy %s: %v, success %v, %d of %d components", id, err, dr.Success, dr.NumberComponentsDeployed, len(components))
		}
		stop()
		cpu += cpuTime(b) - before
	}
	b.ReportMetric(float64(zipSize)/1e6, "zip-MB")
	b.ReportMetric(cpu.Seconds()/float64(b.N), "client-cpu-s/op")
	b.ReportMetric(float64(peakHeap)/1e6, "heap-peak-MB")
}

// startSimAt is startSim for a prepared directory.
func startSimAt(b *testing.B, dir string, extra ...string) simOrg {
	return startSimProcess(b, append([]string{"sim", "--dir", dir, "--test-ms", "5"}, extra...))
}

func cpuTime(b *testing.B) time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		b.Fatal(err)
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

// watchHeap samples the live heap every 10 ms into peak until stopped.
func watchHeap(peak *uint64) (stop func()) {
	done := make(chan struct{})
	finished := make(chan struct{})
	go func() {
		defer close(finished)
		var ms runtime.MemStats
		for {
			runtime.ReadMemStats(&ms)
			*peak = max(*peak, ms.HeapAlloc)
			select {
			case <-done:
				return
			case <-time.After(10 * time.Millisecond):
			}
		}
	}()
	return func() { close(done); <-finished }
}
