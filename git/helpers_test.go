package git_test

import (
	"bytes"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"sort"
	"strings"
	"sync/atomic"
	"testing"
)

// testHome is the HOME of every git the tests run, made by TestMain.
var testHome string

// TestMain gives git an empty home directory, so that no user configuration
// leaks into the tests.
func TestMain(m *testing.M) {
	dir, err := os.MkdirTemp("", "forgehook-git-home-")
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	testHome = dir
	code := m.Run()
	os.RemoveAll(dir)
	os.Exit(code)
}

// commitClock hands out commit dates, one minute apart, so that every test run
// creates the same history in the same order.
var commitClock atomic.Int64

// GitEnv returns the environment git runs with in tests: no system or user
// configuration, a fixed identity and the given date for author and committer.
func GitEnv(tb testing.TB, date string) []string {
	tb.Helper()
	home := testHome
	env := []string{}
	for _, kv := range os.Environ() {
		if !strings.HasPrefix(kv, "GIT_") && !strings.HasPrefix(kv, "HOME=") && !strings.HasPrefix(kv, "XDG_CONFIG_HOME=") {
			env = append(env, kv)
		}
	}
	return append(env,
		"GIT_CONFIG_NOSYSTEM=1",
		"HOME="+home,
		"XDG_CONFIG_HOME="+home,
		"GIT_AUTHOR_NAME=Ada Author",
		"GIT_AUTHOR_EMAIL=ada@example.com",
		"GIT_COMMITTER_NAME=Carl Committer",
		"GIT_COMMITTER_EMAIL=carl@example.com",
		"GIT_AUTHOR_DATE="+date,
		"GIT_COMMITTER_DATE="+date,
	)
}

// MustGit runs git with args in dir and returns its trimmed standard output.
func MustGit(tb testing.TB, dir string, args ...string) string {
	tb.Helper()
	return strings.TrimSpace(string(MustGitRaw(tb, dir, "1700000000 +0000", nil, args...)))
}

// MustGitInput runs git with args in dir, stdin as its input, and returns its
// trimmed standard output.
func MustGitInput(tb testing.TB, dir string, stdin []byte, args ...string) string {
	tb.Helper()
	return strings.TrimSpace(string(MustGitRaw(tb, dir, "1700000000 +0000", stdin, args...)))
}

// MustGitAt runs git like MustGit, with date as author and committer date.
func MustGitAt(tb testing.TB, dir, date string, args ...string) string {
	tb.Helper()
	return strings.TrimSpace(string(MustGitRaw(tb, dir, date, nil, args...)))
}

// MustGitRaw runs git with args in dir, date as author and committer date and
// stdin (if not nil) as its input, and returns its standard output.
func MustGitRaw(tb testing.TB, dir, date string, stdin []byte, args ...string) []byte {
	tb.Helper()
	cmd := exec.Command("git", append([]string{"-c", "init.defaultBranch=main"}, args...)...)
	cmd.Dir = dir
	cmd.Env = GitEnv(tb, date)
	if stdin != nil {
		cmd.Stdin = bytes.NewReader(stdin)
	}
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	if err := cmd.Run(); err != nil {
		tb.Fatalf("git %s: %v\n%s", strings.Join(args, " "), err, stderr.String())
	}
	return stdout.Bytes()
}

// MustInitBareRepo creates the bare repository root/owner/name.git and returns
// its git dir.
func MustInitBareRepo(tb testing.TB, root, owner, name string) string {
	tb.Helper()
	gitDir := filepath.Join(root, owner, name+".git")
	if err := os.MkdirAll(filepath.Dir(gitDir), 0o755); err != nil {
		tb.Fatal(err)
	}
	MustGit(tb, root, "init", "--bare", "--quiet", gitDir)
	return gitDir
}

// MustClone clones gitDir into a new working directory and returns it.
func MustClone(tb testing.TB, gitDir string) string {
	tb.Helper()
	work := filepath.Join(tb.TempDir(), "work")
	MustGit(tb, filepath.Dir(gitDir), "clone", "--quiet", gitDir, work)
	return work
}

// MustCommit writes files into the working directory work (an empty content
// deletes the file), commits everything with message msg at the next date of
// the commit clock, in the +0200 zone, and returns the new commit id.
func MustCommit(tb testing.TB, work, msg string, files map[string]string) string {
	tb.Helper()
	names := make([]string, 0, len(files))
	for name := range files {
		names = append(names, name)
	}
	sort.Strings(names)
	for _, name := range names {
		path := filepath.Join(work, filepath.FromSlash(name))
		if files[name] == "" {
			if err := os.RemoveAll(path); err != nil {
				tb.Fatal(err)
			}
			continue
		}
		MustWriteFile(tb, path, files[name])
	}
	MustGit(tb, work, "add", "--all")
	MustGitAt(tb, work, NextDate(), "commit", "--quiet", "--allow-empty", "-m", msg)
	return MustGit(tb, work, "rev-parse", "HEAD")
}

// NextDate returns the next date of the commit clock in git's raw format.
func NextDate() string {
	return fmt.Sprintf("%d +0200", 1700000000+60*commitClock.Add(1))
}

// MustWriteFile writes content to path, creating its directory.
func MustWriteFile(tb testing.TB, path, content string) {
	tb.Helper()
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		tb.Fatal(err)
	}
	if err := os.WriteFile(path, []byte(content), 0o644); err != nil {
		tb.Fatal(err)
	}
}
