package salesforce

import (
	"bytes"
	"context"
	"encoding/base64"
	"encoding/xml"
	"errors"
	"fmt"
	"io"
	"net/http"
	"slices"
	"strings"
	"time"
)

// Namespaces of the Metadata API's SOAP 1.1 document/literal binding (§2.1).
const (
	soapEnvNS  = "http://schemas.xmlsoap.org/soap/envelope/"
	metadataNS = "http://soap.sforce.com/2006/04/metadata"
)

// envelopeParts returns what goes before and after the operation element.
// The metadata namespace is the envelope's default namespace, so the
// operation and SessionHeader elements need no prefix (§2.1).
func envelopeParts(session string) (head, tail []byte) {
	var b bytes.Buffer
	b.WriteString(xml.Header)
	b.WriteString(`<soapenv:Envelope xmlns:soapenv="` + soapEnvNS + `" xmlns="` + metadataNS + `">`)
	b.WriteString(`<soapenv:Header><SessionHeader><sessionId>`)
	_ = xml.EscapeText(&b, []byte(session))
	b.WriteString(`</sessionId></SessionHeader></soapenv:Header><soapenv:Body>`)
	return b.Bytes(), []byte(`</soapenv:Body></soapenv:Envelope>`)
}

// soapCall marshals payload (a struct whose XMLName is the operation) into
// an envelope, sends it and decodes the operation's result elements.
func soapCall[T any](ctx context.Context, c *Client, op string, payload any, idempotent bool) ([]T, error) {
	return soapCallZip[T](ctx, c, op, payload, idempotent, nil)
}

// soapCallZip is soapCall that, with zip set, streams the answer's
// <zipFile> into *zip rather than through the XML decoder.
func soapCallZip[T any](ctx context.Context, c *Client, op string, payload any, idempotent bool, zip *[]byte) ([]T, error) {
	inner, err := xml.Marshal(payload)
	if err != nil {
		return nil, c.opErr(op, err)
	}
	return soapSend[T](ctx, c, request{op: op, idempotent: idempotent, zip: zip, body: func(t token) (io.ReadCloser, int64, error) {
		head, tail := envelopeParts(t.access)
		b := slices.Concat(head, inner, tail)
		return io.NopCloser(bytes.NewReader(b)), int64(len(b)), nil
	}})
}

// soapSend posts r to the Metadata API endpoint /services/Soap/m/<version>
// (§2.1) and decodes the result elements of r.op's response.
func soapSend[T any](ctx context.Context, c *Client, r request) ([]T, error) {
	v, err := c.APIVersion(ctx)
	if err != nil {
		return nil, err
	}
	r.method, r.soap, r.path = http.MethodPost, true, "/services/Soap/m/"+v
	var out []T
	err = c.do(ctx, r, func(resp *http.Response) error {
		body := io.Reader(resp.Body)
		if r.zip != nil {
			var err error
			if body, *r.zip, err = extractZipField(body, MaxDeployZipBytes); err != nil {
				return err
			}
		}
		res, err := decodeSOAP[T](body, r.op)
		var re *ResponseError
		if errors.As(err, &re) {
			re.StatusCode, re.ContentType = resp.StatusCode, resp.Header.Get("Content-Type")
		}
		out = res
		return err
	})
	return out, err
}

// single returns the one result an operation must have.
func single[T any](c *Client, op string, res []T, err error) (T, error) {
	var zero T
	if err != nil {
		return zero, err
	}
	if len(res) == 0 {
		return zero, c.opErr(op, &ResponseError{StatusCode: http.StatusOK, ContentType: "text/xml",
			Problem: "the " + op + "Response has no result element"})
	}
	return res[0], nil
}

// decodeSOAP reads an envelope and returns the <result> elements of
// <opResponse>, or the Body's Fault as a *SOAPFault. Elements are matched by
// local name, whatever their prefix; repeated results become a slice and no
// result an empty one (§2.1, §2.4, §5.6). Other failures are *ResponseError.
func decodeSOAP[T any](r io.Reader, op string) ([]T, error) {
	d := xml.NewDecoder(r)
	root, err := nextStart(d)
	if err != nil {
		return nil, malformed(err)
	}
	if root.Name.Local != "Envelope" {
		return nil, &ResponseError{Problem: "the answer is not a SOAP envelope (root element <" + root.Name.Local + ">)"}
	}
	for {
		el, err := nextStart(d)
		if err != nil {
			return nil, malformed(err)
		}
		if el.Name.Local == "Body" {
			break
		}
		if err := d.Skip(); err != nil {
			return nil, malformed(err)
		}
	}
	el, err := nextStart(d)
	if err != nil {
		return nil, malformed(err)
	}
	switch el.Name.Local {
	case "Fault":
		var f wireFault
		if err := d.DecodeElement(&f, &el); err != nil {
			return nil, malformed(err)
		}
		return nil, f.fault()
	case op + "Response":
	default:
		return nil, &ResponseError{Problem: "expected <" + op + "Response> in the SOAP body, found <" + el.Name.Local + ">"}
	}
	var out []T
	for {
		t, err := d.Token()
		if err != nil {
			return nil, malformed(err)
		}
		switch t := t.(type) {
		case xml.StartElement:
			if t.Name.Local != "result" {
				if err := d.Skip(); err != nil {
					return nil, malformed(err)
				}
				continue
			}
			var v T
			if err := d.DecodeElement(&v, &t); err != nil {
				return nil, malformed(err)
			}
			out = append(out, v)
		case xml.EndElement:
			return out, nil
		}
	}
}

// errEndOfElement reports an element that closed where a child was expected.
var errEndOfElement = errors.New("an element ended where a child element was expected")

// nextStart returns the next start element inside the current one.
func nextStart(d *xml.Decoder) (xml.StartElement, error) {
	for {
		t, err := d.Token()
		if err != nil {
			return xml.StartElement{}, err
		}
		switch t := t.(type) {
		case xml.StartElement:
			return t, nil
		case xml.EndElement:
			return xml.StartElement{}, errEndOfElement
		}
	}
}

func malformed(err error) error {
	if errors.Is(err, io.EOF) {
		err = io.ErrUnexpectedEOF
	}
	return &ResponseError{Problem: "malformed SOAP XML: " + err.Error(), Truncated: errors.Is(err, io.ErrUnexpectedEOF)}
}

// wireFault is <soapenv:Fault>; Java-style clients also see the code in
// <detail><…Fault><exceptionCode> (§2.11).
type wireFault struct {
	Code   string `xml:"faultcode"`
	String string `xml:"faultstring"`
	Detail struct {
		Inner struct {
			ExceptionCode    string `xml:"exceptionCode"`
			ExceptionMessage string `xml:"exceptionMessage"`
		} `xml:",any"`
	} `xml:"detail"`
}

func (w wireFault) fault() *SOAPFault {
	code := strings.TrimSpace(w.Code)
	if i := strings.LastIndexByte(code, ':'); i >= 0 {
		code = code[i+1:]
	}
	in := w.Detail.Inner
	if (code == "" || code == "Client" || code == "Server") && in.ExceptionCode != "" {
		code = in.ExceptionCode
	}
	msg := strings.TrimSpace(w.String)
	if msg == "" {
		msg = in.ExceptionMessage
	}
	return &SOAPFault{Code: code, Message: msg}
}

// DateTime is an xsd:dateTime such as 2024-05-01T10:00:09.000Z (§5.6). An
// empty or xsi:nil element decodes to the zero time.
type DateTime struct{ time.Time }

// UnmarshalXML accepts the forms Salesforce writes: RFC 3339 with or
// without fractional seconds, the REST form with a "+0000" offset, and a
// plain date.
func (t *DateTime) UnmarshalXML(d *xml.Decoder, start xml.StartElement) error {
	var s string
	if err := d.DecodeElement(&s, &start); err != nil {
		return err
	}
	s = strings.TrimSpace(s)
	if s == "" {
		t.Time = time.Time{}
		return nil
	}
	v, err := parseDateTime(s)
	if err != nil {
		return fmt.Errorf("<%s>: %q is not an xsd:dateTime", start.Name.Local, s)
	}
	t.Time = v
	return nil
}

// dateTimeLayouts are the date forms Salesforce answers with (§2.1, §5.6).
var dateTimeLayouts = []string{time.RFC3339Nano, "2006-01-02T15:04:05.999999999-0700", "2006-01-02T15:04:05.999999999", "2006-01-02"}

func parseDateTime(s string) (time.Time, error) {
	var err error
	for _, layout := range dateTimeLayouts {
		var v time.Time
		if v, err = time.Parse(layout, s); err == nil {
			return v, nil
		}
	}
	return time.Time{}, err
}

// base64Bytes decodes an xsd:base64Binary element straight from the XML
// decoder's buffer, so a retrieved zip is not copied once more as text.
type base64Bytes []byte

func (b *base64Bytes) UnmarshalXML(d *xml.Decoder, start xml.StartElement) error {
	var out []byte
	for {
		t, err := d.Token()
		if err != nil {
			return err
		}
		switch t := t.(type) {
		case xml.CharData:
			text := bytes.TrimSpace(t)
			if len(text) == 0 {
				continue
			}
			dec := make([]byte, base64.StdEncoding.DecodedLen(len(text)))
			n, err := base64.StdEncoding.Decode(dec, text)
			if err != nil {
				return fmt.Errorf("<%s>: invalid base64: %w", start.Name.Local, err)
			}
			if out == nil {
				out = dec[:n]
			} else {
				out = append(out, dec[:n]...)
			}
		case xml.StartElement:
			return fmt.Errorf("<%s>: unexpected element <%s> inside base64 data", start.Name.Local, t.Name.Local)
		case xml.EndElement:
			*b = out
			return nil
		}
	}
}
