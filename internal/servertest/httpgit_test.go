package servertest_test

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/forgehook/forgehook/internal/gittest"
	"github.com/forgehook/forgehook/internal/servertest"
)

// TestHTTPGit_PushesRunAsTheServerUserWithRemoteUser: behind Apache and
// behind nginx, carol and dave clone and push with Basic auth; the hook
// runs as www-data and sees each as REMOTE_USER; a wrong password is refused.
func TestHTTPGit_PushesRunAsTheServerUserWithRemoteUser(t *testing.T) {
	for name, start := range map[string]func(testing.TB, string, map[string]string, *servertest.User) *servertest.HTTPGit{
		"apache": servertest.MustApacheGit,
		"nginx":  servertest.MustNginxGit,
	} {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			www := servertest.MustUser(t, "www-data")
			root := www.MustDir(t)
			bare := filepath.Join(root, "acme", "web.git")
			www.MustRun(t, nil, "git", "init", "--quiet", "--bare", "--initial-branch=main", bare)
			log := filepath.Join(root, "pushers.log")
			hook := "#!/bin/sh\necho \"$(id -un):$REMOTE_USER\" >> " + log + "\n"
			if err := os.WriteFile(filepath.Join(bare, "hooks", "post-receive"), []byte(hook), 0o755); err != nil {
				t.Fatal(err)
			}
			srv := start(t, root, map[string]string{"carol": "carolpw", "dave": "davepw"}, www)

			t.Cleanup(func() {
				if t.Failed() {
					t.Logf("%s logs:\n%s", name, srv.Logs())
				}
			})
			carol := gittest.NewWorkspace(t).MustClone(srv.URL("carol", "carolpw", "acme/web.git"), "w")
			carol.Commit("from carol", map[string]string{"a.txt": "a\n"})
			carol.Push("origin", "main")
			dave := gittest.NewWorkspace(t).MustClone(srv.URL("dave", "davepw", "acme/web.git"), "w")
			head := dave.Commit("from dave", map[string]string{"b.txt": "b\n"})
			dave.Push("origin", "main")

			if got := www.MustRun(t, nil, "git", "-C", bare, "rev-parse", "main"); got != head {
				t.Errorf("server main = %s, want dave's %s\n%s", got, head, srv.Logs())
			}
			b, err := os.ReadFile(log)
			if got := strings.Fields(string(b)); err != nil || strings.Join(got, " ") != "www-data:carol www-data:dave" {
				t.Errorf("hook user:REMOTE_USER = %q (%v), want www-data:carol then www-data:dave", got, err)
			}
			ws := gittest.NewWorkspace(t)
			if out, err := gittest.Run(ws.Env, ws.Dir, "clone", srv.URL("carol", "wrong", "acme/web.git"), "x"); err == nil || !strings.Contains(out, "401") && !strings.Contains(out, "Authentication failed") {
				t.Errorf("clone with a wrong password: err=%v\n%s\nwant an authentication failure", err, out)
			}
		})
	}
}
