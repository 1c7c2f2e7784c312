package main_test

import (
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/forgehook/forgehook/git"
	"github.com/forgehook/forgehook/hooks/hookstest"
)

// MustRunFail runs the forgehook binary, expects it to fail, and returns its
// stdout and stderr.
func (e *Env) MustRunFail(args ...string) string {
	e.T.Helper()
	out, err := exec.Command(binary, args...).CombinedOutput()
	if err == nil {
		e.T.Fatalf("forgehook %s succeeded, want a failure:\n%s", strings.Join(args, " "), out)
	}
	return string(out)
}

// mustHook writes an executable post-receive hook into gitDir.
func mustHook(t *testing.T, gitDir, script string) {
	t.Helper()
	if err := os.WriteFile(filepath.Join(gitDir, "hooks", "post-receive"), []byte(script), 0o755); err != nil {
		t.Fatal(err)
	}
}

func TestInstallAll_NestedTreeUninstallDoctor(t *testing.T) {
	t.Parallel()
	e := MustNewEnv(t)
	widgets := e.WS.MustInitBare(e.Root, "acme", "widgets")
	gadgets := e.WS.MustInitBare(e.Root, "acme", "gadgets")
	flat := e.WS.MustInitBare(e.Root, "", "testing")
	nested := e.WS.MustInitBare(e.Root, "team/sub", "proj")
	e.WS.MustInitBare(e.Root, "", "gitolite-admin")
	bad := e.WS.MustInitBare(e.Root, "bad name", "x")
	mirror := filepath.Join(e.WS.Dir, "mirror.log")
	mirrorHook := "#!/bin/sh\ncat >> " + mirror + "\n"
	mustHook(t, gadgets, mirrorHook)

	out := e.MustRun("install", "--db", e.DB, "--repos", e.Root, "--all")
	for _, want := range []string{"installed        acme/widgets", "chained          acme/gadgets", "installed        git/testing",
		"installed        team/sub.proj", "skipped          bad name/x.git", "install: 3 installed, 1 chained, 0 already present, 1 skipped, 0 failed"} {
		if !strings.Contains(out, want) {
			t.Errorf("install output lacks %q:\n%s", want, out)
		}
	}
	if strings.Contains(out, "gitolite-admin") {
		t.Errorf("install mentions gitolite-admin, want it skipped quietly:\n%s", out)
	}
	if again := e.MustRun("install", "--db", e.DB, "--repos", e.Root, "--all"); !strings.Contains(again, "0 installed, 0 chained, 4 already present") {
		t.Errorf("second install:\n%s", again)
	}

	d := e.MustStart()
	recv := hookstest.NewReceiver(t, "")
	for _, r := range [][2]string{{"acme", "gadgets"}, {"git", "testing"}, {"team", "sub.proj"}} {
		e.MustCreateHook(r[0], r[1], recv.URL, "json", "")
	}
	var heads []string
	for i, dir := range []string{gadgets, flat, nested} {
		c := e.WS.MustClone(dir, "work"+string(rune('a'+i)))
		heads = append(heads, c.Commit("one", map[string]string{"x": "1"}))
		c.Push("origin", "main")
	}
	got := map[string]string{}
	for _, ev := range pushEvents(t, recv.WaitFor(t, "push", 3, wait)) {
		got[ev.GetRepo().GetFullName()] = ev.GetAfter()
	}
	for i, name := range []string{"acme/gadgets", "git/testing", "team/sub.proj"} {
		if got[name] != heads[i] {
			t.Errorf("push to %s: got after %q, want %s (all: %v)", name, got[name], heads[i], got)
		}
	}
	if b, _ := os.ReadFile(mirror); strings.Count(string(b), heads[0]) != 1 {
		t.Errorf("the chained mirror hook got %q, want the ref update once", b)
	}
	if strings.Contains(d.Logs(), "level=ERROR") {
		t.Errorf("daemon logged errors:\n%s", d.Logs())
	}

	// doctor: the only problem is the repository without a name.
	report := e.MustRunFail("doctor", "--db", e.DB, "--repos", e.Root, "--all")
	if !strings.Contains(report, "bad name/x.git: no webhooks") || !strings.Contains(report, "5 repositories checked, 1 problems") {
		t.Errorf("doctor:\n%s", report)
	}
	if err := os.RemoveAll(bad); err != nil {
		t.Fatal(err)
	}
	e.MustRun("doctor", "--db", e.DB, "--repos", e.Root, "--all")

	// A moved binary: doctor says so; re-running install fixes it.
	moved := filepath.Join(e.WS.Dir, "old-bin", "forgehook")
	mustCopy(t, binary, moved)
	cmd := exec.Command(moved, "install", "--db", e.DB, "--repos", e.Root, widgets)
	if b, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("install with the moved binary: %v\n%s", err, b)
	}
	os.Remove(moved)
	if report := e.MustRunFail("doctor", "--db", e.DB, "--repos", e.Root, widgets); !strings.Contains(report, "which is gone") {
		t.Errorf("doctor with the binary gone:\n%s", report)
	}
	e.MustRun("install", "--db", e.DB, "--repos", e.Root, widgets)
	e.MustRun("doctor", "--db", e.DB, "--repos", e.Root, widgets)

	// uninstall puts back exactly what was there.
	out = e.MustRun("uninstall", "--repos", e.Root, "--all")
	if !strings.Contains(out, "uninstall: 3 removed, 1 restored") {
		t.Errorf("uninstall:\n%s", out)
	}
	if b, err := os.ReadFile(filepath.Join(gadgets, "hooks", "post-receive")); err != nil || string(b) != mirrorHook {
		t.Errorf("gadgets' hook after uninstall = %q, %v; want the mirror hook back", b, err)
	}
	for _, dir := range []string{widgets, flat, nested} {
		if _, err := os.Lstat(filepath.Join(dir, "hooks", "post-receive")); err == nil {
			t.Errorf("%s still has a post-receive hook", dir)
		}
	}
}

func TestInstall_WarnsAndGoesOnPastBadRepos(t *testing.T) {
	t.Parallel()
	e := MustNewEnv(t)
	good := e.WS.MustInitBare(e.Root, "acme", "good")
	hooksPath := e.WS.MustInitBare(e.Root, "acme", "hookspath")
	e.WS.MustClone(good, "work") // a working tree, not bare
	outside := e.WS.MustInitBare(filepath.Join(e.WS.Dir, "elsewhere"), "acme", "outside")
	if b, err := exec.Command("git", "--git-dir", hooksPath, "config", "core.hooksPath", "/etc/githooks").CombinedOutput(); err != nil {
		t.Fatalf("%v: %s", err, b)
	}
	out := e.MustRunFail("install", "--db", e.DB, "--repos", e.Root, filepath.Join(e.WS.Dir, "work"), outside, hooksPath, good)
	for _, want := range []string{"failed           " + filepath.Join(e.WS.Dir, "work") + ": ", "is not a bare git repository",
		"skipped          " + outside + ": not under --repos", "installed        acme/hookspath: core.hooksPath is /etc/githooks",
		"installed        acme/good\n", "install: 2 installed, 0 chained, 0 already present, 1 skipped, 1 failed"} {
		if !strings.Contains(out, want) {
			t.Errorf("install output lacks %q:\n%s", want, out)
		}
	}
	if _, err := os.Stat(filepath.Join(good, "hooks", "post-receive")); err != nil {
		t.Errorf("the repository after the bad ones got no hook: %v", err)
	}
}

func TestInstall_PushRecordedOnceHoweverHooksAreChained(t *testing.T) {
	t.Parallel()
	e := MustNewEnv(t)
	wrapped := e.WS.MustInitBare(e.Root, "acme", "wrapped")
	chained := e.WS.MustInitBare(e.Root, "acme", "chained")
	// An admin's wrapper that already runs forgehook: install leaves it alone.
	mustHook(t, wrapped, "#!/bin/sh\nexec "+binary+" post-receive --db "+e.DB+" --repos "+e.Root+"\n")
	if out := e.MustRun("install", "--db", e.DB, "--repos", e.Root, wrapped); !strings.Contains(out, string(git.Wrapped)) {
		t.Errorf("install over a wrapper:\n%s", out)
	}
	// A chained hook that runs forgehook too: the push is still recorded once.
	mustHook(t, chained, "#!/bin/sh\ncat >/dev/null\n")
	e.MustRun("install", "--db", e.DB, "--repos", e.Root, chained)
	if err := os.WriteFile(filepath.Join(chained, "hooks", git.ChainedHookName),
		[]byte("#!/bin/sh\nexec "+binary+" post-receive --db "+e.DB+" --repos "+e.Root+"\n"), 0o755); err != nil {
		t.Fatal(err)
	}
	e.MustStart()
	recv := hookstest.NewReceiver(t, "")
	for _, dir := range []string{wrapped, chained} {
		name := strings.TrimSuffix(filepath.Base(dir), ".git")
		e.MustCreateHook("acme", name, recv.URL, "json", "")
		c := e.WS.MustClone(dir, "work-"+name)
		c.Commit("one", map[string]string{"x": "1"})
		c.Push("origin", "main")
		c.Commit("two", map[string]string{"x": "2"})
		c.Push("origin", "main")
	}
	// Deliveries of a hook go out in push order: once both second pushes
	// are in, any duplicate of the first ones would be too.
	pushes := pushEvents(t, recv.WaitFor(t, "push", 4, wait))
	seen := map[string]int{}
	for _, ev := range pushes {
		seen[ev.GetRepo().GetFullName()+" "+ev.GetAfter()]++
	}
	if n := len(pushes); n != 4 || len(seen) != 4 {
		t.Errorf("got %d deliveries for %d distinct pushes, want 4 and 4: %v", n, len(seen), seen)
	}
}

// mustCopy copies the executable src to dst.
func mustCopy(t *testing.T, src, dst string) {
	t.Helper()
	b, err := os.ReadFile(src)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.MkdirAll(filepath.Dir(dst), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(dst, b, 0o755); err != nil {
		t.Fatal(err)
	}
}
