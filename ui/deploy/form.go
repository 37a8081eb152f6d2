package deploy

import (
	"fmt"
	"strings"

	"github.com/charmbracelet/bubbles/key"
	"github.com/charmbracelet/bubbles/textinput"
	tea "github.com/charmbracelet/bubbletea"
	"github.com/charmbracelet/lipgloss"
	"github.com/charmbracelet/x/ansi"

	"relman/model"
	"relman/store"
	"relman/ui/common"
)

// formStep is a question of the new deployment form.
type formStep int

const (
	askCR formStep = iota
	askSource
	askTarget
	askLevel
	askTests
)

var formStepNames = [...]string{"Change request", "Source environment", "Target environment", "Test level", "Tests to run"}

// form asks, one question at a time, what `deploy new` asks: an approved
// change request, source, target, test level (defaulting by the target's
// kind) and, for RunSpecifiedTests, the tests. esc goes back a question.
type form struct {
	deps   common.Deps
	keys   formKeyMap
	step   formStep
	cursor int

	crs  []model.ChangeRequest
	envs []model.Environment
	// homes maps every change request to its environment, so the source
	// can default to where a copy of the chosen one was built.
	homes map[int64]string

	cr             model.ChangeRequest
	source, target model.Environment
	level          model.TestLevel
	tests          textinput.Model

	loading, creating bool
	err               error
	closed            bool
}

// formDataMsg brings the change requests and environments to choose from.
type formDataMsg struct {
	form *form
	crs  []model.ChangeRequest
	envs []model.Environment
	// homes maps every change request to its environment, so the source
	// can default to where a copy of the chosen one was built.
	homes map[int64]string
	err   error
}

// createdMsg answers the creation of the record.
type createdMsg struct {
	form *form
	d    model.DeploymentRecord
	err  error
}

func newForm(deps common.Deps) (*form, tea.Cmd) {
	in := textinput.New()
	in.Placeholder = "InvoiceServiceTest, InvoiceTriggerHandlerTest"
	in.CharLimit = 2000
	f := &form{deps: deps, keys: defaultFormKeys(), tests: in, loading: true}
	f.updateKeys()
	svc := deps.Svc
	return f, func() tea.Msg {
		all, err := svc.ListCRs(store.CRQuery{})
		if err != nil {
			return formDataMsg{form: f, err: err}
		}
		homes := make(map[int64]string, len(all))
		var crs []model.ChangeRequest
		for _, cr := range all {
			homes[cr.ID] = cr.Env
			// An approval on an earlier scope no longer counts.
			if cr.IsApproved() && cr.CompletionStatus == model.CompletionInProgress {
				crs = append(crs, cr)
			}
		}
		envs, err := svc.Environments()
		return formDataMsg{form: f, crs: crs, envs: envs, homes: homes, err: err}
	}
}

func (f *form) capturing() bool { return f.step == askTests }

// update handles a message; it returns the record once it is created.
func (f *form) update(msg tea.Msg) (*model.DeploymentRecord, tea.Cmd) {
	defer f.updateKeys()
	switch msg := msg.(type) {
	case formDataMsg:
		if msg.form == f {
			f.loading, f.err, f.envs, f.crs, f.homes = false, msg.err, msg.envs, msg.crs, msg.homes
		}
	case createdMsg:
		if msg.form == f {
			f.creating, f.err = false, msg.err
			if msg.err == nil {
				return &msg.d, nil
			}
		}
	case tea.KeyMsg:
		return nil, f.handleKey(msg)
	default:
		if f.step == askTests {
			var cmd tea.Cmd
			f.tests, cmd = f.tests.Update(msg)
			return nil, cmd
		}
	}
	return nil, nil
}

func (f *form) handleKey(msg tea.KeyMsg) tea.Cmd {
	k := f.keys
	switch {
	case key.Matches(msg, k.Back):
		f.back()
	case key.Matches(msg, k.Up):
		f.cursor = max(0, f.cursor-1)
	case key.Matches(msg, k.Down):
		f.cursor = min(len(f.choices())-1, f.cursor+1)
	case key.Matches(msg, k.Choose):
		return f.choose()
	case f.step == askTests:
		var cmd tea.Cmd
		f.tests, cmd = f.tests.Update(msg)
		f.err = nil
		return cmd
	}
	return nil
}

// back returns to the previous question, or closes the form at the first.
func (f *form) back() {
	f.err = nil
	if f.step == askCR {
		f.closed = true
		return
	}
	f.step--
	f.tests.Blur()
	f.cursor = f.defaultCursor()
}

// choose takes the highlighted answer and moves on; the last answer
// creates the record.
func (f *form) choose() tea.Cmd {
	f.err = nil
	switch f.step {
	case askCR:
		f.cr = f.crs[f.cursor]
	case askSource:
		f.source = f.sources()[f.cursor]
	case askTarget:
		f.target = f.targets()[f.cursor]
	case askLevel:
		f.level = model.TestLevels[f.cursor]
		if f.level == model.RunSpecifiedTests {
			f.step = askTests
			return f.tests.Focus()
		}
		return f.create()
	case askTests:
		return f.create()
	}
	f.step++
	f.cursor = f.defaultCursor()
	return nil
}

func (f *form) create() tea.Cmd {
	f.creating = true
	svc, self := f.deps.Svc, f
	cr, source, target := f.cr.ID, f.source.Name, f.target.Name
	fields := model.DeploymentFields{TestLevel: f.level}
	if f.level == model.RunSpecifiedTests {
		fields.Tests = strings.Split(f.tests.Value(), ",")
	}
	return func() tea.Msg {
		d, err := svc.NewDeployment(cr, source, target, fields)
		return createdMsg{form: self, d: d, err: err}
	}
}

// sources are every environment but the change request's home.
func (f *form) sources() []model.Environment {
	var out []model.Environment
	for _, e := range f.envs {
		if e.Name != f.cr.Env {
			out = append(out, e)
		}
	}
	return out
}

// targets are every environment but the source.
func (f *form) targets() []model.Environment {
	var out []model.Environment
	for _, e := range f.envs {
		if e.Name != f.source.Name {
			out = append(out, e)
		}
	}
	return out
}

// choices labels the answers to the current question.
func (f *form) choices() []string {
	var out []string
	switch f.step {
	case askCR:
		for _, cr := range f.crs {
			out = append(out, fmt.Sprintf("%s %s", cr.Key(), oneLine(cr.Name)))
		}
	case askSource:
		for _, e := range f.sources() {
			out = append(out, fmt.Sprintf("%s (%s)", e.Name, e.Kind))
		}
	case askTarget:
		for _, e := range f.targets() {
			label := fmt.Sprintf("%s (%s)", e.Name, e.Kind)
			if e.Name == f.cr.Env {
				label += " · home of " + f.cr.Key()
			}
			out = append(out, label)
		}
	case askLevel:
		def := model.DefaultTestLevel(f.target.Kind)
		for _, l := range model.TestLevels {
			label := string(l)
			if l == def {
				label += fmt.Sprintf(" · default for %s", f.target.Kind)
			}
			out = append(out, label)
		}
	}
	return out
}

// defaultCursor is the answer an admin most likely wants: the sandbox of
// the change request's latest copy as source, its home as target, the
// target kind's default test level.
func (f *form) defaultCursor() int {
	switch f.step {
	case askSource:
		for i := len(f.cr.Children) - 1; i >= 0; i-- {
			for j, e := range f.sources() {
				if e.Name == f.homes[f.cr.Children[i]] {
					return j
				}
			}
		}
	case askTarget:
		for i, e := range f.targets() {
			if e.Name == f.cr.Env {
				return i
			}
		}
	case askLevel:
		def := model.DefaultTestLevel(f.target.Kind)
		for i, l := range model.TestLevels {
			if l == def {
				return i
			}
		}
	}
	return 0
}

// emptyReason says why the current question has no answer to choose.
func (f *form) emptyReason() string {
	switch f.step {
	case askCR:
		return "No change request is approved and in progress. Approve one first."
	case askSource:
		return "There is no environment to deploy from but " + f.cr.Env + ". Add one on the Environments screen."
	}
	return "There is no environment to deploy to. Add one on the Environments screen."
}

func (f *form) updateKeys() {
	k := &f.keys
	idle := !f.loading && !f.creating
	picking := idle && f.step != askTests
	k.Up.SetEnabled(picking && f.cursor > 0)
	k.Down.SetEnabled(picking && f.cursor < len(f.choices())-1)
	k.Choose.SetEnabled(idle && (f.step == askTests || len(f.choices()) > 0))
	k.Back.SetEnabled(!f.creating)
	if f.step >= askLevel && f.step == f.lastStep() {
		k.Choose.SetHelp("enter", "create")
	} else {
		k.Choose.SetHelp("enter", "choose")
	}
}

// lastStep is the question that creates the record when answered.
func (f *form) lastStep() formStep {
	if f.step == askTests || (f.step == askLevel && model.TestLevels[f.cursor] == model.RunSpecifiedTests) {
		return askTests
	}
	return askLevel
}

func (f *form) help() []key.Binding {
	return []key.Binding{f.keys.Choose, f.keys.Up, f.keys.Down, f.keys.Back}
}

// view renders the form as a dialog of at most width × height cells.
func (f *form) view(width, height int) string {
	st := f.deps.Styles
	w := max(min(width, 72), 30)
	inner := w - st.Dialog.GetHorizontalFrameSize()
	fit := func(s string) string { return ansi.Truncate(s, inner, "…") }
	total := 4
	if f.level == model.RunSpecifiedTests || f.step == askTests {
		total = 5
	}
	lines := []string{st.Title.Render("New deployment"),
		st.Muted.Render(fmt.Sprintf("Step %d of %d · %s", int(f.step)+1, total, formStepNames[f.step]))}
	if f.step > askCR {
		route := f.source.Name + " → " + f.target.Name
		if f.step == askSource {
			route = "? → ?"
		} else if f.step == askTarget {
			route = f.source.Name + " → ?"
		}
		lines = append(lines, fit(f.cr.Key()+" "+oneLine(f.cr.Name)+" · "+route))
	}
	lines = append(lines, "")
	switch {
	case f.loading:
		lines = append(lines, "Loading…")
	case f.step == askTests:
		lines = append(lines, "Comma-separated test classes to run in "+f.target.Name+":", st.FocusInput.Render(f.tests.View()))
	case len(f.choices()) == 0:
		lines = append(lines, st.Warning.Render(ansi.Wrap(f.emptyReason(), inner, " ")))
	default:
		lines = append(lines, f.choiceLines(inner, max(3, height-st.Dialog.GetVerticalFrameSize()-len(lines)-4))...)
	}
	if f.creating {
		lines = append(lines, "", "Creating…")
	}
	if f.err != nil {
		lines = append(lines, "", st.FieldError.Render(ansi.Wrap(problem(f.err), inner, " ")))
	}
	return st.Dialog.Width(w).Render(lipgloss.JoinVertical(lipgloss.Left, lines...))
}

// choiceLines shows a window of the choices around the cursor.
func (f *form) choiceLines(width, rows int) []string {
	st := f.deps.Styles
	choices := f.choices()
	from := max(0, min(f.cursor-rows/2, len(choices)-rows))
	to := min(len(choices), from+rows)
	out := make([]string, 0, to-from)
	for i := from; i < to; i++ {
		label := ansi.Truncate(choices[i], width-2, "…")
		if i == f.cursor {
			out = append(out, st.Selected.Width(width).Render("› "+label))
		} else {
			out = append(out, "  "+label)
		}
	}
	return out
}
