package editor

// Modal reports whether a dialog is open: the root's global keys (tabs,
// help, quit) wait until it is answered.
func (m *Editor) Modal() bool { return m.dialog.Open() }
