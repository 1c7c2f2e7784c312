package main_test

import (
	"maps"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/forgehook/forgehook/hooks/hookstest"
	"github.com/forgehook/forgehook/internal/servertest"
)

// gitoliteConf is the gitolite.conf of the gitolite tests: a named repo for
// alice and bob, gitolite's flat "testing", a nested repo, and wild repos
// under acme/ that alice creates.
const gitoliteConf = `repo acme/widgets
    RW+ = alice bob
repo testing
    RW+ = @all
repo team/sub/proj
    RW+ = alice
repo acme/wild..*
    C   = alice
    RW+ = CREATOR bob
`

// mustGitoliteEnv returns gitolite with gitoliteConf and an installation
// run as the gitolite user, its database in the gitolite home.
func mustGitoliteEnv(t *testing.T) (*servertest.Gitolite, *Env) {
	t.Helper()
	g := servertest.MustGitolite(t)
	g.MustSetConf(t, gitoliteConf)
	return g, MustServerEnv(t, g.User, g.Repos, filepath.Join(g.User.Home, "forgehook.db"))
}

// mustPush clones repo over ssh as user, commits one file and pushes main;
// it returns the new commit.
func mustPush(t *testing.T, g *servertest.Gitolite, user, repo, message string) string {
	t.Helper()
	c := g.Workspace(t, user).MustClone(g.URL(repo), "w")
	if c.Git("ls-remote", "--heads", "origin", "main") != "" {
		c.Git("pull", "--quiet", "origin", "main")
	}
	sha := c.Commit(message, map[string]string{strings.ReplaceAll(message, " ", "_") + ".txt": message + "\n"})
	c.Push("origin", "main")
	return sha
}

// TestGitolite_PerRepoInstallDeliversPushesOverSSH: with forgehook's hook
// installed in one gitolite repository, alice's push over the real sshd
// reaches the repository's webhook with her commit.
func TestGitolite_PerRepoInstallDeliversPushesOverSSH(t *testing.T) {
	t.Parallel()
	g, e := mustGitoliteEnv(t)
	e.MustRun("install", "--db", e.DB, "--repos", e.Root, filepath.Join(g.Repos, "acme", "widgets.git"))
	e.MustStart()
	recv := e.MustHookReceiver("acme", "widgets")

	sha := mustPush(t, g, "alice", "acme/widgets", "alice first")
	ev := pushEvents(t, recv.WaitFor(t, "push", 1, wait))[0]
	if ev.GetAfter() != sha || ev.GetRepo().GetFullName() != "acme/widgets" || len(ev.Commits) != 1 || ev.Commits[0].GetMessage() != "alice first" {
		t.Errorf("push after=%s repo=%s commits=%d, want %s acme/widgets with alice's commit", ev.GetAfter(), ev.GetRepo().GetFullName(), len(ev.Commits), sha)
	}
}

// TestGitolite_InstallGitoliteCoversEveryRepo follows issue 9's contract:
// "forgehook install --gitolite", run once as the gitolite user, gives every
// present and future gitolite repository webhooks, with the gitolite user
// as pusher, each push recorded once.
func TestGitolite_InstallGitoliteCoversEveryRepo(t *testing.T) {
	t.Parallel()
	g, e := mustGitoliteEnv(t)
	out := e.MustRun("install", "--gitolite", "--db", e.DB)
	for _, name := range []string{"acme/widgets", "git/testing", "team/sub.proj"} {
		if !strings.Contains(out, name) {
			t.Errorf("install --gitolite printed\n%s\nwant a line naming %s", out, name)
		}
	}
	e.MustStart()
	widgets := e.MustHookReceiver("acme", "widgets")

	var widgetsPushes []string
	t.Run("alice and bob are the pushers", func(t *testing.T) {
		a := mustPush(t, g, "alice", "acme/widgets", "alice one")
		b := mustPush(t, g, "bob", "acme/widgets", "bob two")
		widgetsPushes = append(widgetsPushes, a, b)
		got := pushersByAfter(t, widgets.WaitFor(t, "push", 2, wait))
		if want := map[string]string{a: "alice", b: "bob"}; !maps.Equal(got, want) {
			t.Errorf("pushers by commit = %v, want %v", got, want)
		}
	})
	t.Run("flat testing is git/testing", func(t *testing.T) {
		mustDeliveredAs(t, e.For(t), g, "bob", "testing", "git", "testing")
	})
	t.Run("nested team/sub/proj is team/sub.proj", func(t *testing.T) {
		mustDeliveredAs(t, e.For(t), g, "alice", "team/sub/proj", "team", "sub.proj")
	})
	t.Run("a repo added through gitolite-admin gets webhooks", func(t *testing.T) {
		g.MustSetConf(t, gitoliteConf+"repo later/proj\n    RW+ = alice\n")
		mustDeliveredAs(t, e.For(t), g, "alice", "later/proj", "later", "proj")
	})
	t.Run("a wild repo created by alice's clone gets webhooks", func(t *testing.T) {
		g.Workspace(t, "alice").MustClone(g.URL("acme/wild1"), "create")
		mustDeliveredAs(t, e.For(t), g, "alice", "acme/wild1", "acme", "wild1")
	})
	t.Run("install twice and gitolite setup record each push once", func(t *testing.T) {
		e.For(t).MustRun("install", "--gitolite", "--db", e.DB)
		g.MustRun(t, "setup")
		widgetsPushes = append(widgetsPushes, mustPush(t, g, "alice", "acme/widgets", "after setup"),
			mustPush(t, g, "bob", "acme/widgets", "marker after setup"))
		mustEachOnce(t, mustQuiet(t, widgets, len(widgetsPushes)), widgetsPushes)
	})
	t.Run("a per-repo install over gitolite's hook records each push once", func(t *testing.T) {
		// Whether install refuses or takes over the repo, pushes stay single.
		out, err := e.command("install", "--db", e.DB, "--repos", e.Root, filepath.Join(g.Repos, "acme", "widgets.git")).CombinedOutput()
		t.Logf("per-repo install: err=%v\n%s", err, out)
		widgetsPushes = append(widgetsPushes, mustPush(t, g, "alice", "acme/widgets", "after per-repo install"),
			mustPush(t, g, "bob", "acme/widgets", "marker after per-repo install"))
		mustEachOnce(t, mustQuiet(t, widgets, len(widgetsPushes)), widgetsPushes)
	})
	if logs := e.Daemon.Logs(); strings.Contains(logs, "level=ERROR") {
		t.Errorf("the daemon logged errors (gitolite-admin pushes must be skipped quietly):\n%s", logs)
	}
}

// mustDeliveredAs pushes to the gitolite repo as user and checks that a
// hook created on owner/name through go-github receives it, naming the
// repository owner/name and user as pusher.
func mustDeliveredAs(t *testing.T, e *Env, g *servertest.Gitolite, user, repo, owner, name string) {
	t.Helper()
	recv := e.MustHookReceiver(owner, name)
	sha := mustPush(t, g, user, repo, user+" to "+name)
	ev := pushEvents(t, recv.WaitFor(t, "push", 1, wait))[0]
	if ev.GetAfter() != sha || ev.GetRepo().GetFullName() != owner+"/"+name || ev.GetPusher().GetName() != user {
		t.Errorf("push after=%s repo=%s pusher=%s, want %s %s/%s %s", ev.GetAfter(), ev.GetRepo().GetFullName(), ev.GetPusher().GetName(), sha, owner, name, user)
	}
}

// mustQuiet waits for n push deliveries, then until none has arrived for a
// while, so that duplicates show, and returns them all.
func mustQuiet(t *testing.T, recv *hookstest.Receiver, n int) []*hookstest.Received {
	t.Helper()
	got := recv.WaitFor(t, "push", n, wait)
	for {
		time.Sleep(500 * time.Millisecond)
		again := recv.WaitFor(t, "push", n, wait)
		if len(again) == len(got) {
			return got
		}
		got = again
	}
}

// mustEachOnce checks that the push deliveries got are one for each commit
// in afters, with distinct GUIDs.
func mustEachOnce(t *testing.T, got []*hookstest.Received, afters []string) {
	t.Helper()
	var gotAfters, guids []string
	for _, r := range got {
		guids = append(guids, r.GUID)
	}
	for _, ev := range pushEvents(t, got) {
		gotAfters = append(gotAfters, ev.GetAfter())
	}
	slices.Sort(gotAfters)
	want := slices.Sorted(slices.Values(afters))
	if !slices.Equal(gotAfters, want) || len(slices.Compact(slices.Sorted(slices.Values(guids)))) != len(guids) {
		t.Errorf("push deliveries: afters %v with GUIDs %v, want each of %v once with distinct GUIDs", gotAfters, guids, want)
	}
}

// TestGitolite_KeepsItsCommonHookAndUninstallPutsBackEverything: a common
// post-receive gitolite already had (in ~/.gitolite/hooks/common, which
// overrides LOCAL_CODE) still runs after install --gitolite, with the same
// input; uninstall --gitolite puts the hook, the rc and the links back.
func TestGitolite_KeepsItsCommonHookAndUninstallPutsBackEverything(t *testing.T) {
	t.Parallel()
	g, e := mustGitoliteEnv(t)
	home := g.User.Home
	mirror := filepath.Join(home, "mirror.log")
	common := filepath.Join(home, ".gitolite", "hooks", "common", "post-receive")
	script := "#!/bin/sh\ncat >> " + mirror + "\n"
	g.User.MustRun(t, nil, "sh", "-c", "printf '%s' \"$1\" > \"$2\" && chmod 755 \"$2\"", "sh", script, common)
	g.MustRun(t, "setup", "--hooks-only")
	rc := mustReadFile(t, filepath.Join(home, ".gitolite.rc"))

	e.MustRun("install", "--gitolite", "--db", e.DB)
	e.MustStart()
	recv := e.MustHookReceiver("acme", "widgets")
	sha := mustPush(t, g, "alice", "acme/widgets", "alice one")
	mustEachOnce(t, mustQuiet(t, recv, 1), []string{sha})
	if got := mustReadFile(t, mirror); strings.Count(got, sha+" refs/heads/main") != 1 {
		t.Errorf("gitolite's own hook got %q, want the ref update once", got)
	}

	out := e.MustRun("uninstall", "--gitolite")
	if !strings.Contains(out, "restored gitolite's post-receive "+common) {
		t.Errorf("uninstall --gitolite said:\n%s", out)
	}
	if got := mustReadFile(t, common); got != script {
		t.Errorf("%s = %q after uninstall, want %q", common, got, script)
	}
	if got := mustReadFile(t, filepath.Join(home, ".gitolite.rc")); got != rc {
		t.Errorf(".gitolite.rc after uninstall differs from before install:\n%s", got)
	}
	link := filepath.Join(g.Repos, "acme", "widgets.git", "hooks", "post-receive")
	if target, err := os.Readlink(link); err != nil || target != common {
		t.Errorf("%s -> %q (%v), want gitolite's link to %s", link, target, err, common)
	}
}

func mustReadFile(t *testing.T, path string) string {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}
