package salesforce

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"strings"
	"testing"

	"relman/model"
)

// TestSecretsNeverInErrors drives every sign-in method into every kind of
// failure, including an org that echoes secrets back, and checks that no
// error message and no formatted value shows a secret.
func TestSecretsNeverInErrors(t *testing.T) {
	const accessToken = "00D5g00000AbCdE!AccessTokenValue"
	configs := map[string]func(o *testOrg) Config{
		"refresh-token": func(o *testOrg) Config {
			c := o.refreshConfig()
			c.Credentials.ClientSecret = testClientSecret
			return c
		},
		"password": func(o *testOrg) Config {
			return Config{LoginURL: o.URL(), Auth: model.AuthPassword, ClientID: testClientID, Username: "u@x.com",
				Credentials: model.Credentials{Password: testPassword, ClientSecret: testClientSecret}}
		},
		"client-credentials": func(o *testOrg) Config {
			return Config{LoginURL: o.URL(), Auth: model.AuthClientCredentials, ClientID: testClientID,
				Credentials: model.Credentials{ClientSecret: testClientSecret}}
		},
		"sfdx-url": func(o *testOrg) Config {
			return Config{Auth: model.AuthSfdxURL, Credentials: model.Credentials{
				SfdxAuthURL: "force://" + testClientID + ":" + testClientSecret + ":" + testRefresh + "@" + strings.TrimPrefix(o.URL(), "http://")}}
		},
		"access-token": func(o *testOrg) Config {
			return Config{InstanceURL: o.URL(), Auth: model.AuthAccessToken, Credentials: model.Credentials{AccessToken: accessToken}}
		},
	}
	failures := map[string]func(o *testOrg, echo string){
		"token error echoing secrets": func(o *testOrg, echo string) {
			o.tokenHandler = func(w http.ResponseWriter, r *http.Request) {
				writeJSON(w, http.StatusBadRequest, `{"error":"invalid_grant","error_description":"bad `+echo+`"}`)
			}
		},
		"token 500 echoing secrets": func(o *testOrg, echo string) {
			o.tokenHandler = func(w http.ResponseWriter, r *http.Request) {
				w.WriteHeader(http.StatusInternalServerError)
				io.WriteString(w, echo)
			}
		},
		"HTML page titled with secrets": func(o *testOrg, echo string) {
			o.tokenHandler = func(w http.ResponseWriter, r *http.Request) {
				w.Header().Set("Content-Type", "text/html")
				io.WriteString(w, "<html><title>"+echo+"</title></html>")
			}
			o.rest["/services/data/v66.0/limits/"] = func(w http.ResponseWriter, r *http.Request) {
				w.Header().Set("Content-Type", "text/html")
				io.WriteString(w, "<html><title>"+echo+" "+r.Header.Get("Authorization")+"</title></html>")
			}
		},
		"REST 401 echoing the token": func(o *testOrg, echo string) {
			o.tokenHandler = func(w http.ResponseWriter, r *http.Request) {
				writeJSON(w, http.StatusOK, o.tokenResponse(o.issue(), nil))
			}
			o.rest["/services/data/v66.0/limits/"] = func(w http.ResponseWriter, r *http.Request) {
				writeJSON(w, http.StatusUnauthorized, fmt.Sprintf(`[{"message":"bad session %s %s","errorCode":"INVALID_SESSION_ID"}]`,
					r.Header.Get("Authorization"), echo))
			}
		},
		"SOAP fault echoing the session": func(o *testOrg, echo string) {
			o.tokenHandler = func(w http.ResponseWriter, r *http.Request) {
				writeJSON(w, http.StatusOK, o.tokenResponse(o.issue(), nil))
			}
			o.soap["listMetadata"] = func(r soapReq) (int, string) {
				return http.StatusInternalServerError, faultXML("sf:INVALID_ID_FIELD", "no such id for session "+r.Session+" "+echo)
			}
		},
		"org unreachable": func(o *testOrg, _ string) { o.srv.Close() },
	}
	for cname, cfg := range configs {
		for fname, fail := range failures {
			t.Run(cname+"/"+fname, func(t *testing.T) {
				o := newTestOrg(t)
				o.mu.Lock()
				o.valid[accessToken] = true
				o.mu.Unlock()
				conf := cfg(o)
				c, err := New(conf, WithRetries(0))
				if err != nil {
					t.Fatal(err)
				}
				// A misbehaving org can echo only what it was sent.
				cr := conf.Credentials
				echo := strings.Join([]string{cr.AccessToken, cr.RefreshToken, cr.ClientSecret, cr.Password, cr.SfdxAuthURL}, " ")
				o.soap["listMetadata"] = ok("listMetadata", "")
				fail(o, echo)
				ctx := context.Background()
				var errs []error
				_, err = c.Limits(ctx)
				errs = append(errs, err)
				_, err = c.ListMetadata(ctx, []ListQuery{{Type: "ApexClass"}})
				errs = append(errs, err)
				if errs[0] == nil && errs[1] == nil {
					t.Fatal("the failure did not happen")
				}
				for _, err := range errs {
					if err == nil {
						continue
					}
					assertNoSecrets(t, err.Error())
					assertNoSecrets(t, fmt.Sprintf("%v %+v %#v", err, err, err))
				}
				assertNoSecrets(t, fmt.Sprintf("%v %+v %#v %s", conf, conf, conf, c))
			})
		}
	}
}
