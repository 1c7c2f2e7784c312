package git

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"syscall"
	"time"
)

// Gitolite is a gitolite installation: the home directory of its unix user,
// which holds .gitolite.rc.
type Gitolite struct {
	Home    string
	Command string // the gitolite program; "gitolite" (from PATH) if empty
}

// originFile, inside LOCAL_CODE/hooks, records where the post-receive hook
// that InstallGitolite chained came from, so that UninstallGitolite can put
// it back.
const originFile = "post-receive.forgehook-origin"

// rcBackup is the copy of .gitolite.rc kept when InstallGitolite enables LOCAL_CODE.
const rcBackup = ".gitolite.rc.forgehook-orig"

// Query returns gitolite's value of an rc key, as `gitolite query-rc` prints
// it, or "" if the key is not set (query-rc then prints nothing and exits 1).
func (g *Gitolite) Query(ctx context.Context, key string) (string, error) {
	out, err := g.run(ctx, "query-rc", key)
	var exit *exec.ExitError
	if errors.As(err, &exit) && exit.ExitCode() == 1 && strings.TrimSpace(out) == "" {
		return "", nil
	}
	if err != nil {
		return "", err
	}
	return strings.TrimSpace(out), nil
}

// RepoBase returns gitolite's GL_REPO_BASE, where its repositories are, as
// an absolute path with symbolic links resolved.
func (g *Gitolite) RepoBase(ctx context.Context) (string, error) {
	base, err := g.Query(ctx, "GL_REPO_BASE")
	if err != nil {
		return "", err
	}
	if base, err = filepath.EvalSymlinks(base); err != nil {
		return "", fmt.Errorf("gitolite: repositories: %w", err)
	}
	return base, nil
}

// run runs gitolite with HOME set to g.Home. It must run as the owner of
// g.Home, so that what it and forgehook write stays gitolite's.
func (g *Gitolite) run(ctx context.Context, args ...string) (string, error) {
	rc := filepath.Join(g.Home, ".gitolite.rc")
	fi, err := os.Stat(rc)
	if err != nil {
		return "", fmt.Errorf("gitolite: no %s: run this as the gitolite user, or pass --gitolite-home", rc)
	}
	if st, ok := fi.Sys().(*syscall.Stat_t); ok && int(st.Uid) != os.Geteuid() {
		return "", fmt.Errorf("gitolite: %s belongs to uid %d, not to you (uid %d): run this as the gitolite user, e.g. su - gitolite -c 'forgehook install --gitolite ...'", rc, st.Uid, os.Geteuid())
	}
	name := g.Command
	if name == "" {
		name = "gitolite"
	}
	ctx, cancel := context.WithTimeout(ctx, 5*time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, name, args...)
	cmd.Dir = g.Home
	cmd.Env = append(os.Environ(), "HOME="+g.Home)
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		return string(out), fmt.Errorf("gitolite %s: %w: %s", strings.Join(args, " "), err, strings.TrimSpace(stderr.String()))
	}
	return string(out), nil
}

// GitoliteReport says what InstallGitolite or UninstallGitolite did.
type GitoliteReport struct {
	Hook      string   // LOCAL_CODE/hooks/common/post-receive
	Changed   bool     // whether any file was written, moved or removed
	EnabledLC bool     // LOCAL_CODE was switched on in .gitolite.rc
	Chained   string   // the common post-receive hook gitolite had, now chained; "" if none
	RepoHooks []string // repositories whose own post-receive is now chained (or, uninstalling, restored)
}

// InstallGitolite installs the hook the gitolite way: it switches on
// LOCAL_CODE in .gitolite.rc if needed, writes spec's hook as
// LOCAL_CODE/hooks/common/post-receive, and runs `gitolite setup
// --hooks-only`, which links it into every repository, and gitolite links
// it into every repository created later. A common post-receive gitolite
// already had (in LOCAL_CODE or in ~/.gitolite/hooks/common, which would
// override it) is chained, and so is each repository's own post-receive,
// which gitolite would otherwise replace. Running it again changes nothing.
func (g *Gitolite) InstallGitolite(ctx context.Context, spec HookSpec) (*GitoliteReport, error) {
	localCode, enabled, err := g.enableLocalCode(ctx)
	if err != nil {
		return nil, err
	}
	rep := &GitoliteReport{Hook: filepath.Join(localCode, "hooks", "common", "post-receive"), EnabledLC: enabled, Changed: enabled}
	if err := os.MkdirAll(filepath.Dir(rep.Hook), 0o755); err != nil {
		return nil, fmt.Errorf("gitolite: %w", err)
	}
	chained := filepath.Join(localCode, "hooks", ChainedHookName)
	adminBase, err := g.Query(ctx, "GL_ADMIN_BASE")
	if err != nil {
		return nil, err
	}
	for _, common := range []string{rep.Hook, filepath.Join(adminBase, "hooks", "common", "post-receive")} {
		kind, _, err := classifyHook(common)
		if err != nil {
			return nil, fmt.Errorf("gitolite: %w", err)
		}
		if kind == hookNone || kind == hookOurs {
			continue
		}
		if _, err := os.Lstat(chained); err == nil {
			return nil, fmt.Errorf("gitolite: %s and %s both exist; merge them by hand", common, chained)
		}
		if err := os.Rename(common, chained); err != nil {
			return nil, fmt.Errorf("gitolite: keep %s: %w", common, err)
		}
		if err := os.WriteFile(filepath.Join(localCode, "hooks", originFile), []byte(common+"\n"), 0o644); err != nil {
			return nil, fmt.Errorf("gitolite: %w", err)
		}
		rep.Chained, rep.Changed = common, true
	}
	if _, err := os.Lstat(chained); err == nil {
		spec.Chain = append(spec.Chain, chained)
	}
	// Each repository's own hook, which `gitolite setup` would replace by the link.
	spec.Chain = append(spec.Chain, filepath.Join("hooks", ChainedHookName))
	repoBase, err := g.RepoBase(ctx)
	if err != nil {
		return nil, err
	}
	for _, f := range Scan(repoBase, "") {
		moved, err := chainRepoHook(f.GitDir)
		if err != nil {
			return nil, err
		}
		if moved {
			rep.RepoHooks, rep.Changed = append(rep.RepoHooks, f.Rel), true
		}
	}
	spec, _, err = absSpec(spec, rep.Hook)
	if err != nil {
		return nil, err
	}
	script := HookScript(spec)
	if old, err := os.ReadFile(rep.Hook); err != nil || !bytes.Equal(old, script) {
		if err := writeFileAtomic(rep.Hook, script, 0o755); err != nil {
			return nil, fmt.Errorf("gitolite: %w", err)
		}
		rep.Changed = true
	}
	if _, err := g.run(ctx, "setup", "--hooks-only"); err != nil {
		return nil, err
	}
	return rep, nil
}

// chainRepoHook moves a repository's own post-receive aside to
// hooks/post-receive.forgehook-chained, where forgehook's common hook runs
// it; forgehook's own per-repository hook is removed (its chained hook
// stays). Links (gitolite's) are left to gitolite. It reports whether it
// moved or removed anything.
func chainRepoHook(gitDir string) (bool, error) {
	hook := filepath.Join(gitDir, "hooks", "post-receive")
	fi, err := os.Lstat(hook)
	if errors.Is(err, os.ErrNotExist) || err == nil && fi.Mode()&os.ModeSymlink != 0 {
		return false, nil
	}
	kind, _, err := classifyHook(hook)
	if err != nil {
		return false, fmt.Errorf("gitolite: %w", err)
	}
	if kind == hookOurs || kind == hookWrapper {
		return true, os.Remove(hook)
	}
	chained := filepath.Join(gitDir, "hooks", ChainedHookName)
	if _, err := os.Lstat(chained); err == nil {
		return false, fmt.Errorf("gitolite: %s and %s both exist; merge them by hand", hook, chained)
	}
	return true, os.Rename(hook, chained)
}

// UninstallGitolite undoes InstallGitolite: it removes forgehook's common
// hook and the links to it, puts back the hooks it had chained and the
// .gitolite.rc it had changed, and runs `gitolite setup --hooks-only`.
func (g *Gitolite) UninstallGitolite(ctx context.Context) (*GitoliteReport, error) {
	localCode, err := g.Query(ctx, "LOCAL_CODE")
	if err != nil {
		return nil, err
	}
	rep := &GitoliteReport{}
	if localCode == "" {
		return rep, nil
	}
	rep.Hook = filepath.Join(localCode, "hooks", "common", "post-receive")
	if kind, _, err := classifyHook(rep.Hook); err != nil || kind != hookOurs {
		return rep, err
	}
	repoBase, err := g.RepoBase(ctx)
	if err != nil {
		return nil, err
	}
	for _, f := range Scan(repoBase, "") {
		hook := filepath.Join(f.GitDir, "hooks", "post-receive")
		if target, err := os.Readlink(hook); err != nil || target != rep.Hook {
			continue
		}
		if err := os.Remove(hook); err != nil {
			return nil, fmt.Errorf("gitolite: %w", err)
		}
		if err := os.Rename(filepath.Join(f.GitDir, "hooks", ChainedHookName), hook); err == nil {
			rep.RepoHooks = append(rep.RepoHooks, f.Rel)
		}
	}
	if err := os.Remove(rep.Hook); err != nil {
		return nil, fmt.Errorf("gitolite: %w", err)
	}
	rep.Changed = true
	origin := filepath.Join(localCode, "hooks", originFile)
	if b, err := os.ReadFile(origin); err == nil {
		rep.Chained = strings.TrimSpace(string(b))
		if err := os.Rename(filepath.Join(localCode, "hooks", ChainedHookName), rep.Chained); err != nil {
			return nil, fmt.Errorf("gitolite: put back %s: %w", rep.Chained, err)
		}
		_ = os.Remove(origin)
	}
	rc := filepath.Join(g.Home, ".gitolite.rc")
	if b, err := os.ReadFile(filepath.Join(g.Home, rcBackup)); err == nil {
		if err := writeFileAtomic(rc, b, fileMode(rc)); err != nil {
			return nil, fmt.Errorf("gitolite: put back %s: %w", rc, err)
		}
		_ = os.Remove(filepath.Join(g.Home, rcBackup))
		rep.EnabledLC = true
	}
	if _, err := g.run(ctx, "setup", "--hooks-only"); err != nil {
		return nil, err
	}
	return rep, nil
}

// localCodeLine is the line of gitolite's stock .gitolite.rc that, without
// its comment sign, switches on LOCAL_CODE in the gitolite user's home.
var localCodeLine = regexp.MustCompile(`(?m)^(\s*)#\s*(LOCAL_CODE\s*=>\s*"\$ENV\{HOME\}/local",)`)

// enableLocalCode returns gitolite's LOCAL_CODE directory, switching it on
// (as ~/local, keeping a copy of the old rc) if it was off.
func (g *Gitolite) enableLocalCode(ctx context.Context) (dir string, enabled bool, err error) {
	if dir, err = g.Query(ctx, "LOCAL_CODE"); err != nil || dir != "" {
		return dir, false, err
	}
	rc := filepath.Join(g.Home, ".gitolite.rc")
	old, err := os.ReadFile(rc)
	if err != nil {
		return "", false, fmt.Errorf("gitolite: %w", err)
	}
	var updated []byte
	if localCodeLine.Match(old) {
		updated = localCodeLine.ReplaceAll(old, []byte("${1}${2}"))
	} else if i := bytes.Index(old, []byte("%RC = (")); i >= 0 {
		at := i + len("%RC = (")
		updated = append(append(append([]byte{}, old[:at]...), "\n    LOCAL_CODE => \"$ENV{HOME}/local\","...), old[at:]...)
	} else {
		return "", false, fmt.Errorf("gitolite: cannot switch on LOCAL_CODE in %s: set LOCAL_CODE => \"$ENV{HOME}/local\" there by hand", rc)
	}
	if err := os.WriteFile(filepath.Join(g.Home, rcBackup), old, 0o600); err != nil {
		return "", false, fmt.Errorf("gitolite: %w", err)
	}
	if err := writeFileAtomic(rc, updated, fileMode(rc)); err != nil {
		return "", false, fmt.Errorf("gitolite: %w", err)
	}
	if dir, err = g.Query(ctx, "LOCAL_CODE"); err != nil {
		return "", false, err
	}
	if dir == "" {
		return "", false, fmt.Errorf("gitolite: LOCAL_CODE still off after editing %s", rc)
	}
	return dir, true, nil
}

// fileMode returns the permission bits of the file at path, or 0644.
func fileMode(path string) os.FileMode {
	if fi, err := os.Stat(path); err == nil {
		return fi.Mode().Perm()
	}
	return 0o644
}
