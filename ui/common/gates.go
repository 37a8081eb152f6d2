package common

import (
	"slices"

	"github.com/charmbracelet/bubbles/key"
	tea "github.com/charmbracelet/bubbletea"
)

// Gates is the one rule of the footer: an action key is enabled (shown)
// only when no rule refuses it for this user now, and a refused key, when
// pressed anyway, says which rule and what to do, in the very words the
// CLI prints for the same refusal.
type Gates struct{ refused []gated }

type gated struct {
	key *key.Binding
	err error
}

// Reset forgets the refusals of the previous state; call it before gating
// the keys again.
func (g *Gates) Reset() { g.refused = g.refused[:0] }

// Gate enables b when every err is nil, else disables it and keeps the
// first refusal for when its key is pressed.
func (g *Gates) Gate(b *key.Binding, errs ...error) {
	for _, err := range errs {
		if err != nil {
			b.SetEnabled(false)
			g.refused = append(g.refused, gated{b, err})
			return
		}
	}
	b.SetEnabled(true)
}

// Refusal is the rule a pressed key meets, or nil when an enabled key of
// active takes it or no action was refused for it.
func (g *Gates) Refusal(msg tea.KeyMsg, active []key.Binding) error {
	for _, b := range active {
		if key.Matches(msg, b) {
			return nil
		}
	}
	for _, r := range g.refused {
		if slices.Contains(r.key.Keys(), msg.String()) {
			return r.err
		}
	}
	return nil
}
