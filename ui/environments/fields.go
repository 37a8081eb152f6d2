package environments

import (
	"regexp"
	"strings"

	"relman/model"
)

// fieldID names a field of the editor.
type fieldID int

// The editor's fields, in the order they show. formLevel is no field: an
// error the form cannot pin on one.
const (
	fName fieldID = iota
	fKind
	fConn
	fDir
	fLogin
	fMyDomain
	fAuth
	fToken
	fRefresh
	fUsername
	fPassword
	fClientID
	fClientSecret
	fKeyFile
	fSfdxFile
	fAlias
	fieldCount
	formLevel = fieldCount
)

// Choice values, in the order the fields offer them.
var (
	kinds       = []model.EnvKind{model.KindProduction, model.KindSandbox}
	connections = []model.Connection{model.ConnLocal, model.ConnSalesforce}
	loginURLs   = []string{"https://login.salesforce.com", "https://test.salesforce.com"}
)

// myDomain is the login choice that asks for the org's own URL.
const myDomain = 2

// authField is a field an auth method asks for.
type authField struct {
	id       fieldID
	optional bool
}

// authFields lists, per auth method, exactly the fields it needs, in the
// order `relman env add` documents them.
var authFields = map[model.AuthMethod][]authField{
	model.AuthAccessToken:       {{id: fToken}},
	model.AuthRefreshToken:      {{id: fRefresh}, {id: fClientID}, {id: fClientSecret, optional: true}},
	model.AuthPassword:          {{id: fUsername}, {id: fPassword}, {id: fClientID}, {id: fClientSecret, optional: true}},
	model.AuthJWT:               {{id: fClientID}, {id: fUsername}, {id: fKeyFile}},
	model.AuthClientCredentials: {{id: fClientID}, {id: fClientSecret}},
	model.AuthSfdxURL:           {{id: fSfdxFile}},
	model.AuthSfAlias:           {{id: fAlias}},
}

// authHints say what each auth method is, beside the method's name.
var authHints = map[model.AuthMethod]string{
	model.AuthAccessToken:       "an access token (session id); it expires",
	model.AuthRefreshToken:      "OAuth refresh token of a connected app",
	model.AuthPassword:          "username-password flow of a connected app",
	model.AuthJWT:               "JWT bearer flow: connected app + signing key",
	model.AuthClientCredentials: "client credentials flow of a connected app",
	model.AuthSfdxURL:           "a force:// SFDX auth URL saved in a file",
	model.AuthSfAlias:           "reuse a Salesforce CLI login",
}

// flagFields maps the `env add` flags that model.ValidateEnvironment names
// in its errors to the fields that set them.
var flagFields = map[string]fieldID{
	"kind": fKind, "dir": fDir, "url": fMyDomain, "auth": fAuth,
	"token": fToken, "refresh-token": fRefresh, "username": fUsername, "password": fPassword,
	"client-id": fClientID, "client-secret": fClientSecret, "key": fKeyFile,
	"sfdx-url-file": fSfdxFile, "alias": fAlias,
}

var (
	flagPattern  = regexp.MustCompile(`--([a-z-]+)`)
	flagAside    = regexp.MustCompile(`\s*\((?:or )?--[^)]*\)`)
	authNeedsPat = regexp.MustCompile(`^auth method \S+ needs `)
)

// fieldErrors pins an error of model.ValidateEnvironment on the fields it
// is about, in words that fit under a field rather than a command line.
// An error it cannot pin comes back under formLevel.
func fieldErrors(err error, auth model.AuthMethod) map[fieldID]string {
	msg := err.Error()
	// The rule follows "environment NAME: " (or `environment name "x": `).
	rule := msg
	if i := strings.LastIndex(msg, ": "); i >= 0 {
		rule = msg[i+2:]
	}
	if strings.HasPrefix(msg, "environment name ") {
		return map[fieldID]string{fName: rule}
	}
	out := map[fieldID]string{}
	for _, f := range flagPattern.FindAllStringSubmatch(rule, -1) {
		id, ok := flagFields[f[1]]
		if !ok {
			continue
		}
		if authNeedsPat.MatchString(rule) {
			out[id] = "required for " + string(auth) + " auth"
		} else {
			out[id] = flagAside.ReplaceAllString(rule, "")
		}
	}
	if len(out) == 0 {
		return map[fieldID]string{formLevel: msg}
	}
	return out
}

// standIn gives the field a placeholder value, so that validating again
// finds the next problem instead of this one. It reports false for a field
// it cannot fill, which ends the search.
func standIn(env *model.Environment, id fieldID) bool {
	const x = "stand-in"
	switch id {
	case fName:
		env.Name = "standin"
	case fDir:
		env.Dir = x
	case fMyDomain:
		env.URL = "https://" + x
	case fToken:
		env.Credentials.AccessToken = x
	case fRefresh:
		env.Credentials.RefreshToken = x
	case fUsername:
		env.Username = x
	case fPassword:
		env.Credentials.Password = x
	case fClientID:
		env.ClientID = x
	case fClientSecret:
		env.Credentials.ClientSecret = x
	case fKeyFile:
		env.KeyFile = x
	case fSfdxFile:
		env.Credentials.SfdxAuthURL = x
	case fAlias:
		env.Alias = x
	default:
		return false
	}
	return true
}
