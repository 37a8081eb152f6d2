package sim

import (
	"encoding/json"
	"encoding/xml"
	"strconv"
	"strings"
	"time"
)

// Value types of the wire formats, shared by the SOAP (XML) and REST (JSON)
// answers.

// sfTime is a dateTime: SOAP form 2006-01-02T15:04:05.000Z in XML, REST form
// 2006-01-02T15:04:05.000+0000 in JSON (§5.6).
type sfTime time.Time

func (t sfTime) MarshalText() ([]byte, error) {
	return []byte(time.Time(t).UTC().Format("2006-01-02T15:04:05.000Z")), nil
}

func (t sfTime) MarshalJSON() ([]byte, error) {
	return []byte(`"` + time.Time(t).UTC().Format("2006-01-02T15:04:05.000-0700") + `"`), nil
}

// double is an xsd:double, written with a decimal point ("31.0") as
// Salesforce writes it.
type double float64

func (d double) MarshalText() ([]byte, error) {
	s := strconv.FormatFloat(float64(d), 'f', -1, 64)
	if !strings.Contains(s, ".") {
		s += ".0"
	}
	return []byte(s), nil
}

func (d double) MarshalJSON() ([]byte, error) { return d.MarshalText() }

// xsiNil marshals as an element with xsi:nil="true" in XML and null in JSON:
// a nillable field without a value (§2.1).
type xsiNil struct{}

func (xsiNil) MarshalXML(e *xml.Encoder, start xml.StartElement) error {
	start.Attr = append(start.Attr, xml.Attr{Name: xml.Name{Local: "xsi:nil"}, Value: "true"})
	if err := e.EncodeToken(start); err != nil {
		return err
	}
	return e.EncodeToken(start.End())
}

func (xsiNil) MarshalJSON() ([]byte, error) { return []byte("null"), nil }

// ptr returns a pointer to v: optional fields are pointers, omitted in XML
// and null in JSON.
func ptr[T any](v T) *T { return &v }

// nillableID is a nillable string: written as xsi:nil (XML) or null (JSON)
// when empty.
type nillableID string

func (n nillableID) MarshalXML(e *xml.Encoder, start xml.StartElement) error {
	if n == "" {
		return xsiNil{}.MarshalXML(e, start)
	}
	return e.EncodeElement(string(n), start)
}

func (n nillableID) MarshalJSON() ([]byte, error) {
	if n == "" {
		return []byte("null"), nil
	}
	return json.Marshal(string(n))
}
