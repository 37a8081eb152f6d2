package environments

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/charmbracelet/bubbles/cursor"
	"github.com/charmbracelet/bubbles/textinput"
	tea "github.com/charmbracelet/bubbletea"
	"github.com/charmbracelet/x/exp/golden"

	"relman/model"
	"relman/ui/common"
)

// editor opens the editor at w×h to add (name "") or edit name.
func (w *world) editor(name string, width, height int) *Editor {
	w.t.Helper()
	m := NewEditor(w.deps()).(*Editor)
	// A steady cursor starts no blink commands, so settle can run every
	// command the form returns.
	for i := range m.fields {
		m.fields[i].input.Cursor.SetMode(cursor.CursorStatic)
	}
	m.SetSize(width, height)
	m.Init()
	_, cmd := m.Update(common.ShowMsg{Name: name})
	if name != "" { // the load; adding starts only a cursor blink
		if out := settle(w.t, m, cmd); len(out) > 0 {
			w.t.Fatalf("opening sent %v", out)
		}
	}
	return m
}

// focus moves the focus as the keys would, keys' help included.
func focus(m *Editor, id fieldID) {
	m.focusOn(id)
	m.updateKeys()
}

func labels(m *Editor) []string {
	var out []string
	for _, id := range m.visible() {
		out = append(out, m.fields[id].label)
	}
	return out
}

func TestAddADirectoryEnvironment(t *testing.T) {
	w := newWorld(t)
	m := w.editor("", 80, 24)
	if !m.Capturing() || m.focus != fName {
		t.Fatal("the form captures keys and starts on the name")
	}
	typeText(m, "uat")
	press(m, "tab", "tab", "tab") // kind, connection, directory
	if m.focus != fDir {
		t.Fatalf("focus on %s, want Directory", m.fields[m.focus].label)
	}
	typeText(m, w.org("uat"))
	out := settle(t, m, press(m, "ctrl+s"))
	want := fmt.Sprint([]tea.Msg{common.BackMsg{}, common.StatusMsg{Text: "Saved uat"}, savedMsg{name: "uat"}})
	if fmt.Sprint(out) != want {
		t.Fatalf("root got %v, want %v", out, want)
	}
	env, err := w.svc().Environment("uat")
	if err != nil {
		t.Fatal(err)
	}
	if env.Kind != model.KindSandbox || env.Connection != model.ConnLocal || env.Dir != w.org("uat") {
		t.Errorf("stored %+v", env)
	}
	if m.value(fName) != "" || m.value(fDir) != "" {
		t.Error("after saving, the form should forget what was typed")
	}
}

func TestRelativeDirectoryIsStoredAbsolute(t *testing.T) {
	w := newWorld(t)
	t.Chdir(w.dir)
	m := w.editor("", 80, 24)
	typeText(m, "dev")
	press(m, "tab", "right", "tab", "tab") // production
	typeText(m, "orgs/dev")
	settle(t, m, press(m, "ctrl+s"))
	env, err := w.svc().Environment("dev")
	if err != nil {
		t.Fatal(err)
	}
	if env.Kind != model.KindProduction || !filepath.IsAbs(env.Dir) || !strings.HasSuffix(env.Dir, "orgs/dev") {
		t.Errorf("stored kind %s dir %s", env.Kind, env.Dir)
	}
}

func TestCtrlTSavesAndTheListTests(t *testing.T) {
	w := newWorld(t)
	list := w.list(80, 24)
	m := w.editor("", 80, 24)
	typeText(m, "uat")
	press(m, "tab", "tab", "tab")
	typeText(m, w.org("uat"))
	out := settle(t, m, press(m, "ctrl+t"))
	if len(out) != 3 || out[2] != (savedMsg{name: "uat", test: true}) {
		t.Fatalf("root got %v", out)
	}
	_, cmd := list.Update(out[2])
	if !list.testing["uat"] {
		t.Error("the list should be testing uat")
	}
	res := settle(t, list, cmd)
	if len(res) != 1 || !strings.HasPrefix(fmt.Sprint(res[0]), "{Test Connection to uat OK") {
		t.Fatalf("list sent %v", res)
	}
	if !strings.Contains(list.View(), "✓ Connected") {
		t.Errorf("the list should show the result:\n%s", list.View())
	}
}

func TestValidationErrorsUnderTheirFields(t *testing.T) {
	w := newWorld(t)
	m := w.editor("", 80, 24)
	press(m, "tab", "tab", "tab")
	if cmd := press(m, "ctrl+s"); m.saving {
		t.Fatalf("an invalid form must not save (cmd %v)", cmd)
	}
	if m.errs[fName] == "" || m.errs[fDir] != "a local environment needs a directory" || m.focus != fName {
		t.Fatalf("errs %v, focus %s", m.errs, m.fields[m.focus].label)
	}
	view := m.View()
	for _, want := range []string{"use 1–64 letters, digits", "a local environment needs a directory"} {
		if !strings.Contains(view, want) {
			t.Errorf("view lacks %q:\n%s", want, view)
		}
	}
	typeText(m, "9lives")
	if !strings.Contains(m.errs[fName], "starting with a letter") {
		t.Errorf("a bad name keeps its error: %v", m.errs)
	}
	press(m, "ctrl+a") // not a form key: goes to the input (line start)
	typeText(m, "x")
	if _, bad := m.errs[fName]; bad || m.errs[fDir] == "" {
		t.Errorf("fixing the name clears its error only: %v", m.errs)
	}
}

func TestDuplicateNameIsPinnedOnTheName(t *testing.T) {
	w := newWorld(t)
	w.addLocal("uat", model.KindSandbox, "uat")
	m := w.editor("", 80, 24)
	typeText(m, "uat")
	press(m, "tab", "tab", "tab")
	typeText(m, w.org("dev"))
	if out := settle(t, m, press(m, "ctrl+s")); len(out) != 0 {
		t.Fatalf("root got %v", out)
	}
	if !strings.Contains(m.errs[fName], "an environment named uat exists") || m.focus != fName || m.saving {
		t.Errorf("errs %v focus %s", m.errs, m.fields[m.focus].label)
	}
}

func TestEachAuthMethodShowsExactlyItsFields(t *testing.T) {
	w := newWorld(t)
	m := w.editor("", 160, 48)
	press(m, "tab", "tab", "right") // Salesforce
	want := map[model.AuthMethod]string{
		model.AuthAccessToken:       "[Access token]",
		model.AuthRefreshToken:      "[Refresh token Client id Client secret]",
		model.AuthPassword:          "[Username Password Client id Client secret]",
		model.AuthJWT:               "[Client id Username Key file]",
		model.AuthClientCredentials: "[Client id Client secret]",
		model.AuthSfdxURL:           "[Auth URL file]",
		model.AuthSfAlias:           "[Alias]",
	}
	// Required: what model.ValidateEnvironment asks for, pinned on fields.
	required := map[model.AuthMethod][]fieldID{
		model.AuthAccessToken:       {fToken},
		model.AuthRefreshToken:      {fRefresh, fClientID},
		model.AuthPassword:          {fUsername, fPassword, fClientID},
		model.AuthJWT:               {fClientID, fUsername, fKeyFile},
		model.AuthClientCredentials: {fClientID, fClientSecret},
		model.AuthSfdxURL:           {fSfdxFile},
		model.AuthSfAlias:           {fAlias},
	}
	press(m, "tab", "tab") // login URL, auth method
	for i, method := range model.AuthMethods {
		if m.auth() != method {
			t.Fatalf("step %d: auth %s, want %s", i, m.auth(), method)
		}
		base := "[Name Kind Connection Login URL Auth method "
		if got := fmt.Sprint(labels(m)); got != base+want[method][1:] {
			t.Errorf("%s shows %s", method, got)
		}
		press(m, "ctrl+s")
		var errs []fieldID
		for _, id := range m.visible() {
			if m.errs[id] != "" {
				errs = append(errs, id)
			}
		}
		if want := append([]fieldID{fName}, required[method]...); fmt.Sprint(errs) != fmt.Sprint(want) {
			t.Errorf("%s: errors on %v, want %v (%v)", method, errs, want, m.errs)
		}
		if e := m.errs[required[method][0]]; e != "required for "+string(method)+" auth" {
			t.Errorf("%s: error %q", method, e)
		}
		for _, id := range m.visible() {
			if secret := m.fields[id].input.EchoMode == textinput.EchoPassword; secret != m.fields[id].secret {
				t.Errorf("%s: %s masked=%v", method, m.fields[id].label, secret)
			}
		}
		focus(m, fAuth)
		press(m, "right")
	}
	if m.auth() != model.AuthAccessToken {
		t.Error("the auth method should wrap around")
	}
	press(m, "left")
	if m.auth() != model.AuthSfAlias {
		t.Error("left should go back")
	}
}

func TestMyDomainURL(t *testing.T) {
	w := newWorld(t)
	m := w.editor("", 80, 24)
	typeText(m, "acme")
	press(m, "tab", "right", "tab", "right", "tab") // production, Salesforce, login URL
	if m.fields[fLogin].choice != 0 {
		t.Fatal("a production org logs in at login.salesforce.com by default")
	}
	press(m, "left") // My Domain
	if fmt.Sprint(labels(m)) != "[Name Kind Connection Login URL My Domain Auth method Access token]" {
		t.Fatalf("fields %v", labels(m))
	}
	press(m, "ctrl+s")
	if m.errs[fMyDomain] != "a Salesforce environment needs a login or instance URL" {
		t.Errorf("errs %v", m.errs)
	}
	focus(m, fMyDomain)
	typeText(m, "acme.my.salesforce.com/")
	focus(m, fToken)
	typeText(m, "00Dxx!token")
	if out := settle(t, m, press(m, "ctrl+s")); len(out) != 3 {
		t.Fatalf("root got %v (errs %v)", out, m.errs)
	}
	env, _ := w.svc().Environment("acme")
	if env.URL != "https://acme.my.salesforce.com" || env.Auth != model.AuthAccessToken || env.Credentials.AccessToken != "00Dxx!token" {
		t.Errorf("stored %s %s", env.URL, env.Auth)
	}
}

func TestSecretsAreMaskedAndNeverPrefilled(t *testing.T) {
	w := newWorld(t)
	w.seed()
	m := w.editor("acme-prod", 80, 24)
	if fmt.Sprint(labels(m)) != "[Kind Connection Login URL My Domain Auth method Refresh token Client id Client secret]" {
		t.Fatalf("fields %v", labels(m))
	}
	if m.value(fRefresh) != "" || !m.stored[fRefresh] || m.value(fClientID) != "3MVG9relmanClientId" {
		t.Fatalf("refresh %q stored %v client id %q", m.value(fRefresh), m.stored, m.value(fClientID))
	}
	view := m.View()
	if strings.Contains(view, secret) || !strings.Contains(view, "stored (encrypted) · leave blank to keep") {
		t.Errorf("view:\n%s", view)
	}
	focus(m, fClientSecret)
	typeText(m, "s3cr3t-value")
	if view := m.View(); strings.Contains(view, "s3cr3t") || !strings.Contains(view, "••••") {
		t.Errorf("a typed secret must show masked:\n%s", view)
	}
	focus(m, fClientID)
	press(m, "ctrl+u") // clears the input
	typeText(m, "3MVG9newClientId")
	if out := settle(t, m, press(m, "ctrl+s")); len(out) != 3 {
		t.Fatalf("root got %v (errs %v)", out, m.errs)
	}
	env, _ := w.svc().Environment("acme-prod")
	if env.ClientID != "3MVG9newClientId" || env.Credentials.RefreshToken != secret || env.Credentials.ClientSecret != "s3cr3t-value" {
		t.Errorf("stored client id %s; refresh token kept %v; client secret set %v",
			env.ClientID, env.Credentials.RefreshToken == secret, env.Credentials.ClientSecret == "s3cr3t-value")
	}
}

func TestEditADirectoryEnvironment(t *testing.T) {
	w := newWorld(t)
	w.seed()
	m := w.editor("uat", 80, 24)
	if m.editing != "uat" || m.focus != fKind || m.value(fDir) != w.org("uat") || kinds[m.fields[fKind].choice] != model.KindSandbox {
		t.Fatalf("loaded editing %q focus %s dir %q", m.editing, m.fields[m.focus].label, m.value(fDir))
	}
	if !strings.Contains(m.View(), "Edit uat") || strings.Contains(m.View(), "Name ") {
		t.Errorf("an edited environment keeps its name:\n%s", m.View())
	}
	focus(m, fDir)
	press(m, "ctrl+u")
	typeText(m, w.org("dev"))
	settle(t, m, press(m, "ctrl+s"))
	env, _ := w.svc().Environment("uat")
	if env.Dir != w.org("dev") {
		t.Errorf("stored dir %s", env.Dir)
	}
	// Opening a missing environment goes back with the store's error.
	m2 := w.editor("", 80, 24)
	_, cmd := m2.Update(common.ShowMsg{Name: "nosuch"})
	out := settle(t, m2, cmd)
	if len(out) != 2 {
		t.Fatalf("root got %v", out)
	}
}

func TestSfdxAuthURLFile(t *testing.T) {
	w := newWorld(t)
	good := filepath.Join(w.dir, "auth.json")
	bad := filepath.Join(w.dir, "bad.txt")
	url := "force://PlatformCLI::5Aep861refresh@acme.my.salesforce.com"
	if err := os.WriteFile(good, []byte(`{"status":0,"result":{"sfdxAuthUrl":"`+url+`"}}`), 0o600); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(bad, []byte("not-a-url-but-secret"), 0o600); err != nil {
		t.Fatal(err)
	}
	m := w.editor("", 80, 24)
	typeText(m, "acme")
	press(m, "tab", "tab", "right", "tab", "tab") // Salesforce, login URL, auth method
	for m.auth() != model.AuthSfdxURL {
		press(m, "right")
	}
	press(m, "tab")
	typeText(m, bad)
	if out := settle(t, m, press(m, "ctrl+s")); len(out) != 0 {
		t.Fatalf("root got %v", out)
	}
	if e := m.errs[fSfdxFile]; !strings.Contains(e, "holds no force://") || strings.Contains(e, "not-a-url") {
		t.Fatalf("file error %q", e)
	}
	press(m, "ctrl+u")
	typeText(m, good)
	if out := settle(t, m, press(m, "ctrl+s")); len(out) != 3 {
		t.Fatalf("root got %v (errs %v)", out, m.errs)
	}
	env, _ := w.svc().Environment("acme")
	if env.Credentials.SfdxAuthURL != url {
		t.Error("the auth URL was not stored")
	}
}

func TestEscAsksBeforeDiscarding(t *testing.T) {
	w := newWorld(t)
	m := w.editor("", 80, 24)
	if out := settle(t, m, press(m, "esc")); len(out) != 1 || out[0] != (common.BackMsg{}) {
		t.Fatalf("an untouched form leaves at once, root got %v", out)
	}
	m = w.editor("", 80, 24)
	typeText(m, "q") // typed, not quitting
	if press(m, "esc"); !m.dialog.Open() || !strings.Contains(m.View(), "The new environment is not saved.") {
		t.Fatalf("esc should ask:\n%s", m.View())
	}
	if h := m.ShortHelp(); len(h) != 2 || h[0].Help().Key != "y" {
		t.Errorf("help while asking: %v", h)
	}
	if out := settle(t, m, press(m, "n")); len(out) != 0 || m.value(fName) != "q" {
		t.Fatalf("n keeps the form, root got %v", out)
	}
	press(m, "esc")
	if out := settle(t, m, press(m, "y")); len(out) != 1 || out[0] != (common.BackMsg{}) {
		t.Fatalf("y leaves, root got %v", out)
	}
}

func TestStaleAnswersAreDropped(t *testing.T) {
	w := newWorld(t)
	w.seed()
	m := w.editor("uat", 80, 24)
	old := m.seq
	m.Update(common.ShowMsg{}) // reopened to add
	for _, msg := range []tea.Msg{
		editorLoadedMsg{seq: old, env: model.Environment{Name: "uat", Dir: "/elsewhere"}},
		saveResultMsg{seq: old, name: "uat"},
		listLoadedMsg{seq: 1},
	} {
		if _, cmd := m.Update(msg); cmd != nil {
			t.Errorf("%T started a command", msg)
		}
	}
	if m.editing != "" || m.value(fDir) != "" {
		t.Errorf("a stale answer changed the form: editing %q dir %q", m.editing, m.value(fDir))
	}
}

func TestKeysFollowTheFocusedField(t *testing.T) {
	w := newWorld(t)
	m := w.editor("", 80, 24)
	if m.keys.OptionPrev.Enabled() {
		t.Error("←/→ belong to the name input")
	}
	press(m, "tab")
	if !m.keys.OptionPrev.Enabled() {
		t.Error("←/→ change the kind")
	}
	press(m, " ")
	if kinds[m.fields[fKind].choice] != model.KindProduction {
		t.Error("space should change the kind")
	}
	press(m, "shift+tab", "up")
	if m.focus != fDir {
		t.Errorf("focus %s, want the last field (wrapping back)", m.fields[m.focus].label)
	}
}

func TestEditorGolden(t *testing.T) {
	w := newWorld(t)
	w.seed()
	for _, c := range []struct {
		name          string
		env           string
		width, height int
		keys          []string
	}{
		{"add_80x24", "", 80, 24, nil},
		{"add_errors_80x24", "", 80, 24, []string{"tab", "tab", "tab", "ctrl+s"}},
		{"jwt_80x24", "", 80, 24, []string{"tab", "tab", "right", "tab", "tab", "right", "right", "right"}},
		{"password_errors_160x48", "", 160, 48, []string{"tab", "right", "tab", "right", "tab", "tab", "right", "right", "ctrl+s"}},
		{"my_domain_errors_80x24", "", 80, 24, []string{"tab", "tab", "right", "tab", "left", "left", "ctrl+s"}},
		{"edit_secrets_80x24", "acme-prod", 80, 24, []string{"down", "down", "down", "down", "down"}},
		{"edit_secrets_160x48", "acme-prod", 160, 48, nil},
		{"discard_80x24", "", 80, 24, []string{"x", "esc"}},
	} {
		t.Run(c.name, func(t *testing.T) {
			m := w.editor(c.env, c.width, c.height)
			press(m, c.keys...)
			golden.RequireEqual(t, []byte(m.View()))
		})
	}
}
