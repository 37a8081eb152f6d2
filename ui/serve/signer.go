package serve

import (
	"fmt"
	"io"

	"github.com/charmbracelet/ssh"
	gossh "golang.org/x/crypto/ssh"
	"golang.org/x/crypto/ssh/agent"

	"relman/model"
	"relman/model/sshsig"
)

// agentChannel is OpenSSH's channel type for a forwarded agent.
const agentChannel = "auth-agent@openssh.com"

// hostSigner signs a session's events with the server's host key, naming
// the session's key (model.SessionSigner): for clients that forwarded no
// agent. The store accepts it only while the host key is a registered
// server's and the session key one of the user's.
type hostSigner struct {
	model.Signer
	session string
}

func (h hostSigner) SessionKey() string { return h.session }

// actor is who a session acts as: the key's user, signing with their own
// key when the client forwarded an agent holding one (ssh -A), else with
// the server's host key for the session. signs says which, for the log;
// closeAgent ends the agent channel, if one was opened.
func (s *Server) actor(sess ssh.Session, user model.User) (actor model.Actor, signs string, closeAgent func()) {
	sessionKey := sshsig.AuthorizedKey(sess.PublicKey())
	actor = model.Actor{User: user.Name, Signer: hostSigner{Signer: sshsig.NewSigner(s.hostKey), session: sessionKey}}
	signs = "signing with the server's host key for the session key"
	closeAgent = func() {}
	if !ssh.AgentRequested(sess) {
		return actor, signs, closeAgent
	}
	own, ch, err := agentSigner(sess, user, sessionKey)
	switch {
	case err != nil:
		signs += fmt.Sprintf(" (the forwarded agent did not answer: %v)", err)
	case own == nil:
		signs += " (the forwarded agent holds none of " + user.Name + "'s keys)"
	default:
		actor.Signer = own
		signs = "signing with " + user.Name + "'s own key " + sshsig.Fingerprint(own.PublicKey()) + " from the forwarded agent"
	}
	if ch != nil {
		closeAgent = func() { ch.Close() }
	}
	return actor, signs, closeAgent
}

// agentSigner asks the client's forwarded agent, over one channel kept for
// the session, for a key of user: the session's own key first, else any of
// theirs. It returns a nil signer when the agent holds none.
func agentSigner(sess ssh.Session, user model.User, sessionKey string) (model.Signer, io.Closer, error) {
	conn, ok := sess.Context().Value(ssh.ContextKeyConn).(gossh.Conn)
	if !ok {
		return nil, nil, fmt.Errorf("no connection")
	}
	ch, reqs, err := conn.OpenChannel(agentChannel, nil)
	if err != nil {
		return nil, nil, err
	}
	go gossh.DiscardRequests(reqs)
	signers, err := agent.NewClient(ch).Signers()
	if err != nil {
		ch.Close()
		return nil, nil, err
	}
	var pick gossh.Signer
	for _, sg := range signers {
		pub := sshsig.AuthorizedKey(sg.PublicKey())
		switch {
		case pub == sessionKey:
			return sshsig.NewSigner(sg), ch, nil
		case pick == nil && user.HasPublicKey(pub):
			pick = sg
		}
	}
	if pick == nil {
		return nil, ch, nil
	}
	return sshsig.NewSigner(pick), ch, nil
}
