package environments

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"

	"github.com/charmbracelet/bubbles/key"
	"github.com/charmbracelet/bubbles/textinput"
	tea "github.com/charmbracelet/bubbletea"

	"relman/model"
	"relman/ui/actions"
	"relman/ui/common"
	"relman/ui/components/dialog"
)

// tagDiscard tags the discard-changes confirmation.
const tagDiscard = "environment-editor/discard"

// Editor is the screen that adds or edits one environment.
type Editor struct {
	deps   common.Deps
	keys   editorKeys
	dialog dialog.Model

	fields [fieldCount]field
	focus  fieldID
	// editing is the name of the environment being edited; "" when adding.
	editing string
	// stored marks the secret fields whose value is stored: left blank,
	// they keep it.
	stored map[fieldID]bool
	// initial is the form's values when it opened, to tell unsaved changes.
	initial string

	loading, saving bool
	// seq tags loads and saves: reopening the editor makes earlier answers
	// stale.
	seq int

	errs map[fieldID]string
	// validated is set by the first save attempt: from then on the errors
	// follow every edit, so a fixed field loses its error at once.
	validated bool

	width, height int
}

// field is one row of the form: a choice when options is set, else a text
// input.
type field struct {
	label, hint string
	options     []string
	choice      int
	input       textinput.Model
	secret      bool
}

// editorLoadedMsg answers the load of the environment to edit.
type editorLoadedMsg struct {
	seq int
	env model.Environment
	err error
}

// saveResultMsg is the outcome of a save: errs are problems found while
// reading the files the form names, err the store's answer.
type saveResultMsg struct {
	seq  int
	name string
	test bool
	errs map[fieldID]string
	err  error
}

// savedMsg tells the list that an environment was saved, so that it selects
// it and, when asked, tests it where the result shows.
type savedMsg struct {
	name string
	test bool
}

// NewEditor builds the environment editor.
func NewEditor(deps common.Deps) common.Screen {
	m := &Editor{deps: deps, keys: defaultEditorKeys(), dialog: dialog.New(deps.Styles)}
	text := func(label, hint string, secret bool) field {
		in := textinput.New()
		in.Prompt = ""
		in.CharLimit = 2048
		if secret {
			in.EchoMode, in.EchoCharacter = textinput.EchoPassword, '•'
		}
		return field{label: label, hint: hint, input: in, secret: secret}
	}
	choice := func(label, hint string, options ...string) field {
		return field{label: label, hint: hint, options: options}
	}
	auths := make([]string, len(model.AuthMethods))
	for i, a := range model.AuthMethods {
		auths[i] = string(a)
	}
	m.fields = [fieldCount]field{
		fName: text("Name", "Letters, digits, '.', '_' or '-', starting with a letter, e.g. uat.", false),
		fKind: choice("Kind", "production holds the change requests; sandboxes are where they are built and tested.",
			"production", "sandbox"),
		fConn: choice("Connection", "A directory of metadata on disk, or a Salesforce org reached over its APIs.",
			"directory", "Salesforce"),
		fDir: text("Directory", "The folder holding sfdx-project.json, package.xml or force-app; ~ is your home.", false),
		fLogin: choice("Login URL", "login.salesforce.com for production, test.salesforce.com for sandboxes, or the org's My Domain.",
			"login.salesforce.com", "test.salesforce.com", "My Domain"),
		fMyDomain:     text("My Domain", "The org's My Domain URL, e.g. https://acme.my.salesforce.com.", false),
		fAuth:         choice("Auth method", "How relman gets an access token for the org.", auths...),
		fToken:        text("Access token", "A session id or OAuth access token. It expires: prefer a refresh token.", true),
		fRefresh:      text("Refresh token", "The OAuth refresh token issued to the connected app.", true),
		fUsername:     text("Username", "The Salesforce username, e.g. admin@acme.com.", false),
		fPassword:     text("Password", "The password followed by the user's security token.", true),
		fClientID:     text("Client id", "The connected app's consumer key.", false),
		fClientSecret: text("Client secret", "The connected app's consumer secret.", true),
		fKeyFile:      text("Key file", "The private key (PEM) whose certificate the connected app holds.", false),
		fSfdxFile: text("Auth URL file", "A file holding a force:// URL, or the JSON of `sf org display --verbose --json`.",
			false),
		fAlias: text("Alias", "An alias or username the Salesforce CLI knows (`sf org list`).", false),
	}
	m.reset(model.Environment{Kind: model.KindSandbox, Connection: model.ConnLocal})
	return m
}

// Title implements common.Screen.
func (m *Editor) Title() string { return "Environment" }

// Capturing implements common.Screen. The whole form captures: every key
// belongs to a field, and a global key would leave the form with its input
// silently dropped. esc leaves, asking first when something changed.
func (m *Editor) Capturing() bool { return true }

// SetSize implements common.Screen.
func (m *Editor) SetSize(width, height int) {
	m.width, m.height = width, height
	m.dialog.SetWidth(width - 2)
	for i := range m.fields {
		// Room left of the input: the focus marker, the label and the
		// input's own left border and padding; one cell for the cursor.
		m.fields[i].input.Width = max(1, width-m.labelWidth()-m.deps.Styles.Input.GetHorizontalFrameSize()-1)
	}
}

// Init implements common.Screen: the editor loads only when opened.
func (m *Editor) Init() tea.Cmd { return nil }

// Update implements common.Screen.
func (m *Editor) Update(msg tea.Msg) (common.Screen, tea.Cmd) {
	var cmd tea.Cmd
	switch msg := msg.(type) {
	case common.ShowMsg:
		cmd = m.open(msg.Name)
	case editorLoadedMsg:
		cmd = m.applyLoad(msg)
	case saveResultMsg:
		cmd = m.applySave(msg)
	case dialog.DoneMsg:
		if msg.Tag == tagDiscard && msg.OK {
			cmd = common.Back
		}
	case tea.KeyMsg:
		cmd = m.handleKey(msg)
	default:
		// Cursor blinks of the focused input and of the dialog's.
		var c1, c2 tea.Cmd
		m.fields[m.focus].input, c1 = m.fields[m.focus].input.Update(msg)
		m.dialog, c2 = m.dialog.Update(msg)
		cmd = tea.Batch(c1, c2)
	}
	m.updateKeys()
	return m, cmd
}

// open shows an empty form to add an environment, or loads name to edit.
func (m *Editor) open(name string) tea.Cmd {
	m.seq++
	if name == "" {
		m.editing = ""
		return m.reset(model.Environment{Kind: model.KindSandbox, Connection: model.ConnLocal})
	}
	m.editing, m.loading = name, true
	seq, svc := m.seq, m.deps.Svc
	return func() tea.Msg {
		env, err := svc.Environment(name)
		return editorLoadedMsg{seq: seq, env: env, err: err}
	}
}

func (m *Editor) applyLoad(msg editorLoadedMsg) tea.Cmd {
	if msg.seq != m.seq {
		return nil
	}
	m.loading = false
	if msg.err != nil {
		return tea.Batch(common.Err(msg.err), common.Back)
	}
	return m.reset(msg.env)
}

// reset fills the form from env (an empty one to add) and focuses its
// first field. Secrets are never filled in: the form only learns which
// are stored.
func (m *Editor) reset(env model.Environment) tea.Cmd {
	m.errs, m.validated, m.saving = nil, false, false
	for i := range m.fields {
		m.fields[i].input.Reset()
		m.fields[i].choice = 0
	}
	m.fields[fName].input.SetValue(env.Name)
	m.fields[fKind].choice = index(kinds, env.Kind)
	m.fields[fConn].choice = index(connections, env.Connection)
	m.fields[fDir].input.SetValue(env.Dir)
	m.fields[fLogin].choice = index(loginURLs, env.URL)
	switch {
	case env.URL == "":
		m.fields[fLogin].choice = m.defaultLogin()
	case m.fields[fLogin].choice < 0:
		m.fields[fLogin].choice = myDomain
		m.fields[fMyDomain].input.SetValue(env.URL)
	}
	m.fields[fAuth].choice = max(0, index(model.AuthMethods, env.Auth))
	m.fields[fUsername].input.SetValue(env.Username)
	m.fields[fClientID].input.SetValue(env.ClientID)
	m.fields[fKeyFile].input.SetValue(env.KeyFile)
	m.fields[fAlias].input.SetValue(env.Alias)
	c := env.Credentials
	m.stored = map[fieldID]bool{}
	for id, set := range map[fieldID]bool{fToken: c.AccessToken != "", fRefresh: c.RefreshToken != "",
		fClientSecret: c.ClientSecret != "", fPassword: c.Password != "", fSfdxFile: c.SfdxAuthURL != ""} {
		if set && m.editing != "" {
			m.stored[id] = true
		}
	}
	m.initial = m.snapshot()
	return m.focusOn(m.visible()[0])
}

func index[T comparable](list []T, v T) int {
	for i, x := range list {
		if x == v {
			return i
		}
	}
	return -1
}

// defaultLogin is the login URL that goes with the chosen kind.
func (m *Editor) defaultLogin() int {
	if kinds[m.fields[fKind].choice] == model.KindProduction {
		return 0
	}
	return 1
}

func (m *Editor) handleKey(msg tea.KeyMsg) tea.Cmd {
	if m.dialog.Open() {
		var cmd tea.Cmd
		m.dialog, cmd = m.dialog.Update(msg)
		return cmd
	}
	var cmd tea.Cmd
	switch {
	case key.Matches(msg, m.keys.Save):
		return m.save(false)
	case key.Matches(msg, m.keys.SaveTest):
		return m.save(true)
	case key.Matches(msg, m.keys.Cancel):
		return m.cancel()
	case key.Matches(msg, m.keys.Next):
		return m.moveFocus(1)
	case key.Matches(msg, m.keys.Prev):
		return m.moveFocus(-1)
	case key.Matches(msg, m.keys.OptionPrev):
		m.cycle(-1)
	case key.Matches(msg, m.keys.OptionNext):
		m.cycle(1)
	case m.loading || m.saving || m.fields[m.focus].options != nil:
		return nil
	default:
		m.fields[m.focus].input, cmd = m.fields[m.focus].input.Update(msg)
	}
	if m.validated {
		m.errs = m.validate()
	}
	return cmd
}

// cycle moves the focused choice by delta, wrapping around.
func (m *Editor) cycle(delta int) {
	f := &m.fields[m.focus]
	n := len(f.options)
	f.choice = (f.choice + delta + n) % n
	if m.focus == fKind && m.fields[fLogin].choice != myDomain {
		m.fields[fLogin].choice = m.defaultLogin()
	}
}

// moveFocus focuses the next (delta 1) or previous (-1) visible field,
// wrapping around.
func (m *Editor) moveFocus(delta int) tea.Cmd {
	vis := m.visible()
	i := max(0, index(vis, m.focus))
	return m.focusOn(vis[(i+delta+len(vis))%len(vis)])
}

func (m *Editor) focusOn(id fieldID) tea.Cmd {
	m.fields[m.focus].input.Blur()
	m.focus = id
	if m.fields[id].options != nil {
		return nil
	}
	return m.fields[id].input.Focus()
}

// visible lists the fields the form shows now: the connection, login and
// auth method decide which.
func (m *Editor) visible() []fieldID {
	var ids []fieldID
	if m.editing == "" {
		ids = append(ids, fName)
	}
	ids = append(ids, fKind, fConn)
	if connections[m.fields[fConn].choice] == model.ConnLocal {
		return append(ids, fDir)
	}
	ids = append(ids, fLogin)
	if m.fields[fLogin].choice == myDomain {
		ids = append(ids, fMyDomain)
	}
	ids = append(ids, fAuth)
	for _, a := range authFields[m.auth()] {
		ids = append(ids, a.id)
	}
	return ids
}

func (m *Editor) auth() model.AuthMethod { return model.AuthMethods[m.fields[fAuth].choice] }

// optional reports whether the chosen auth method can do without id.
func (m *Editor) optional(id fieldID) bool {
	for _, a := range authFields[m.auth()] {
		if a.id == id {
			return a.optional
		}
	}
	return false
}

func (m *Editor) value(id fieldID) string {
	if m.fields[id].secret {
		// Secrets are taken as typed: spaces may belong to them.
		return m.fields[id].input.Value()
	}
	return strings.TrimSpace(m.fields[id].input.Value())
}

// environment is the form's environment and the auth URL file to read on
// save. Only the chosen method's fields are set, so a value typed for
// another method is not saved.
func (m *Editor) environment() (model.Environment, string) {
	env := model.Environment{Name: m.value(fName), Kind: kinds[m.fields[fKind].choice],
		Connection: connections[m.fields[fConn].choice]}
	if m.editing != "" {
		env.Name = m.editing
	}
	if env.Connection == model.ConnLocal {
		env.Dir = m.value(fDir)
		return env, ""
	}
	env.Auth = m.auth()
	if c := m.fields[fLogin].choice; c == myDomain {
		env.URL = myDomainURL(m.value(fMyDomain))
	} else {
		env.URL = loginURLs[c]
	}
	var sfdxFile string
	for _, a := range authFields[env.Auth] {
		v := m.value(a.id)
		switch a.id {
		case fToken:
			env.Credentials.AccessToken = v
		case fRefresh:
			env.Credentials.RefreshToken = v
		case fUsername:
			env.Username = v
		case fPassword:
			env.Credentials.Password = v
		case fClientID:
			env.ClientID = v
		case fClientSecret:
			env.Credentials.ClientSecret = v
		case fKeyFile:
			env.KeyFile = v
		case fSfdxFile:
			sfdxFile = v
		case fAlias:
			env.Alias = v
		}
	}
	return env, sfdxFile
}

// myDomainURL accepts a My Domain with or without its scheme.
func myDomainURL(s string) string {
	s = strings.TrimRight(s, "/")
	if s == "" || strings.Contains(s, "://") {
		return s
	}
	return "https://" + s
}

// validate checks the form with model.ValidateEnvironment and pins every
// problem on its field. The model stops at the first problem, so each one
// found gets a stand-in value and the check runs again, until none is left.
func (m *Editor) validate() map[fieldID]string {
	env, sfdxFile := m.environment()
	// A stored secret left blank is kept, and the auth URL file is read
	// only on save: stand-ins let the rules judge the rest.
	for id := range m.stored {
		if m.value(id) == "" {
			standIn(&env, id)
		}
	}
	if sfdxFile != "" {
		standIn(&env, fSfdxFile)
	}
	errs := map[fieldID]string{}
	for range fieldCount {
		err := model.ValidateEnvironment(env)
		if err == nil {
			break
		}
		progress := false
		for id, text := range fieldErrors(err, env.Auth) {
			errs[id] = text
			progress = standIn(&env, id) || progress
		}
		if !progress {
			break
		}
	}
	return errs
}

// save validates, then saves in a command; test asks the list to test the
// saved environment.
func (m *Editor) save(test bool) tea.Cmd {
	m.validated = true
	if m.errs = m.validate(); len(m.errs) > 0 {
		return m.focusFirstError()
	}
	env, sfdxFile := m.environment()
	m.saving = true
	return saveCmd(m.deps.Svc, m.seq, env, sfdxFile, m.editing != "", test)
}

func (m *Editor) focusFirstError() tea.Cmd {
	for _, id := range m.visible() {
		if _, bad := m.errs[id]; bad {
			return m.focusOn(id)
		}
	}
	return nil
}

// saveCmd resolves the paths the form names, reads the auth URL file, and
// adds the environment or, when editing, updates it keeping the stored
// secrets left blank.
func saveCmd(svc *actions.Service, seq int, env model.Environment, sfdxFile string, editing, test bool) tea.Cmd {
	return func() tea.Msg {
		res := saveResultMsg{seq: seq, name: env.Name, test: test}
		var err error
		if env.Dir != "" {
			if env.Dir, err = absPath(env.Dir); err != nil {
				res.errs = map[fieldID]string{fDir: err.Error()}
				return res
			}
		}
		if env.KeyFile != "" {
			if env.KeyFile, err = absPath(env.KeyFile); err != nil {
				res.errs = map[fieldID]string{fKeyFile: err.Error()}
				return res
			}
		}
		if sfdxFile != "" {
			if env.Credentials.SfdxAuthURL, err = readSfdxAuthURLAt(svc, sfdxFile); err != nil {
				res.errs = map[fieldID]string{fSfdxFile: err.Error()}
				return res
			}
		}
		if editing {
			_, res.err = svc.UpdateEnvironment(env, true)
		} else {
			_, res.err = svc.AddEnvironment(env)
		}
		return res
	}
}

func (m *Editor) applySave(msg saveResultMsg) tea.Cmd {
	if msg.seq != m.seq {
		return nil
	}
	m.saving = false
	switch {
	case len(msg.errs) > 0:
		m.errs = msg.errs
		return m.focusFirstError()
	case errors.Is(msg.err, actions.ErrEnvironmentExists):
		m.errs = map[fieldID]string{fName: "an environment named " + msg.name + " exists; choose another name"}
		return m.focusOn(fName)
	case msg.err != nil:
		m.errs = fieldErrors(msg.err, m.auth())
		return tea.Batch(common.Err(msg.err), m.focusFirstError())
	}
	// Saved: the form forgets what was typed, secrets first.
	m.seq++
	m.editing = ""
	m.reset(model.Environment{Kind: model.KindSandbox, Connection: model.ConnLocal})
	saved := savedMsg{name: msg.name, test: msg.test}
	return tea.Batch(common.Back, common.Status("Saved "+msg.name),
		func() tea.Msg { return saved })
}

// cancel leaves the form, asking first when something changed.
func (m *Editor) cancel() tea.Cmd {
	if m.snapshot() == m.initial || m.loading {
		return common.Back
	}
	what := "The new environment is not saved."
	if m.editing != "" {
		what = "Your changes to " + m.editing + " are not saved."
	}
	m.dialog = m.dialog.Confirm(tagDiscard, "Discard changes?", what)
	return nil
}

// snapshot is every value of the form, to compare with the one it opened
// with.
func (m *Editor) snapshot() string {
	var b strings.Builder
	for _, f := range m.fields {
		fmt.Fprintf(&b, "%d\x00%s\x00", f.choice, f.input.Value())
	}
	return b.String()
}

// updateKeys enables the keys that apply to the focused field and state.
func (m *Editor) updateKeys() {
	idle := !m.loading && !m.saving
	choice := m.fields[m.focus].options != nil
	m.keys.Next.SetEnabled(idle)
	m.keys.Prev.SetEnabled(idle)
	m.keys.OptionPrev.SetEnabled(idle && choice)
	m.keys.OptionNext.SetEnabled(idle && choice)
	m.keys.Save.SetEnabled(idle)
	m.keys.SaveTest.SetEnabled(idle)
	m.keys.Cancel.SetEnabled(!m.saving)
}

// ShortHelp implements help.KeyMap.
func (m *Editor) ShortHelp() []key.Binding {
	if m.dialog.Open() {
		return m.dialog.ShortHelp()
	}
	return []key.Binding{m.keys.Next, m.keys.OptionPrev, m.keys.Save, m.keys.SaveTest, m.keys.Cancel}
}

// FullHelp implements help.KeyMap.
func (m *Editor) FullHelp() [][]key.Binding {
	if m.dialog.Open() {
		return [][]key.Binding{m.dialog.ShortHelp()}
	}
	return [][]key.Binding{{m.keys.Next, m.keys.Prev, m.keys.OptionPrev}, {m.keys.Save, m.keys.SaveTest, m.keys.Cancel}}
}

// absPath makes a path typed in the form absolute, reading a leading ~ as
// the home directory, so the environment works from any directory later.
func absPath(p string) (string, error) {
	if p == "~" || strings.HasPrefix(p, "~/") {
		home, err := os.UserHomeDir()
		if err != nil {
			return "", fmt.Errorf("cannot expand ~: %v; type the full path", err)
		}
		p = filepath.Join(home, p[1:])
	}
	return filepath.Abs(p)
}

// readSfdxAuthURLAt reads the SFDX auth URL file at a path typed in the
// form, where ~ and relative paths are allowed.
func readSfdxAuthURLAt(svc *actions.Service, path string) (string, error) {
	path, err := absPath(path)
	if err != nil {
		return "", err
	}
	return svc.ReadSfdxAuthURL(path)
}
