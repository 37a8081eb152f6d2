package salesforce

import (
	"archive/zip"
	"bufio"
	"bytes"
	"context"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"runtime"
	"testing"

	"relman/model"
)

// randomZip builds a zip of about size bytes that does not compress.
func randomZip(b *testing.B, size int) []byte {
	payload := make([]byte, size)
	rand.Read(payload)
	var buf bytes.Buffer
	zw := zip.NewWriter(&buf)
	w, _ := zw.CreateHeader(&zip.FileHeader{Name: "unpackaged/staticresources/blob.resource", Method: zip.Store})
	w.Write(payload)
	w, _ = zw.Create("unpackaged/package.xml")
	io.WriteString(w, `<Package xmlns="http://soap.sforce.com/2006/04/metadata"><version>66.0</version></Package>`)
	if err := zw.Close(); err != nil {
		b.Fatal(err)
	}
	return buf.Bytes()
}

// untilTag reads from br up to (not including) the next '<'.
type untilTag struct{ br *bufio.Reader }

func (u untilTag) Read(p []byte) (int, error) {
	peek, err := u.br.Peek(1)
	if len(peek) == 0 {
		return 0, err
	}
	if peek[0] == '<' {
		return 0, io.EOF
	}
	buffered, _ := u.br.Peek(min(u.br.Buffered(), len(p)))
	if i := bytes.IndexByte(buffered, '<'); i >= 0 {
		buffered = buffered[:i]
	}
	return u.br.Read(p[:max(len(buffered), 1)])
}

// streamZipFile hashes the base64 zip inside a deploy envelope while it
// arrives, so the server side adds no copy of the zip to the measurement.
func streamZipFile(r io.Reader) ([32]byte, error) {
	br := bufio.NewReaderSize(r, 64<<10)
	for {
		seg, err := br.ReadSlice('>')
		if err != nil {
			return [32]byte{}, err
		}
		if bytes.HasSuffix(seg, []byte("<ZipFile>")) {
			break
		}
	}
	h := sha256.New()
	if _, err := io.Copy(h, base64.NewDecoder(base64.StdEncoding, untilTag{br})); err != nil {
		return [32]byte{}, err
	}
	if _, err := io.Copy(io.Discard, br); err != nil {
		return [32]byte{}, err
	}
	return [32]byte(h.Sum(nil)), nil
}

// BenchmarkDeployStreaming deploys a ~30 MB zip to a loopback server that
// decodes it as it arrives. B/op shows the client does not build the base64
// envelope in memory: it stays far below the zip's own size.
func BenchmarkDeployStreaming(b *testing.B) {
	zipBytes := randomZip(b, 30<<20)
	want := sha256.Sum256(zipBytes)
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		sum, err := streamZipFile(r.Body)
		if err != nil || sum != want {
			b.Errorf("server got a different zip (%v)", err)
		}
		writeSOAP(w, http.StatusOK, `<deployResponse><result><done>false</done><id>0Af1</id><state>Queued</state></result></deployResponse>`)
	}))
	defer srv.Close()
	c, err := New(Config{InstanceURL: srv.URL, Auth: model.AuthAccessToken, APIVersion: "66.0",
		Credentials: model.Credentials{AccessToken: "00D5g00000AbCdE!AQ8AQ.bench"}})
	if err != nil {
		b.Fatal(err)
	}
	ctx := context.Background()
	b.SetBytes(int64(len(zipBytes)))
	b.ReportAllocs()
	var before, after runtime.MemStats
	runtime.ReadMemStats(&before)
	n := 0
	for b.Loop() {
		if _, err := c.Deploy(ctx, bytes.NewReader(zipBytes), DeployOptions{}); err != nil {
			b.Fatal(err)
		}
		n++
	}
	runtime.ReadMemStats(&after)
	b.ReportMetric(float64(after.TotalAlloc-before.TotalAlloc)/float64(n)/float64(len(zipBytes)), "alloc-bytes/zip-byte")
}

func TestStreamZipFile(t *testing.T) {
	env := soapEnvelope("<deploy><ZipFile>" + base64.StdEncoding.EncodeToString([]byte("hello zip")) + "</ZipFile><DeployOptions/></deploy>")
	sum, err := streamZipFile(bytes.NewReader([]byte(env)))
	if err != nil || sum != sha256.Sum256([]byte("hello zip")) {
		t.Fatalf("streamZipFile = %x, %v", sum, err)
	}
	if _, err := streamZipFile(bytes.NewReader([]byte("<a>no zip</a>"))); !errors.Is(err, io.EOF) {
		t.Fatalf("no ZipFile: %v", err)
	}
}
