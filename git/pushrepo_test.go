package git_test

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/forgehook/forgehook/git"
	"github.com/forgehook/forgehook/hooks"
)

// PushRepo is a bare repository whose post-receive hook records the ref
// updates of each push, with a clone to push from and a Reader.
type PushRepo struct {
	GitDir, Work string
	Reader       *git.Reader
}

// MustPushRepo creates a PushRepo in a temporary directory.
func MustPushRepo(tb testing.TB) *PushRepo {
	tb.Helper()
	gitDir := MustInitBareRepo(tb, tb.TempDir(), "octo", "repo")
	hook := filepath.Join(gitDir, "hooks", "post-receive")
	if err := os.WriteFile(hook, []byte("#!/bin/sh\ncat > \"$PWD/test-updates\"\n"), 0o755); err != nil {
		tb.Fatal(err)
	}
	r := &PushRepo{GitDir: gitDir, Work: MustClone(tb, gitDir), Reader: git.NewReader()}
	tb.Cleanup(func() { r.Reader.Close() })
	return r
}

// MustPush runs git push with args in the clone and returns the ref updates
// the post-receive hook saw.
func (r *PushRepo) MustPush(tb testing.TB, args ...string) []hooks.RefUpdate {
	tb.Helper()
	MustGit(tb, r.Work, append([]string{"push", "--quiet", "origin"}, args...)...)
	path := filepath.Join(r.GitDir, "test-updates")
	f, err := os.Open(path)
	if err != nil {
		tb.Fatalf("push %v ran no hook: %v", args, err)
	}
	defer os.Remove(path)
	defer f.Close()
	ups, bad, err := hooks.ParseRefUpdates(f)
	if err != nil || len(bad) > 0 {
		tb.Fatalf("hook input: %v %v", err, bad)
	}
	return ups
}

// MustRead reads the i-th update of ups, with the ones before it as others.
func (r *PushRepo) MustRead(tb testing.TB, ups []hooks.RefUpdate, i int) *hooks.RefChange {
	tb.Helper()
	ch, err := r.Reader.ReadRefChange(context.Background(), r.GitDir, ups, i)
	if err != nil {
		tb.Fatalf("ReadRefChange(%+v): %v", ups[i], err)
	}
	return ch
}

// gitCommit is a commit as git log shows it.
type gitCommit struct {
	ID, Tree                 string
	Added, Removed, Modified []string
}

// GitLog returns the commits of git log --reverse --topo-order over revs,
// with the paths each changed against its first parent.
func GitLog(tb testing.TB, gitDir string, revs ...string) []gitCommit {
	tb.Helper()
	out := MustGit(tb, gitDir, append([]string{"-c", "core.quotePath=false", "log", "--reverse", "--topo-order",
		"--name-status", "--no-renames", "--diff-merges=first-parent", "--format=%x01%H %T"}, revs...)...)
	var commits []gitCommit
	for _, block := range strings.Split(out, "\x01")[1:] {
		lines := strings.Split(strings.TrimSpace(block), "\n")
		id, tree, _ := strings.Cut(lines[0], " ")
		c := gitCommit{ID: id, Tree: tree}
		for _, l := range lines[1:] {
			status, path, ok := strings.Cut(l, "\t")
			switch {
			case !ok:
			case status == "A":
				c.Added = append(c.Added, path)
			case status == "D":
				c.Removed = append(c.Removed, path)
			default: // M, or T for a type change
				c.Modified = append(c.Modified, path)
			}
		}
		commits = append(commits, c)
	}
	return commits
}

// MustMatchGit checks the commits of ch against git log over revs: same
// commits in the same order (the newest hooks.MaxPushCommits), same trees and
// paths.
func MustMatchGit(tb testing.TB, gitDir string, ch *hooks.RefChange, revs ...string) {
	tb.Helper()
	want := GitLog(tb, gitDir, revs...)
	if ch.TotalCommits != len(want) {
		tb.Errorf("TotalCommits=%d, want %d (git log %v)", ch.TotalCommits, len(want), revs)
	}
	if len(want) > hooks.MaxPushCommits {
		want = want[len(want)-hooks.MaxPushCommits:]
	}
	if len(ch.Commits) != len(want) {
		tb.Fatalf("len(Commits)=%d, want %d", len(ch.Commits), len(want))
	}
	for i, w := range want {
		c := ch.Commits[i]
		got := gitCommit{ID: c.ID, Tree: c.TreeID, Added: c.Added, Removed: c.Removed, Modified: c.Modified}
		if !equalCommits(got, w) {
			tb.Fatalf("commit %d:\n got %+v\nwant %+v", i, got, w)
		}
	}
}

func equalCommits(a, b gitCommit) bool {
	eq := func(x, y []string) bool {
		return strings.Join(x, "\x00") == strings.Join(y, "\x00") && len(x) == len(y)
	}
	return a.ID == b.ID && a.Tree == b.Tree && eq(a.Added, b.Added) && eq(a.Removed, b.Removed) && eq(a.Modified, b.Modified)
}

// ids returns the ids of commits.
func ids(commits []hooks.Commit) []string {
	out := make([]string, len(commits))
	for i, c := range commits {
		out[i] = c.ID
	}
	return out
}

// distinct returns the Distinct flag of each of commits.
func distinct(commits []hooks.Commit) []bool {
	out := make([]bool, len(commits))
	for i, c := range commits {
		out[i] = c.Distinct
	}
	return out
}

// MustReader returns a new Reader that is closed when the test ends.
func MustReader(tb testing.TB) *git.Reader {
	tb.Helper()
	rd := git.NewReader()
	tb.Cleanup(func() { rd.Close() })
	return rd
}
