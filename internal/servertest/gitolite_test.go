package servertest_test

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/forgehook/forgehook/internal/gittest"
	"github.com/forgehook/forgehook/internal/servertest"
)

// TestGitolite_UsersPushOverSSHAsThemselves: a conf pushed through
// gitolite-admin creates the repo, alice and bob push to it over the real
// sshd, and a hook run by gitolite sees each as GL_USER; carol, who has no
// rule, is refused.
func TestGitolite_UsersPushOverSSHAsThemselves(t *testing.T) {
	g := servertest.MustGitolite(t, "alice", "bob", "carol")
	g.MustSetConf(t, "repo acme/widgets\n    RW+ = alice bob\n")
	bare := filepath.Join(g.Repos, "acme", "widgets.git")
	log := filepath.Join(g.User.Home, "pushers.log")
	hook := "#!/bin/sh\necho \"$GL_USER\" >> " + log + "\n"
	if err := os.WriteFile(filepath.Join(bare, "hooks", "post-receive"), []byte(hook), 0o755); err != nil {
		t.Fatal(err)
	}

	alice := g.Workspace(t, "alice").MustClone(g.URL("acme/widgets"), "w")
	alice.Commit("from alice", map[string]string{"a.txt": "a\n"})
	alice.Push("origin", "main")
	bob := g.Workspace(t, "bob").MustClone(g.URL("acme/widgets"), "w")
	bob.Git("pull", "--quiet", "origin", "main")
	head := bob.Commit("from bob", map[string]string{"b.txt": "b\n"})
	bob.Push("origin", "main")

	if got := g.User.MustRun(t, nil, "git", "-C", bare, "rev-parse", "main"); got != head {
		t.Errorf("server main = %s, want bob's %s", got, head)
	}
	b, err := os.ReadFile(log)
	if got := strings.Fields(string(b)); err != nil || strings.Join(got, " ") != "alice bob" {
		t.Errorf("GL_USER in the hook = %q (%v), want alice then bob", got, err)
	}
	carol := g.Workspace(t, "carol")
	if out, err := gittest.Run(carol.Env, carol.Dir, "clone", g.URL("acme/widgets"), "c"); err == nil || !strings.Contains(out, "DENIED") {
		t.Errorf("carol's clone: err=%v\n%s\nwant gitolite's DENIED", err, out)
	}
}
