package salesforce

import (
	"context"
	"crypto/rsa"
	"encoding/pem"
	"fmt"
	"net/url"
	"os"
	"strings"
	"time"

	"github.com/golang-jwt/jwt/v5"
	"golang.org/x/oauth2"
	"golang.org/x/oauth2/clientcredentials"
)

// jwtBearerGrant is the grant_type of the JWT bearer flow (§1.2).
const jwtBearerGrant = "urn:ietf:params:oauth:grant-type:jwt-bearer"

// jwtGrant signs a fresh RS256 assertion for every sign-in: its exp is only
// three minutes ahead, like ForceCLI's (§1.2).
type jwtGrant struct {
	key                *rsa.PrivateKey
	clientID, username string
	audience, tokenURL string
	clock              Clock
}

func (j *jwtGrant) grant(ctx context.Context) (*oauth2.Token, error) {
	assertion, err := jwtAssertion(j.key, j.clientID, j.username, j.audience, j.clock.Now())
	if err != nil {
		return nil, err
	}
	// oauth2 has no JWT-bearer grant for a caller-made assertion (its jwt
	// package signs Google-style claims), so the client-credentials config
	// is used with its documented grant_type override. No client_id or
	// secret is sent: the assertion carries the consumer key (§1.2).
	cc := &clientcredentials.Config{TokenURL: j.tokenURL, AuthStyle: oauth2.AuthStyleInParams,
		EndpointParams: url.Values{"grant_type": {jwtBearerGrant}, "assertion": {assertion}}}
	return cc.Token(ctx)
}

// jwtAssertion builds the RS256 assertion Salesforce expects: iss = consumer
// key, sub = username, aud = authorization server, exp = now + 3 min (§1.2).
// aud is a single string, not the array jwt/v5 would write for ClaimStrings.
func jwtAssertion(key *rsa.PrivateKey, clientID, username, audience string, now time.Time) (string, error) {
	claims := jwt.MapClaims{"iss": clientID, "sub": username, "aud": audience, "exp": now.Add(3 * time.Minute).Unix()}
	s, err := jwt.NewWithClaims(jwt.SigningMethodRS256, claims).SignedString(key)
	if err != nil {
		return "", fmt.Errorf("signing the JWT assertion: %w", err)
	}
	return s, nil
}

// jwtAudience picks the aud claim for a login URL. Salesforce accepts only
// its authorization servers (login, test) or an Experience Cloud site URL
// (§1.2), so My Domain hosts map to login.salesforce.com, sandbox My Domains
// to test.salesforce.com (as sfdx-core does), and anything else — a
// community URL, or the simulator on loopback — is used as given.
func jwtAudience(loginURL string) string {
	u, err := url.Parse(loginURL)
	if err != nil {
		return loginURL
	}
	host := strings.ToLower(u.Hostname())
	switch {
	case host == "test.salesforce.com" || strings.HasSuffix(host, ".sandbox.my.salesforce.com"):
		return "https://test.salesforce.com"
	case host == "login.salesforce.com" || strings.HasSuffix(host, ".my.salesforce.com"):
		return "https://login.salesforce.com"
	}
	return loginURL
}

// loadRSAKey reads a PEM private key, PKCS#1 or PKCS#8. Errors name the file
// and never quote its content.
func loadRSAKey(path string) (*rsa.PrivateKey, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("JWT key file: %w", err)
	}
	block, _ := pem.Decode(b)
	if block != nil && (block.Type == "ENCRYPTED PRIVATE KEY" || strings.Contains(block.Headers["Proc-Type"], "ENCRYPTED")) {
		return nil, fmt.Errorf("JWT key file %s is encrypted: decrypt it first (openssl pkey -in %s -out server.key)", path, path)
	}
	key, err := jwt.ParseRSAPrivateKeyFromPEM(b)
	if err != nil {
		return nil, fmt.Errorf("JWT key file %s is not a PEM RSA private key (expected \"BEGIN RSA PRIVATE KEY\" or \"BEGIN PRIVATE KEY\", the key whose certificate is on the connected app)", path)
	}
	return key, nil
}
