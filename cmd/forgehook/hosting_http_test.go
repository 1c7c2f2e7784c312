package main_test

import (
	"maps"
	"path/filepath"
	"testing"

	"github.com/forgehook/forgehook/internal/gittest"
	"github.com/forgehook/forgehook/internal/servertest"
)

// TestHTTP_BasicAuthUserIsThePusher: behind Apache (mod_cgid) and behind
// nginx + fcgiwrap, git-http-backend runs forgehook's hook as www-data;
// carol and dave push with Basic auth, and each push's pusher and sender is
// the REMOTE_USER who made it.
func TestHTTP_BasicAuthUserIsThePusher(t *testing.T) {
	t.Parallel()
	for name, start := range map[string]func(testing.TB, string, map[string]string, *servertest.User) *servertest.HTTPGit{
		"apache": servertest.MustApacheGit,
		"nginx":  servertest.MustNginxGit,
	} {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			www := servertest.MustUser(t, "www-data")
			dir := www.MustDir(t)
			e := MustServerEnv(t, www, filepath.Join(dir, "repos"), filepath.Join(dir, "forgehook.db"))
			bare := filepath.Join(e.Root, "acme", "web.git")
			www.MustRun(t, nil, "git", "init", "--quiet", "--bare", "--initial-branch=main", bare)
			e.MustRun("install", "--db", e.DB, "--repos", e.Root, bare)
			srv := start(t, e.Root, map[string]string{"carol": "carolpw", "dave": "davepw"}, www)
			e.MustStart()
			recv := e.MustHookReceiver("acme", "web")

			carol := gittest.NewWorkspace(t).MustClone(srv.URL("carol", "carolpw", "acme/web.git"), "w")
			first := carol.Commit("carol first", map[string]string{"a.txt": "a\n"})
			carol.Push("origin", "main")
			dave := gittest.NewWorkspace(t).MustClone(srv.URL("dave", "davepw", "acme/web.git"), "w")
			second := dave.Commit("dave second", map[string]string{"b.txt": "b\n"})
			dave.Push("origin", "main")

			got := pushersByAfter(t, recv.WaitFor(t, "push", 2, wait))
			if want := map[string]string{first: "carol", second: "dave"}; !maps.Equal(got, want) {
				t.Errorf("pushers by commit = %v, want %v\n%s logs:\n%s", got, want, name, srv.Logs())
			}
		})
	}
}
