package sim

import (
	"errors"
	"io"
	"net/http"
)

// handleSOAP serves the Metadata API: POST /services/Soap/m/<version>[/…],
// any trailing segment tolerated (§2.1). Faults are HTTP 500 (§2.11).
func (s *Server) handleSOAP(w http.ResponseWriter, r *http.Request) {
	if r.Method != http.MethodPost {
		writeFault(w, "soapenv:Client", "The Metadata API accepts only POST requests carrying a SOAP envelope")
		return
	}
	if _, st := checkVersion(r.PathValue("ver")); st != versionOK {
		writeSFFault(w, "UNSUPPORTED_API_VERSION", "Invalid Api version specified on URL")
		return
	}
	body, err := io.ReadAll(http.MaxBytesReader(w, r.Body, maxSOAPBody))
	if err != nil {
		writeFault(w, "soapenv:Client", "Could not read the request: "+err.Error())
		return
	}
	req, err := parseSOAPRequest(body)
	if err != nil {
		writeFault(w, "soapenv:Client", "Could not parse the SOAP request: "+err.Error())
		return
	}
	if ref := s.admit(req.session); ref != nil {
		writeSFFault(w, ref.code, ref.fault)
		return
	}
	bound, err := bindOperation(req)
	switch {
	case errors.Is(err, errUnknownOperation):
		writeFault(w, "soapenv:Client", "No operation available for request {"+metadataNS+"}"+req.op+
			"; the simulated org serves describeMetadata, listMetadata, retrieve, checkRetrieveStatus, deploy, "+
			"checkDeployStatus, cancelDeploy, deployRecentValidation and checkStatus")
		return
	case err != nil:
		writeFault(w, "soapenv:Client", req.op+": "+err.Error())
		return
	}
	s.serveOperation(w, r, req.op, bound)
}

// serveOperation runs one bound Metadata API operation (§2.2).
func (s *Server) serveOperation(w http.ResponseWriter, r *http.Request, op string, bound any) {
	switch b := bound.(type) {
	case nil:
		writeSOAP(w, op, s.describeMetadata())
	case *listRequest:
		s.listMetadata(w, r, b)
	case *retrieveRequest:
		s.startRetrieve(w, b)
	case *statusRequest:
		if op == "checkRetrieveStatus" {
			s.checkRetrieveStatus(w, b)
		} else {
			s.checkDeployStatus(w, b)
		}
	case *deployRequest:
		s.soapDeploy(w, b)
	case string:
		if op == "cancelDeploy" {
			s.soapCancelDeploy(w, b)
		} else {
			s.soapQuickDeploy(w, b)
		}
	case []string:
		s.checkStatus(w, b)
	}
}
