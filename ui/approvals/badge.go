package approvals

// Badge is how many records wait for the user's decision: the header
// shows it beside the tab, so work waiting elsewhere is seen.
func (m *Model) Badge() int { return len(m.items) }
