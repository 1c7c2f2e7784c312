package main_test

import (
	"fmt"
	"io/fs"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"

	"github.com/forgehook/forgehook/hooks/hookstest"
	"github.com/forgehook/forgehook/internal/gittest"
	"github.com/forgehook/forgehook/internal/servertest"
	"github.com/forgehook/forgehook/internal/wake"
	"github.com/forgehook/forgehook/store/sqlite"
)

// The accounts of TestTwoUsers: the git user that owns the repositories and
// runs the hook, the daemon's user, and the group they share.
const (
	gitUser    = "fhgit"
	daemonUser = "fhdaemon"
	shareGroup = "fhshare"
)

// TestTwoUsers runs the daemon and the hook as two unix users sharing a
// group, as the README's "Running the daemon as its own user" sets up: a
// setgid state directory, install and pushes as the git user under umask
// 022, the daemon as its own user. Pushes are delivered, also one made while
// the daemon was down, and a database the git user cannot write gives the
// pusher one line that says why and what to do.
func TestTwoUsers(t *testing.T) {
	if os.Geteuid() != 0 {
		if os.Getenv("CI") != "" {
			t.Fatal("needs root (creates unix users and runs commands as them); CI runs tests as root")
		}
		t.Skip("needs root: creates the unix users fhgit and fhdaemon and runs commands as them")
	}
	git := servertest.MustUser(t, gitUser, shareGroup)
	daemon := servertest.MustUser(t, daemonUser, shareGroup)
	share := int(servertest.MustGroupID(t, shareGroup))
	// The other users run the binary built by TestMain, in a 0700 directory.
	if err := os.Chmod(filepath.Dir(binary), 0o755); err != nil {
		t.Fatal(err)
	}
	base := servertest.MustSharedDir(t)
	state := mustDir(t, filepath.Join(base, "state"), int(daemon.UID), share, 0o770|fs.ModeSetgid)
	repos := mustDir(t, filepath.Join(base, "repos"), int(git.UID), int(git.GID), 0o755)
	home := mustDir(t, filepath.Join(base, "home"), int(git.UID), int(git.GID), 0o755)
	var gitEnv []string // pinned identities, and the OS user as pusher
	for _, kv := range gittest.Env(home) {
		if !strings.HasPrefix(kv, "FORGEHOOK_PUSHER=") {
			gitEnv = append(gitEnv, kv)
		}
	}
	bare := filepath.Join(repos, "acme", "widgets.git")
	runAs(t, git, base, gitEnv, "git", "init", "--quiet", "--bare", "--initial-branch=main", bare)

	e := &Env{T: t, Root: repos, DB: filepath.Join(state, "forgehook.db"), Prepare: git.WithUmask(0o022, base)}
	e.MustRun("install", "--db", e.DB, "--repos", e.Root, bare)
	mustOwnMode(t, e.DB, int(git.UID), share, 0o660)

	e.Prepare = daemon.WithUmask(0o022, base)
	e.Token = e.MustToken("ada")
	e.MustStart()
	mustOwnMode(t, wake.SocketPath(e.DB), int(daemon.UID), share, wake.SocketMode)
	runAs(t, git, base, nil, "test", "-w", wake.SocketPath(e.DB)) // the hook may send wake-ups
	recv := hookstest.NewReceiver(t, "s3cret")
	e.MustCreateHook("acme", "widgets", recv.URL, "json", "s3cret")

	work := mustDir(t, filepath.Join(base, "work"), int(git.UID), int(git.GID), 0o755)
	runAs(t, git, base, gitEnv, "git", "clone", "--quiet", bare, work)
	push := func(message string) (head, output string) {
		t.Helper()
		runAs(t, git, work, gitEnv, "git", "commit", "--quiet", "--allow-empty", "-m", message)
		head = runAs(t, git, work, gitEnv, "git", "rev-parse", "HEAD")
		return head, runAs(t, git, work, gitEnv, "git", "push", "--quiet", "origin", "HEAD:refs/heads/main")
	}
	wantDelivered := func(n int, head string) {
		t.Helper()
		evs := pushEvents(t, recv.WaitFor(t, "push", n, wait))
		if got := evs[n-1]; got.GetAfter() != head || got.GetPusher().GetName() != gitUser {
			t.Fatalf("push %d: after=%s pusher=%s, want %s by %s", n, got.GetAfter(), got.GetPusher().GetName(), head, gitUser)
		}
	}

	// The push is kept in the spool beside the database, which the daemon drains.
	wantLine := func(out, want string) {
		t.Helper()
		prefix := "remote: forgehook: database busy/unwritable (" + want + "): push kept in " + sqlite.SpoolDir(e.DB) + "/"
		if line := strings.TrimSpace(out); !strings.HasPrefix(line, prefix) || strings.Count(line, "\n") > 0 ||
			!strings.HasSuffix(line, ".push; the daemon will deliver it") {
			t.Fatalf("push output:\n%s\nwant the one line:\n%s....push; the daemon will deliver it", out, prefix)
		}
	}

	t.Run("push delivered", func(t *testing.T) {
		head, out := push("first")
		if strings.Contains(out, "forgehook") {
			t.Fatalf("push output:\n%s", out)
		}
		wantDelivered(1, head)
		for _, f := range []string{e.DB + "-wal", e.DB + "-shm"} {
			mustOwnMode(t, f, -1, share, 0o660)
		}
	})
	t.Run("push while the daemon is down delivered after restart", func(t *testing.T) {
		e.Daemon.Stop()
		head, out := push("while down")
		if strings.Contains(out, "forgehook") {
			t.Fatalf("push output:\n%s", out)
		}
		e.MustStart()
		wantDelivered(2, head)
	})
	t.Run("database the pusher cannot write explained", func(t *testing.T) {
		e.Daemon.Stop()
		// As a daemon under umask 022 made it before forgehook created its files
		// 0660; stopped, it left no -wal or -shm.
		if err := os.Chown(e.DB, int(daemon.UID), int(daemon.GID)); err != nil {
			t.Fatal(err)
		}
		if err := os.Chmod(e.DB, 0o644); err != nil {
			t.Fatal(err)
		}
		_, out := push("not recorded")
		// The hook made -wal and -shm, in the database's mode, and could not remove them.
		files := e.DB + " " + e.DB + "-wal " + e.DB + "-shm"
		wantLine(out, fmt.Sprintf("cannot write %s as user %s (owner %s:%s, mode 0644): run 'chmod 660 %s' and add %s to group %s",
			e.DB, gitUser, daemonUser, daemonUser, files, gitUser, daemonUser))
	})
	t.Run("daemon start on a database it cannot write explained, and the fix works", func(t *testing.T) {
		if err := os.Chown(e.DB, int(git.UID), share); err != nil {
			t.Fatal(err)
		}
		cmd := e.command("serve", "--listen", "127.0.0.1:0", "--db", e.DB, "--repos", e.Root)
		out, err := cmd.CombinedOutput()
		fix := "chmod 660 " + e.DB + " " + e.DB + "-wal " + e.DB + "-shm"
		want := fmt.Sprintf("forgehook: recover leases: cannot write %s as user %s (owner %s:%s, mode 0644): run '%s'",
			e.DB, daemonUser, gitUser, shareGroup, fix)
		if err == nil || strings.TrimSpace(string(out)) != want {
			t.Fatalf("serve: %v\n%s\nwant it to exit with:\n%s", err, out, want)
		}
		mustExec(t, "sh", "-c", fix)
		e.MustStart()
		head, out2 := push("after the fix")
		if strings.Contains(out2, "forgehook") {
			t.Fatalf("push output:\n%s", out2)
		}
		wantDelivered(4, head) // after the spooled one
	})
	t.Run("read-only shm explained", func(t *testing.T) {
		shm := e.DB + "-shm" // the running daemon's connection keeps it
		if err := os.Chown(shm, int(daemon.UID), -1); err != nil {
			t.Fatal(err)
		}
		if err := os.Chmod(shm, 0o640); err != nil {
			t.Fatal(err)
		}
		_, out := push("not recorded either")
		wantLine(out, fmt.Sprintf("cannot write %s as user %s (owner %s:%s, mode 0640): run 'chmod 660 %s'",
			shm, gitUser, daemonUser, shareGroup, shm))
		waitUntil(t, "the spool drained", func() bool { return !sqlite.Pending(sqlite.SpoolDir(e.DB)) })
		e.Daemon.Stop()
	})
	t.Run("directory the pusher cannot write explained", func(t *testing.T) {
		if err := os.Chmod(state, 0o750|fs.ModeSetgid); err != nil {
			t.Fatal(err)
		}
		_, out := push("nor this one")
		wantLine(out, fmt.Sprintf("cannot create files in %s as user %s (owner %s:%s, mode 2750): "+
			"forgehook creates forgehook.db-wal and forgehook.db-shm there; run 'chmod g+rwxs %s'",
			state, gitUser, daemonUser, shareGroup, state))
	})
}

// runAs runs a program as u under umask 022 in dir, with env, and returns
// its trimmed combined output.
func runAs(tb testing.TB, u *servertest.User, dir string, env []string, name string, args ...string) string {
	tb.Helper()
	path, err := exec.LookPath(name)
	if err != nil {
		tb.Fatal(err)
	}
	cmd := exec.Command(path, args...)
	u.WithUmask(0o022, dir)(cmd)
	cmd.Env = env
	out, err := cmd.CombinedOutput()
	if err != nil {
		tb.Fatalf("%s as %s: %v\n%s", strings.Join(append([]string{name}, args...), " "), u.Name, err, out)
	}
	return strings.TrimSpace(string(out))
}

// mustDir makes the directory path, owned by uid:gid, with mode.
func mustDir(tb testing.TB, path string, uid, gid int, mode fs.FileMode) string {
	tb.Helper()
	if err := os.Mkdir(path, 0o700); err != nil {
		tb.Fatal(err)
	}
	if err := os.Chown(path, uid, gid); err != nil {
		tb.Fatal(err)
	}
	if err := os.Chmod(path, mode); err != nil {
		tb.Fatal(err)
	}
	return path
}

// mustOwnMode fails unless path has owner uid (any if -1), group gid and
// permission bits mode.
func mustOwnMode(tb testing.TB, path string, uid, gid int, mode fs.FileMode) {
	tb.Helper()
	fi, err := os.Stat(path)
	if err != nil {
		tb.Fatal(err)
	}
	st := fi.Sys().(*syscall.Stat_t)
	if (uid >= 0 && int(st.Uid) != uid) || int(st.Gid) != gid || fi.Mode().Perm() != mode {
		tb.Fatalf("%s: owner %d:%d mode %04o, want %d:%d %04o", path, st.Uid, st.Gid, fi.Mode().Perm(), uid, gid, mode)
	}
}

func mustExec(tb testing.TB, name string, args ...string) {
	tb.Helper()
	if out, err := exec.Command(name, args...).CombinedOutput(); err != nil {
		tb.Fatalf("%s %s: %v\n%s", name, strings.Join(args, " "), err, out)
	}
}
