package main_test

import (
	"os/exec"
	"testing"

	"github.com/forgehook/forgehook/hooks/hookstest"
	"github.com/forgehook/forgehook/internal/gittest"
	"github.com/forgehook/forgehook/internal/servertest"
)

// hostingSecret signs the deliveries of the hosting tests.
const hostingSecret = "s3cret"

// MustServerEnv returns an installation whose binary runs as as, the git
// server's user, with repositories under root and the database db (in a
// directory as can write), and an admin token.
func MustServerEnv(tb testing.TB, as *servertest.User, root, db string) *Env {
	tb.Helper()
	e := &Env{T: tb, WS: gittest.NewWorkspace(tb), Root: root, DB: db, Prepare: func(cmd *exec.Cmd) { as.Prepare(cmd) }}
	e.Token = e.MustToken("admin")
	return e
}

// MustHookReceiver creates a push hook on owner/repo and returns its receiver.
func (e *Env) MustHookReceiver(owner, repo string) *hookstest.Receiver {
	e.T.Helper()
	recv := hookstest.NewReceiver(e.T, hostingSecret)
	e.MustCreateHook(owner, repo, recv.URL, "json", hostingSecret)
	return recv
}

// pushersByAfter maps the after SHA of each push event to its pusher's name,
// failing when the sender's login is not the pusher too.
func pushersByAfter(t *testing.T, got []*hookstest.Received) map[string]string {
	t.Helper()
	m := map[string]string{}
	for _, ev := range pushEvents(t, got) {
		if ev.GetPusher().GetName() != ev.GetSender().GetLogin() {
			t.Errorf("push %s: pusher %q, sender %q, want the same user", ev.GetAfter(), ev.GetPusher().GetName(), ev.GetSender().GetLogin())
		}
		m[ev.GetAfter()] = ev.GetPusher().GetName()
	}
	return m
}

// For returns the installation with t as its test, for use in subtests.
func (e *Env) For(t testing.TB) *Env {
	c := *e
	c.T = t
	return &c
}
