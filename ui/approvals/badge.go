package approvals

// Badge is how many records wait for the user's decision: the header
// shows it beside the tab, so work waiting elsewhere is seen.
// It is the awaiting index's count, not the loaded page's length.
func (m *Model) Badge() int { return m.total }
