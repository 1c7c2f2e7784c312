// Package gittest drives the real git binary for tests: bare repositories,
// clones, commits and pushes with fixed identities and dates.
package gittest

import (
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

// Env returns an environment for git that ignores the machine's config and
// pins identities and dates, so that commit ids are reproducible.
func Env(home string) []string {
	env := []string{
		"HOME=" + home, "GIT_CONFIG_NOSYSTEM=1", "GIT_CONFIG_GLOBAL=" + filepath.Join(home, ".gitconfig"),
		"GIT_AUTHOR_NAME=Ada Lovelace", "GIT_AUTHOR_EMAIL=ada@example.com",
		"GIT_COMMITTER_NAME=Ada Lovelace", "GIT_COMMITTER_EMAIL=ada@example.com",
		"GIT_AUTHOR_DATE=2026-01-02T03:04:05+01:00", "GIT_COMMITTER_DATE=2026-01-02T03:04:05+01:00",
		"GIT_TERMINAL_PROMPT=0",
	}
	for _, kv := range os.Environ() {
		if k, _, _ := strings.Cut(kv, "="); k == "PATH" || k == "TMPDIR" || k == "FORGEHOOK_PUSHER" {
			env = append(env, kv)
		}
	}
	return env
}

// Git runs git in dir with env and returns its trimmed stdout.
func Git(tb testing.TB, env []string, dir string, args ...string) string {
	tb.Helper()
	out, err := Run(env, dir, args...)
	if err != nil {
		tb.Fatalf("git %s: %v\n%s", strings.Join(args, " "), err, out)
	}
	return out
}

// Run runs git and returns its combined output, trimmed.
func Run(env []string, dir string, args ...string) (string, error) {
	cmd := exec.Command("git", args...)
	cmd.Dir, cmd.Env = dir, env
	out, err := cmd.CombinedOutput()
	return strings.TrimSpace(string(out)), err
}

// Workspace is a place to make repositories and clones with a private HOME.
type Workspace struct {
	tb  testing.TB
	Dir string
	Env []string
}

// NewWorkspace returns a workspace in a temporary directory.
func NewWorkspace(tb testing.TB) *Workspace {
	tb.Helper()
	dir := tb.TempDir()
	home := filepath.Join(dir, "home")
	if err := os.MkdirAll(home, 0o755); err != nil {
		tb.Fatal(err)
	}
	return &Workspace{tb: tb, Dir: dir, Env: Env(home)}
}

// MustInitBare creates the bare repository root/owner/name.git with main as
// its default branch and returns its path.
func (w *Workspace) MustInitBare(root, owner, name string) string {
	w.tb.Helper()
	dir := filepath.Join(root, owner, name+".git")
	Git(w.tb, w.Env, w.Dir, "init", "--quiet", "--bare", "--initial-branch=main", dir)
	return dir
}

// MustClone clones remote into a new working copy and returns it.
func (w *Workspace) MustClone(remote, name string) *Clone {
	w.tb.Helper()
	dir := filepath.Join(w.Dir, name)
	Git(w.tb, w.Env, w.Dir, "clone", "--quiet", remote, dir)
	Git(w.tb, w.Env, dir, "checkout", "--quiet", "-B", "main")
	return &Clone{w: w, Dir: dir}
}

// Clone is a working copy.
type Clone struct {
	w   *Workspace
	Dir string
	n   int
}

// Git runs git in the clone.
func (c *Clone) Git(args ...string) string {
	c.w.tb.Helper()
	return Git(c.w.tb, c.w.Env, c.Dir, args...)
}

// Write creates or replaces files (path → content); an empty content removes the file.
func (c *Clone) Write(files map[string]string) {
	c.w.tb.Helper()
	for path, content := range files {
		full := filepath.Join(c.Dir, path)
		if content == "" {
			c.Git("rm", "--quiet", path)
			continue
		}
		if err := os.MkdirAll(filepath.Dir(full), 0o755); err != nil {
			c.w.tb.Fatal(err)
		}
		if err := os.WriteFile(full, []byte(content), 0o644); err != nil {
			c.w.tb.Fatal(err)
		}
		c.Git("add", path)
	}
}

// Commit writes files and commits them with message; it returns the new commit id.
func (c *Clone) Commit(message string, files map[string]string) string {
	c.w.tb.Helper()
	c.Write(files)
	c.n++
	c.Git("commit", "--quiet", "--allow-empty", "-m", message)
	return c.Git("rev-parse", "HEAD")
}

// Push runs git push with args and returns its output (git prints the
// hook's stderr as "remote:" lines).
func (c *Clone) Push(args ...string) string {
	c.w.tb.Helper()
	return c.Git(append([]string{"push", "--quiet"}, args...)...)
}

// CommitN makes n commits touching one file each, for bulk tests.
func (c *Clone) CommitN(n int, prefix string) {
	c.w.tb.Helper()
	for i := 0; i < n; i++ {
		c.Commit(fmt.Sprintf("%s %d", prefix, i), map[string]string{fmt.Sprintf("%s/%d.txt", prefix, i): prefix})
	}
}
