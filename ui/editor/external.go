package editor

import (
	"errors"
	"fmt"
	"os"
	"os/exec"
	"strings"

	tea "github.com/charmbracelet/bubbletea"

	"relman/ui/common"
)

// externalReadyMsg carries the editor process, ready to run on a temp file
// holding the overview.
type externalReadyMsg struct {
	session int
	path    string
	cmd     *exec.Cmd
	err     error
}

// externalClosedMsg says the editor process ended.
type externalClosedMsg struct {
	session int
	path    string
	err     error
}

// overviewEditedMsg carries the overview read back from the temp file.
type overviewEditedMsg struct {
	session int
	text    string
	err     error
}

// prepareExternal writes the overview to a temp file and builds the
// $VISUAL / $EDITOR command (vi by default) in a command: both touch the
// disk (a temp file, a PATH lookup), which Update must not.
func prepareExternal(session int, text string) tea.Cmd {
	return func() tea.Msg {
		f, err := os.CreateTemp("", "relman-overview-*.md")
		if err != nil {
			return externalReadyMsg{session: session, err: err}
		}
		_, werr := f.WriteString(text)
		if err := errors.Join(werr, f.Close()); err != nil {
			os.Remove(f.Name())
			return externalReadyMsg{session: session, err: err}
		}
		argv := strings.Fields(os.Getenv("VISUAL"))
		if len(argv) == 0 {
			argv = strings.Fields(os.Getenv("EDITOR"))
		}
		if len(argv) == 0 {
			argv = []string{"vi"}
		}
		cmd := exec.Command(argv[0], append(argv[1:], f.Name())...)
		if cmd.Err != nil {
			os.Remove(f.Name())
			return externalReadyMsg{session: session, err: fmt.Errorf("%w; set $EDITOR to your editor", cmd.Err)}
		}
		return externalReadyMsg{session: session, path: f.Name(), cmd: cmd}
	}
}

// externalReady hands the terminal to the editor process.
func (m *Editor) externalReady(msg externalReadyMsg) tea.Cmd {
	if msg.session != m.session {
		if msg.path != "" {
			return removeFile(msg.path)
		}
		return nil
	}
	if msg.err != nil {
		return common.Err(fmt.Errorf("cannot open the overview in an editor: %w", msg.err))
	}
	session, path := msg.session, msg.path
	return tea.ExecProcess(msg.cmd, func(err error) tea.Msg {
		return externalClosedMsg{session: session, path: path, err: err}
	})
}

// externalClosed reads the edited overview back in a command.
func (m *Editor) externalClosed(msg externalClosedMsg) tea.Cmd {
	if msg.err != nil || msg.session != m.session {
		cmd := removeFile(msg.path)
		if msg.err != nil && msg.session == m.session {
			cmd = tea.Batch(cmd, common.Err(fmt.Errorf("the editor failed, the overview is unchanged: %w", msg.err)))
		}
		return cmd
	}
	session, path := msg.session, msg.path
	return func() tea.Msg {
		b, err := os.ReadFile(path)
		os.Remove(path)
		// Editors end files with a newline the overview did not have.
		return overviewEditedMsg{session: session, text: strings.TrimSuffix(string(b), "\n"), err: err}
	}
}

func (m *Editor) overviewEdited(msg overviewEditedMsg) tea.Cmd {
	if msg.session != m.session {
		return nil
	}
	if msg.err != nil {
		return common.Err(fmt.Errorf("reading the edited overview back: %w", msg.err))
	}
	m.overview.SetValue(msg.text)
	return nil
}

func removeFile(path string) tea.Cmd {
	return func() tea.Msg {
		os.Remove(path)
		return nil
	}
}
