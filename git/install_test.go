package git_test

import (
	"os"
	"os/exec"
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

func (a installArgs) spec() git.HookSpec {
	return git.HookSpec{Binary: a.binary, DB: a.db, Repos: a.repos}
}

func mustInstall(tb testing.TB, spec git.HookSpec, gitDir string, want git.InstallState) {
	tb.Helper()
	if got, err := git.Install(spec, gitDir); err != nil || got != want {
		tb.Fatalf("Install = %q, %v; want %q", got, err, want)
	}
}

func TestInstall(t *testing.T) {
	t.Parallel()
	t.Run("fresh install writes an executable hook that names its binary and database", func(t *testing.T) {
		t.Parallel()
		a := mustInstallArgs(t)
		gitDir := MustInitBareRepo(t, t.TempDir(), "o", "r")
		mustInstall(t, a.spec(), gitDir, git.Installed)
		hook := filepath.Join(gitDir, "hooks", "post-receive")
		if fi, err := os.Stat(hook); err != nil || fi.Mode().Perm() != 0o755 {
			t.Errorf("mode=%v (%v), want 0755", fi.Mode(), err)
		}
		got, ok := git.ReadHook(hook)
		if !ok || got.Binary != a.binary || got.DB != a.db || got.Repos != a.repos || len(got.Chain) != 0 {
			t.Errorf("ReadHook = %+v, %v; want %+v", got, ok, a.spec())
		}
	})
	t.Run("a database URL and a node are written as given", func(t *testing.T) {
		t.Parallel()
		a := mustInstallArgs(t)
		spec := a.spec()
		spec.DB, spec.Node = "postgres://forgehook@db.example/forgehook?sslmode=require", "git 'a'"
		gitDir := MustInitBareRepo(t, t.TempDir(), "o", "r")
		mustInstall(t, spec, gitDir, git.Installed)
		got, ok := git.ReadHook(filepath.Join(gitDir, "hooks", "post-receive"))
		if !ok || got.DB != spec.DB || got.Node != spec.Node {
			t.Errorf("ReadHook = %+v, %v; want the URL %q unchanged and node %q", got, ok, spec.DB, spec.Node)
		}
	})
	t.Run("second install changes nothing", func(t *testing.T) {
		t.Parallel()
		a := mustInstallArgs(t)
		gitDir := MustInitBareRepo(t, t.TempDir(), "o", "r")
		mustInstall(t, a.spec(), gitDir, git.Installed)
		hook := filepath.Join(gitDir, "hooks", "post-receive")
		first := mustReadFile(t, hook)
		mustInstall(t, a.spec(), gitDir, git.Unchanged)
		if got := mustReadFile(t, hook); got != first {
			t.Errorf("hook=%q, want unchanged %q", got, first)
		}
		other := a.spec()
		other.DB += "2"
		mustInstall(t, other, gitDir, git.Installed)
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
		mustInstall(t, a.spec(), gitDir, git.Chained)
		chained := filepath.Join(gitDir, "hooks", git.ChainedHookName)
		if got := mustReadFile(t, chained); got != mine {
			t.Errorf("chained hook=%q, want %q", got, mine)
		}
		if fi, err := os.Stat(chained); err != nil || fi.Mode().Perm() != 0o750 {
			t.Errorf("chained mode=%v (%v), want 0750", fi.Mode(), err)
		}
		if spec, _ := git.ReadHook(hook); len(spec.Chain) != 1 || spec.Chain[0] != chained {
			t.Errorf("chain=%q, want [%s]", spec.Chain, chained)
		}
		got := mustReadFile(t, hook)
		mustInstall(t, a.spec(), gitDir, git.Unchanged)
		if got2 := mustReadFile(t, hook); got2 != got {
			t.Errorf("hook after second install=%q, want %q", got2, got)
		}
		if err := os.WriteFile(hook, []byte("#!/bin/sh\necho another\n"), 0o755); err != nil {
			t.Fatal(err)
		}
		if _, err := git.Install(a.spec(), gitDir); err == nil {
			t.Error("Install over a new foreign hook with a chained one = nil, want an error")
		}
		if got := mustReadFile(t, chained); got != mine {
			t.Errorf("chained hook=%q after refusal, want %q", got, mine)
		}
	})
	t.Run("a hook that already runs forgehook is left alone", func(t *testing.T) {
		t.Parallel()
		a := mustInstallArgs(t)
		common := MustInitBareRepo(t, t.TempDir(), "common", "r")
		mustInstall(t, a.spec(), common, git.Installed)
		wrapper := "#!/bin/sh\nFORGEHOOK_PUSHER=\"$GL_USER\" exec /usr/local/bin/forgehook post-receive --db /x.db\n"
		for name, make := range map[string]func(hook string) error{
			"a wrapper": func(hook string) error { return os.WriteFile(hook, []byte(wrapper), 0o755) },
			"a link to a forgehook hook": func(hook string) error {
				return os.Symlink(filepath.Join(common, "hooks", "post-receive"), hook)
			},
		} {
			gitDir := MustInitBareRepo(t, t.TempDir(), "o", "r")
			hook := filepath.Join(gitDir, "hooks", "post-receive")
			if err := make(hook); err != nil {
				t.Fatal(err)
			}
			before := mustReadFile(t, hook)
			if got, err := git.Install(a.spec(), gitDir); err != nil || got != git.Wrapped {
				t.Errorf("%s: Install = %q, %v; want %q", name, got, err, git.Wrapped)
			}
			if mustReadFile(t, hook) != before {
				t.Errorf("%s: hook changed", name)
			}
			if _, err := os.Lstat(filepath.Join(gitDir, "hooks", git.ChainedHookName)); err == nil {
				t.Errorf("%s: chained forgehook into itself", name)
			}
		}
	})
	t.Run("not a bare repository is an error", func(t *testing.T) {
		t.Parallel()
		a := mustInstallArgs(t)
		if _, err := git.Install(a.spec(), t.TempDir()); err == nil {
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
		mustInstall(t, a.spec(), gitDir, git.Installed)
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
	t.Run("with the binary gone the chained hook still runs and the pusher is told", func(t *testing.T) {
		t.Parallel()
		a := mustInstallArgs(t) // a.binary does not exist
		gitDir := MustInitBareRepo(t, t.TempDir(), "o", "r")
		out := filepath.Join(t.TempDir(), "chained.stdin")
		MustWriteFile(t, filepath.Join(gitDir, "hooks", "post-receive"), "#!/bin/sh\ncat > "+shq(out)+"\n")
		if err := os.Chmod(filepath.Join(gitDir, "hooks", "post-receive"), 0o755); err != nil {
			t.Fatal(err)
		}
		mustInstall(t, a.spec(), gitDir, git.Chained)
		work := MustClone(t, gitDir)
		c1 := MustCommit(t, work, "one", map[string]string{"a": "1"})
		cmd := exec.Command("git", "push", "origin", "main")
		cmd.Dir = work
		cmd.Env = append(os.Environ(), "PATH=/usr/bin:/bin") // no forgehook on PATH either
		msg, err := cmd.CombinedOutput()
		if err != nil {
			t.Fatalf("push: %v\n%s", err, msg)
		}
		if !strings.Contains(string(msg), "not recorded") || !strings.Contains(string(msg), "forgehook install") {
			t.Errorf("push output does not say what happened and what to do:\n%s", msg)
		}
		if got, want := mustReadFile(t, out), "0000000000000000000000000000000000000000 "+c1+" refs/heads/main\n"; got != want {
			t.Errorf("chained hook stdin=%q, want %q", got, want)
		}
	})
}

func TestUninstall(t *testing.T) {
	t.Parallel()
	a := mustInstallArgs(t)
	plain := MustInitBareRepo(t, t.TempDir(), "o", "plain")
	mustInstall(t, a.spec(), plain, git.Installed)
	if got, err := git.Uninstall(plain); err != nil || got != git.Removed {
		t.Errorf("Uninstall = %q, %v; want %q", got, err, git.Removed)
	}
	if _, err := os.Lstat(filepath.Join(plain, "hooks", "post-receive")); err == nil {
		t.Error("hook still there")
	}
	chained := MustInitBareRepo(t, t.TempDir(), "o", "chained")
	mine := "#!/bin/sh\necho mine\n"
	MustWriteFile(t, filepath.Join(chained, "hooks", "post-receive"), mine)
	mustInstall(t, a.spec(), chained, git.Chained)
	if got, err := git.Uninstall(chained); err != nil || got != git.Restored {
		t.Errorf("Uninstall = %q, %v; want %q", got, err, git.Restored)
	}
	if got := mustReadFile(t, filepath.Join(chained, "hooks", "post-receive")); got != mine {
		t.Errorf("hook=%q, want the one from before %q", got, mine)
	}
	if got, err := git.Uninstall(chained); err != nil || got != git.NotInstalled {
		t.Errorf("Uninstall again = %q, %v; want %q", got, err, git.NotInstalled)
	}
}
