package changes

import (
	"github.com/charmbracelet/bubbles/key"
	tea "github.com/charmbracelet/bubbletea"

	"relman/ui/common"
)

// link is a record the change request points at: its parent, a copy, a
// deployment record or a rollback. Enter opens the selected one.
type link struct {
	key string // "DR-0001", as the line shows it
	// cr is set for a parent or a copy, which open on this screen; else
	// screen and id say where the record opens.
	cr     int64
	screen common.ScreenID
	id     int64
}

// linkKeys move between the linked records and open one.
type linkKeys struct{ Next, Prev, Open key.Binding }

func defaultLinkKeys() linkKeys {
	return linkKeys{
		Next: key.NewBinding(key.WithKeys("tab"), key.WithHelp("tab", "next link")),
		Prev: key.NewBinding(key.WithKeys("shift+tab"), key.WithHelp("shift+tab", "previous link")),
		Open: key.NewBinding(key.WithKeys("enter"), key.WithHelp("enter", "open")),
	}
}

// linksOf lists d's linked records in the order the body shows them.
func linksOf(d *detailData) []link {
	var out []link
	if p := d.parent; p != nil {
		out = append(out, link{key: p.Key(), cr: p.ID})
	}
	for _, c := range d.children {
		out = append(out, link{key: c.Key(), cr: c.ID})
	}
	for _, dr := range d.deployments {
		out = append(out, link{key: dr.Key(), screen: common.ScreenDeployment, id: dr.ID})
	}
	for _, rb := range d.rollbacks {
		// The rollback screen shows a deployment's rollbacks.
		out = append(out, link{key: rb.Key(), screen: common.ScreenRollback, id: rb.Deployment})
	}
	return out
}

// selected is the key of the selected link, or "".
func (m *Detail) selected() string {
	if m.data == nil || m.link < 0 || m.link >= len(m.data.links) {
		return ""
	}
	return m.data.links[m.link].key
}

// moveLink selects the next (+1) or previous (-1) link, wrapping, and
// scrolls it into view.
func (m *Detail) moveLink(delta int) {
	n := len(m.data.links)
	if n == 0 {
		return
	}
	m.link = ((m.link+delta)%n + n) % n
	m.refreshContent()
	if row, ok := m.linkRows[m.selected()]; ok {
		if row < m.viewport.YOffset || row >= m.viewport.YOffset+m.viewport.Height {
			m.viewport.SetYOffset(max(0, row-m.viewport.Height/2))
		}
	}
}

// openLink opens the selected record: a parent or copy here (esc comes
// back), anything else on its own screen.
func (m *Detail) openLink() tea.Cmd {
	if m.link < 0 || m.link >= len(m.data.links) {
		return nil
	}
	l := m.data.links[m.link]
	if l.cr != 0 {
		m.trail = append(m.trail, m.id)
		return m.show(l.cr)
	}
	return common.Open(l.screen, l.id)
}
