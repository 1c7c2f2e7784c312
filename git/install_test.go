package git_test

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/forgehook/forgehook/git"
)

// installArgs are Install's arguments, in a directory whose name needs quoting.
type installArgs struct{ binary, db, repos string }

func mustInstallArgs(tb testing.TB) installArgs {
	tb.Helper()
	dir := filepath.Join(tb.TempDir(), "it's a dir")
	if err := os.MkdirAll(dir, 0o755); err != nil {
		tb.Fatal(err)
	}
	return installArgs{filepath.Join(dir, "forgehook"), filepath.Join(dir, "forgehook.db"), filepath.Join(dir, "repos")}
}

// shq quotes s for sh.
func shq(s string) string { return "'" + strings.ReplaceAll(s, "'", `'\''`) + "'" }

func mustReadFile(tb testing.TB, path string) string {
	tb.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		tb.Fatal(err)
	}
	return string(b)
}

func TestInstall(t *testing.T) {
	t.Parallel()
	t.Run("fresh install writes an executable hook", func(t *testing.T) {
		t.Parallel()
		a := mustInstallArgs(t)
		gitDir := MustInitBareRepo(t, t.TempDir(), "o", "r")
		changed, err := git.Install(a.binary, a.db, a.repos, gitDir)
		if err != nil || !changed {
			t.Fatalf("Install = %v, %v; want true, nil", changed, err)
		}
		hook := filepath.Join(gitDir, "hooks", "post-receive")
		got := mustReadFile(t, hook)
		want := "#!/bin/sh\n" + git.HookMarker + "\n" +
			"# Written by forgehook install: it records each push for the forgehook daemon.\n" +
			"exec " + shq(a.binary) + " post-receive --db " + shq(a.db) + " --repos " + shq(a.repos) + "\n"
		if got != want {
			t.Errorf("hook=\n%s\nwant\n%s", got, want)
		}
		if fi, err := os.Stat(hook); err != nil || fi.Mode().Perm() != 0o755 {
			t.Errorf("mode=%v (%v), want 0755", fi.Mode(), err)
		}
	})
	t.Run("second install changes nothing", func(t *testing.T) {
		t.Parallel()
		a := mustInstallArgs(t)
		gitDir := MustInitBareRepo(t, t.TempDir(), "o", "r")
		if _, err := git.Install(a.binary, a.db, a.repos, gitDir); err != nil {
			t.Fatal(err)
		}
		hook := filepath.Join(gitDir, "hooks", "post-receive")
		first := mustReadFile(t, hook)
		changed, err := git.Install(a.binary, a.db, a.repos, gitDir)
		if err != nil || changed {
			t.Fatalf("Install = %v, %v; want false, nil", changed, err)
		}
		if got := mustReadFile(t, hook); got != first {
			t.Errorf("hook=%q, want unchanged %q", got, first)
		}
		if changed, err := git.Install(a.binary, a.db+"2", a.repos, gitDir); err != nil || !changed {
			t.Errorf("Install with another db = %v, %v; want true, nil", changed, err)
		}
	})
	t.Run("existing hook is chained", func(t *testing.T) {
		t.Parallel()
		a := mustInstallArgs(t)
		gitDir := MustInitBareRepo(t, t.TempDir(), "o", "r")
		hook := filepath.Join(gitDir, "hooks", "post-receive")
		mine := "#!/bin/sh\necho mine\n"
		if err := os.WriteFile(hook, []byte(mine), 0o750); err != nil {
			t.Fatal(err)
		}
		if changed, err := git.Install(a.binary, a.db, a.repos, gitDir); err != nil || !changed {
			t.Fatalf("Install = %v, %v; want true, nil", changed, err)
		}
		chained := filepath.Join(gitDir, "hooks", git.ChainedHookName)
		if got := mustReadFile(t, chained); got != mine {
			t.Errorf("chained hook=%q, want %q", got, mine)
		}
		if fi, err := os.Stat(chained); err != nil || fi.Mode().Perm() != 0o750 {
			t.Errorf("chained mode=%v (%v), want 0750", fi.Mode(), err)
		}
		got := mustReadFile(t, hook)
		if want := " --chain " + shq(chained) + "\n"; !strings.HasSuffix(got, want) {
			t.Errorf("hook=%q, want it to end with %q", got, want)
		}
		if changed, err := git.Install(a.binary, a.db, a.repos, gitDir); err != nil || changed {
			t.Errorf("second Install = %v, %v; want false, nil", changed, err)
		}
		if got2 := mustReadFile(t, hook); got2 != got {
			t.Errorf("hook after second install=%q, want %q", got2, got)
		}
		if err := os.WriteFile(hook, []byte("#!/bin/sh\necho another\n"), 0o755); err != nil {
			t.Fatal(err)
		}
		if _, err := git.Install(a.binary, a.db, a.repos, gitDir); err == nil {
			t.Error("Install over a new foreign hook with a chained one = nil, want an error")
		}
		if got := mustReadFile(t, chained); got != mine {
			t.Errorf("chained hook=%q after refusal, want %q", got, mine)
		}
	})
	t.Run("not a bare repository is an error", func(t *testing.T) {
		t.Parallel()
		a := mustInstallArgs(t)
		if _, err := git.Install(a.binary, a.db, a.repos, t.TempDir()); err == nil {
			t.Error("err=nil, want an error")
		}
	})
	t.Run("git runs the installed hook on push", func(t *testing.T) {
		t.Parallel()
		a := mustInstallArgs(t)
		out := filepath.Join(filepath.Dir(a.binary), "out")
		MustWriteFile(t, a.binary, "#!/bin/sh\nprintf '%s\\n' \"$@\" > "+shq(out+".args")+"\ncat > "+shq(out+".stdin")+"\n")
		if err := os.Chmod(a.binary, 0o755); err != nil {
			t.Fatal(err)
		}
		gitDir := MustInitBareRepo(t, t.TempDir(), "o", "r")
		if _, err := git.Install(a.binary, a.db, a.repos, gitDir); err != nil {
			t.Fatal(err)
		}
		work := MustClone(t, gitDir)
		c1 := MustCommit(t, work, "one", map[string]string{"a": "1"})
		MustGit(t, work, "push", "--quiet", "origin", "main")
		c2 := MustCommit(t, work, "two", map[string]string{"a": "2"})
		MustGit(t, work, "push", "--quiet", "origin", "main")
		wantArgs := "post-receive\n--db\n" + a.db + "\n--repos\n" + a.repos + "\n"
		if got := mustReadFile(t, out+".args"); got != wantArgs {
			t.Errorf("args=%q, want %q", got, wantArgs)
		}
		if got, want := mustReadFile(t, out+".stdin"), c1+" "+c2+" refs/heads/main\n"; got != want {
			t.Errorf("stdin=%q, want %q", got, want)
		}
	})
}
