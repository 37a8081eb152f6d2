package sim

import (
	"bytes"
	"encoding/xml"
	"net/http"
)

const (
	soapEnvNS  = "http://schemas.xmlsoap.org/soap/envelope/"
	metadataNS = "http://soap.sforce.com/2006/04/metadata"
	xsiNS      = "http://www.w3.org/2001/XMLSchema-instance"
)

// envelopeHead opens a response envelope: prefixed soapenv:Envelope and
// soapenv:Body (jsforce finds them by the ":Envelope"/":Body" suffix), the
// metadata namespace as default so result elements need no prefix, and xsi
// for xsi:nil (§2.1, §2.7).
const envelopeHead = xml.Header + `<soapenv:Envelope xmlns:soapenv="` + soapEnvNS + `" xmlns="` + metadataNS +
	`" xmlns:xsi="` + xsiNS + `" xmlns:sf="` + metadataNS + `"><soapenv:Body>`

const envelopeTail = `</soapenv:Body></soapenv:Envelope>`

// soapResponse is <opResponse> holding zero or more <result> elements.
type soapResponse struct {
	XMLName xml.Name
	Results []any `xml:"result"`
}

// writeSOAP answers op with results, each marshalled as one <result>
// (none: an empty <opResponse/>, as listMetadata answers no matches, §2.4).
func writeSOAP(w http.ResponseWriter, op string, results ...any) {
	body, err := xml.Marshal(soapResponse{XMLName: xml.Name{Local: op + "Response"}, Results: results})
	if err != nil {
		writeFault(w, "sf:UNKNOWN_EXCEPTION", "UNKNOWN_EXCEPTION: the simulator could not encode its answer: "+err.Error())
		return
	}
	writeEnvelope(w, http.StatusOK, body)
}

// writeFault answers with a SOAP fault, always HTTP 500 (§2.11).
func writeFault(w http.ResponseWriter, code, message string) {
	var b bytes.Buffer
	b.WriteString(`<soapenv:Fault><faultcode>`)
	_ = xml.EscapeText(&b, []byte(code))
	b.WriteString(`</faultcode><faultstring>`)
	_ = xml.EscapeText(&b, []byte(message))
	b.WriteString(`</faultstring></soapenv:Fault>`)
	writeEnvelope(w, http.StatusInternalServerError, b.Bytes())
}

// writeSFFault answers with a fault coded sf:CODE and faultstring
// "CODE: message", the form clients parse (§2.11).
func writeSFFault(w http.ResponseWriter, code, message string) {
	writeFault(w, "sf:"+code, code+": "+message)
}

func writeEnvelope(w http.ResponseWriter, status int, body []byte) {
	w.Header().Set("Content-Type", "text/xml;charset=UTF-8")
	w.WriteHeader(status)
	_, _ = w.Write([]byte(envelopeHead))
	_, _ = w.Write(body)
	_, _ = w.Write([]byte(envelopeTail))
}
