package approvals

// Modal reports whether a dialog is open: the root's global keys (tabs,
// help, quit) wait until it is answered.
func (m *Model) Modal() bool { return m.dialog.Open() }
