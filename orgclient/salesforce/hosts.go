package salesforce

import (
	"fmt"
	"net/url"
	"slices"
	"strings"
)

// salesforceDomains are the domains Salesforce serves orgs from: instance
// and My Domain hosts (*.my.salesforce.com, *.sandbox.my.salesforce.com,
// *.develop.my.salesforce.com, *.scratch.my.salesforce.com), Lightning and
// Visualforce (*.force.com), Setup (*.salesforce-setup.com), the older
// cloudforce.com and database.com, Government Cloud Plus (.mil) and the
// Alibaba-hosted orgs (.cn). An instance_url elsewhere is refused: the
// access token would go there.
var salesforceDomains = []string{"salesforce.com", "force.com", "salesforce-setup.com", "cloudforce.com", "database.com",
	"salesforce.mil", "force.mil", "sfcrmproducts.cn", "sfcrmapps.cn"}

// IsSalesforceHost reports whether host is one of Salesforce's domains.
func IsSalesforceHost(host string) bool {
	host = strings.ToLower(strings.TrimSuffix(host, "."))
	for _, d := range salesforceDomains {
		if host == d || strings.HasSuffix(host, "."+d) {
			return true
		}
	}
	return false
}

// CheckOrgURL checks a login or instance URL as `env add` takes it: https
// (plain http only on this computer, for the simulator), a host and
// nothing else. It returns the URL as relman keeps it.
func CheckOrgURL(raw string) (string, error) {
	return normalizeURL(raw)
}

// trustedInstance checks the instance_url of a token answer before the
// access token is sent there: a Salesforce domain, the loopback simulator
// when the login itself was on loopback, or a host the user pinned with
// `env add --allow-host`.
func trustedInstance(instance, loginURL string, allowed []string) error {
	u, err := url.Parse(instance)
	if err != nil {
		return err
	}
	host := strings.ToLower(u.Hostname())
	login, _ := url.Parse(loginURL)
	switch {
	case IsSalesforceHost(host):
		return nil
	case isLoopback(host) && login != nil && isLoopback(login.Hostname()):
		return nil
	case slices.ContainsFunc(allowed, func(a string) bool { return strings.EqualFold(a, host) }):
		return nil
	}
	return fmt.Errorf("the token answer sends API calls to %s, which is not a Salesforce domain, so relman does not send the access token there; if it is your org's own host, pin it with `relman env add … --allow-host %s`", host, host)
}

// orgOfIdentityURL reads the org id from a token answer's id URL
// (https://login.salesforce.com/id/00D…/005…).
func orgOfIdentityURL(id string) string {
	u, err := url.Parse(id)
	if err != nil {
		return ""
	}
	parts := strings.Split(strings.Trim(u.Path, "/"), "/")
	if len(parts) >= 3 && parts[0] == "id" {
		return parts[1]
	}
	return ""
}
