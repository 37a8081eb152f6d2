package salesforce

import (
	"bufio"
	"bytes"
	"encoding/base64"
	"fmt"
	"io"
)

// extractZipField streams an answer and takes the text of its first
// <zipFile> element out, decoding it from base64 as it goes into at most
// max bytes. It returns the rest of the answer (with the element left
// empty) for the XML decoder, which then never holds the 52 MB of text, and
// the zip. An answer with no zipFile comes back whole.
func extractZipField(r io.Reader, max int64) (io.Reader, []byte, error) {
	br := bufio.NewReaderSize(r, 64<<10)
	var head bytes.Buffer
	for {
		chunk, err := br.ReadSlice('>')
		head.Write(chunk)
		if err == bufio.ErrBufferFull {
			continue
		}
		if err != nil {
			return io.MultiReader(&head, br), nil, nil
		}
		if isZipFileOpen(head.Bytes()) {
			break
		}
	}
	var zip bytes.Buffer
	n, err := io.Copy(&zip, io.LimitReader(base64.NewDecoder(base64.StdEncoding, upToTag{br}), max+1))
	if err != nil {
		return nil, nil, &ResponseError{StatusCode: 200, Problem: "<zipFile>: invalid base64: " + err.Error()}
	}
	if n > max {
		return nil, nil, &ResponseError{StatusCode: 200, Problem: fmt.Sprintf("<zipFile> holds more than %d MB, more than a Salesforce retrieve can", max>>20)}
	}
	return io.MultiReader(&head, br), zip.Bytes(), nil
}

// isZipFileOpen reports whether b ends with an opening zipFile tag, with
// or without a namespace prefix.
func isZipFileOpen(b []byte) bool {
	lt := bytes.LastIndexByte(b, '<')
	if lt < 0 {
		return false
	}
	tag := b[lt+1:]
	if i := bytes.IndexByte(tag, ':'); i >= 0 {
		tag = tag[i+1:]
	}
	return bytes.Equal(tag, []byte("zipFile>"))
}

// upToTag reads up to the next '<', leaving it unread.
type upToTag struct{ br *bufio.Reader }

func (u upToTag) Read(p []byte) (int, error) {
	n := 0
	for n < len(p) {
		peek, err := u.br.Peek(1)
		if err != nil {
			if n > 0 {
				return n, nil
			}
			return 0, err
		}
		if peek[0] == '<' {
			if n > 0 {
				return n, nil
			}
			return 0, io.EOF
		}
		buf := u.br.Buffered()
		chunk, _ := u.br.Peek(min(buf, len(p)-n))
		if i := bytes.IndexByte(chunk, '<'); i >= 0 {
			chunk = chunk[:i]
		}
		copy(p[n:], chunk)
		_, _ = u.br.Discard(len(chunk))
		n += len(chunk)
	}
	return n, nil
}
