package servertest

import (
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/forgehook/forgehook/internal/gittest"
)

// GitoliteUser is the unix account that owns the test gitolite installation.
const GitoliteUser = "fhgitolite"

// adminRules keeps gitolite-admin writable by the admin key in every conf.
const adminRules = "repo gitolite-admin\n    RW+ = admin\n\n"

// Gitolite is a gitolite3 installation served by its own sshd, with the
// admin key "admin" and one key per gitolite user.
type Gitolite struct {
	User     *User  // the unix account gitolite runs as; User.Home is its home
	SSHD     *SSHD  // the sshd it is reached through
	Repos    string // GL_REPO_BASE, ~/repositories
	Keys     map[string]*Key
	adminEnv []string // git's environment as the admin
	adminDir string   // the gitolite-admin working copy
}

// MustGitolite sets up gitolite for GitoliteUser in a fresh home directory
// ("gitolite setup -pk admin.pub"), serves it through a new sshd, and pushes
// keys for users (alice and bob when none are named) through gitolite-admin
// with the conf "repo testing / RW+ = @all". Only one installation exists on
// the machine at a time, since the account's home is part of it: a lock
// file serializes the tests that use one, across test binaries too.
func MustGitolite(tb testing.TB, users ...string) *Gitolite {
	tb.Helper()
	Need(tb, "gitolite3", "/usr/bin/gitolite", "/usr/share/gitolite3/gitolite-shell")
	if len(users) == 0 {
		users = []string{"alice", "bob"}
	}
	mustLock(tb, filepath.Join(os.TempDir(), "forgehook-servertest-"+GitoliteUser+".lock"))
	g := &Gitolite{User: MustUser(tb, GitoliteUser), Keys: map[string]*Key{}}
	g.User.Home = g.User.MustDir(tb)
	mustRun(tb, exec.Command("/usr/sbin/usermod", "-d", g.User.Home, g.User.Name))
	g.Repos = filepath.Join(g.User.Home, "repositories")
	g.SSHD = MustSSHD(tb, "AllowUsers "+GitoliteUser)

	keys := tb.TempDir()
	admin := MustKey(tb, keys, "admin")
	pub := filepath.Join(g.User.Home, "admin.pub")
	mustCopy(tb, admin.Public, pub)
	g.User.MustRun(tb, nil, "gitolite", "setup", "-pk", pub)

	ws := gittest.NewWorkspace(tb)
	g.adminEnv = append(ws.Env, g.SSHD.GitEnv(admin))
	g.adminDir = filepath.Join(ws.Dir, "gitolite-admin")
	gittest.Git(tb, g.adminEnv, ws.Dir, "clone", "--quiet", g.URL("gitolite-admin"), g.adminDir)
	for _, name := range users {
		g.Keys[name] = MustKey(tb, keys, name)
		mustCopy(tb, g.Keys[name].Public, filepath.Join(g.adminDir, "keydir", name+".pub"))
	}
	g.MustSetConf(tb, "repo testing\n    RW+ = @all\n")
	return g
}

// URL returns the ssh address of repo, e.g. "fhgitolite@127.0.0.1:acme/widgets".
func (g *Gitolite) URL(repo string) string { return GitoliteUser + "@127.0.0.1:" + repo }

// Workspace returns a git workspace whose ssh connections log in with the
// key of the gitolite user name.
func (g *Gitolite) Workspace(tb testing.TB, name string) *gittest.Workspace {
	tb.Helper()
	k, ok := g.Keys[name]
	if !ok {
		tb.Fatalf("gitolite has no key for %q", name)
	}
	ws := gittest.NewWorkspace(tb)
	ws.Env = append(ws.Env, g.SSHD.GitEnv(k))
	return ws
}

// MustSetConf replaces gitolite.conf (all but the gitolite-admin rules) with
// conf and pushes it as the admin, so gitolite compiles it and creates the
// repositories it names.
func (g *Gitolite) MustSetConf(tb testing.TB, conf string) {
	tb.Helper()
	file := filepath.Join(g.adminDir, "conf", "gitolite.conf")
	if err := os.WriteFile(file, []byte(adminRules+conf), 0o644); err != nil {
		tb.Fatal(err)
	}
	gittest.Git(tb, g.adminEnv, g.adminDir, "add", "--all")
	gittest.Git(tb, g.adminEnv, g.adminDir, "commit", "--quiet", "--allow-empty", "-m", "conf")
	out := gittest.Git(tb, g.adminEnv, g.adminDir, "push", "--quiet", "origin", "HEAD:master")
	if strings.Contains(out, "FATAL") || strings.Contains(out, "WARNING") {
		tb.Fatalf("gitolite refused the conf:\n%s\n%s", out, conf)
	}
}

// MustRun runs "gitolite ARGS..." as the gitolite user, e.g. "setup".
func (g *Gitolite) MustRun(tb testing.TB, args ...string) string {
	tb.Helper()
	return g.User.MustRun(tb, nil, "gitolite", args...)
}

// mustCopy copies the file from to the new file to, mode 0644.
func mustCopy(tb testing.TB, from, to string) {
	tb.Helper()
	b, err := os.ReadFile(from)
	if err == nil {
		err = os.WriteFile(to, b, 0o644)
	}
	if err != nil {
		tb.Fatalf("copy %s to %s: %v", from, to, err)
	}
}
