package salesforce

import (
	"fmt"
	"strings"
	"testing"
)

func TestParseSfdxAuthURL(t *testing.T) {
	tests := []struct {
		in   string
		want SfdxAuth
		err  string
	}{
		{in: "force://PlatformCLI::5Aep861TSESvWeug_xvFHRBTTbf_YrTWgEyjBJrfhNqC6X.eM2lH5AD7rb5AnVKb8fyBDfLpY7hDv1fcsyjqdI9@acme.my.salesforce.com",
			want: SfdxAuth{ClientID: "PlatformCLI", RefreshToken: "5Aep861TSESvWeug_xvFHRBTTbf_YrTWgEyjBJrfhNqC6X.eM2lH5AD7rb5AnVKb8fyBDfLpY7hDv1fcsyjqdI9",
				LoginURL: "https://acme.my.salesforce.com"}},
		{in: "  force://3MVG9.abc:S3cr3t==:5Aep-rt_1=@acme--uat.sandbox.my.salesforce.com:443\n",
			want: SfdxAuth{ClientID: "3MVG9.abc", ClientSecret: "S3cr3t==", RefreshToken: "5Aep-rt_1=", LoginURL: "https://acme--uat.sandbox.my.salesforce.com:443"}},
		// sfdx-core's regex is anchored only at the start: a path is ignored.
		{in: "force://id::rt@acme.my.salesforce.com/some/path",
			want: SfdxAuth{ClientID: "id", RefreshToken: "rt", LoginURL: "https://acme.my.salesforce.com"}},
		{in: "force://relman::rt@127.0.0.1:8123", want: SfdxAuth{ClientID: "relman", RefreshToken: "rt", LoginURL: "http://127.0.0.1:8123"}},
		{in: `{"status":0,"result":{"sfdxAuthUrl":"force://PlatformCLI::rt@acme.my.salesforce.com","username":"a@b.c"}}`,
			want: SfdxAuth{ClientID: "PlatformCLI", RefreshToken: "rt", LoginURL: "https://acme.my.salesforce.com"}},
		{in: `{"sfdxAuthUrl":"force://PlatformCLI::rt@acme.my.salesforce.com"}`,
			want: SfdxAuth{ClientID: "PlatformCLI", RefreshToken: "rt", LoginURL: "https://acme.my.salesforce.com"}},
		{in: "", err: "empty"},
		{in: "https://PlatformCLI:sekrit:rtok@acme.my.salesforce.com", err: "not force://"},
		{in: "sfdx://PlatformCLI:sekrit:rtok@acme", err: "does not start with force://"},
		{in: "force://PlatformCLI:sekrit:rtok", err: "no @"},
		{in: "force://PlatformCLI:rtok@acme.my.salesforce.com", err: "1 colons"},
		{in: "force://PlatformCLI:sekrit:rt!ok@acme.my.salesforce.com", err: "a part contains"},
		{in: "force://PlatformCLI:sekrit:rtok@", err: "host after @ is missing"},
		{in: "force://:sekrit:rtok@acme", err: "client id is empty"},
		{in: "force://id:sekrit:@acme", err: "refresh token is empty"},
		{in: `{"result":{}}`, err: "no sfdxAuthUrl"},
		{in: `{"sfdxAuthUrl":`, err: "not valid JSON"},
	}
	for _, tt := range tests {
		got, err := ParseSfdxAuthURL(tt.in)
		if tt.err != "" {
			if err == nil || !strings.Contains(err.Error(), tt.err) {
				t.Errorf("ParseSfdxAuthURL(%q) err = %v, want %q", tt.in, err, tt.err)
			}
			if err != nil && (strings.Contains(err.Error(), "sekrit") || strings.Contains(err.Error(), "rtok")) {
				t.Errorf("error quotes a secret part: %v", err)
			}
			continue
		}
		if err != nil || got != tt.want {
			t.Errorf("ParseSfdxAuthURL(%q) = %+v, %v; want %+v", tt.in, got.URL(), err, tt.want.URL())
		}
	}
}

func TestSfdxAuthRedacts(t *testing.T) {
	a := SfdxAuth{ClientID: "PlatformCLI", ClientSecret: "sekrit", RefreshToken: "rtok", LoginURL: "https://acme.my.salesforce.com"}
	for _, verb := range []string{"%v", "%+v", "%#v", "%s", "%q"} {
		s := fmt.Sprintf(verb, a)
		if strings.Contains(s, "sekrit") || strings.Contains(s, "rtok") || !strings.Contains(s, "PlatformCLI") {
			t.Errorf("Sprintf(%s) = %s", verb, s)
		}
	}
	back, err := ParseSfdxAuthURL(a.URL())
	if err != nil || back != a {
		t.Errorf("round trip = %v, %v", back, err)
	}
}
