package sim

import (
	"crypto/rand"
	"crypto/sha256"
	"math/big"

	"relman/model/metadata"
)

const base62 = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"

// sfID builds an 18-character Salesforce id from a 3-character key prefix
// and 12 characters of body: the 15-character case-sensitive id plus the
// 3-character case-insensitive checksum every real id carries.
func sfID(prefix, body string) string {
	id := prefix + body
	const alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZ012345"
	suffix := make([]byte, 3)
	for i := range 3 {
		flags := 0
		for j := range 5 {
			if c := id[i*5+j]; c >= 'A' && c <= 'Z' {
				flags |= 1 << j
			}
		}
		suffix[i] = alphabet[flags]
	}
	return id + string(suffix)
}

// hashedBody returns n base62 characters derived from seed: stable ids for
// the org, its user and its components across restarts.
func hashedBody(seed string, n int) string {
	sum := sha256.Sum256([]byte(seed))
	v := new(big.Int).SetBytes(sum[:])
	out := make([]byte, n)
	m := big.NewInt(62)
	r := new(big.Int)
	for i := range out {
		v.DivMod(v, m, r)
		out[i] = base62[r.Int64()]
	}
	return string(out)
}

// randomBody returns n random base62 characters.
func randomBody(n int) string {
	out := make([]byte, n)
	max := big.NewInt(62)
	for i := range out {
		r, err := rand.Int(rand.Reader, max)
		if err != nil {
			panic("sim: no randomness: " + err.Error())
		}
		out[i] = base62[r.Int64()]
	}
	return string(out)
}

// jobID returns a fresh id for an asynchronous job: deploys are 0Af…,
// retrieves 09S… (§2.2). The random part keeps ids unique across restarts,
// so a client re-attaching to an old job never finds someone else's.
func jobID(prefix string) string { return sfID(prefix, "8d0000"+randomBody(6)) }

// keyPrefixes are the id prefixes of component records, by type.
var keyPrefixes = map[string]string{
	"ApexClass": "01p", "ApexTrigger": "01q", "ApexPage": "066", "ApexComponent": "099",
	"CustomObject": "01I", "CustomField": "00N", "Layout": "00h", "Profile": "00e",
	"PermissionSet": "0PS", "Flow": "301", "LightningComponentBundle": "0Rb",
	"AuraDefinitionBundle": "0Ab", "StaticResource": "081", "CustomLabel": "101",
	"CustomTab": "01r", "CustomApplication": "02u", "RecordType": "012",
	"ValidationRule": "03d", "ListView": "00B", "CompactLayout": "0AH",
}

// componentID is the stable record id of a component in this org.
func (s *Server) componentID(c metadata.Component) string {
	p, ok := keyPrefixes[c.Type]
	if !ok {
		p = "000"
	}
	return sfID(p, "8d0000"+hashedBody(s.orgID+c.String(), 6))
}
