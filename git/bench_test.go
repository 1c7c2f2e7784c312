package git_test

import (
	"context"
	"io"
	"os/exec"
	"strconv"
	"sync"
	"testing"

	"github.com/forgehook/forgehook/git"
	"github.com/forgehook/forgehook/hooks"
)

// benchRepo is a generated repository shared by the benchmarks.
type benchRepo struct {
	gitDir        string
	before, after string
}

var benchRepos sync.Map // History -> *benchRepo

// MustBenchRepo generates (once per test binary) a repository with history h
// and returns it with the range of the last n first-parent commits of main.
func MustBenchRepo(tb testing.TB, h History, n int) *benchRepo {
	tb.Helper()
	if r, ok := benchRepos.Load(h); ok {
		return r.(*benchRepo)
	}
	gitDir := MustInitBareRepo(tb, tb.TempDir(), "bench", "repo")
	MustFastImport(tb, gitDir, h)
	r := &benchRepo{
		gitDir: gitDir,
		before: MustGit(tb, gitDir, "rev-parse", "main~"+strconv.Itoa(n)),
		after:  MustGit(tb, gitDir, "rev-parse", "main"),
	}
	benchRepos.Store(h, r)
	return r
}

// BenchmarkReadRefChange reads a push of the last 2048 first-parent commits
// of a generated repository of about 3000 commits over 300 directories and
// 3000 files: "warm" with one Reader (and its object cache), "cold" with a new
// Reader each time, and "git-log" runs git log --name-status --no-renames
// over the same range, for comparison.
func BenchmarkReadRefChange(b *testing.B) {
	for _, bc := range []struct {
		name string
		h    History
		n    int
	}{
		{"2048", History{Commits: 3000, Dirs: 300, FilesPerDir: 10, MergeEvery: 500}, 2048},
		{"10000", History{Commits: 12000, Dirs: 300, FilesPerDir: 10, MergeEvery: 500}, 10000},
	} {
		b.Run(bc.name, func(b *testing.B) {
			r := MustBenchRepo(b, bc.h, bc.n)
			u := hooks.RefUpdate{Before: r.before, After: r.after, Ref: "refs/heads/main"}
			b.Run("warm", func(b *testing.B) {
				rd := git.NewReader()
				defer rd.Close()
				benchRead(b, rd, r.gitDir, u)
			})
			b.Run("cold", func(b *testing.B) {
				for b.Loop() {
					rd := git.NewReader()
					benchRead(nil, rd, r.gitDir, u)
					rd.Close()
				}
			})
			b.Run("git-log", func(b *testing.B) {
				for b.Loop() {
					cmd := exec.Command("git", "log", "--name-status", "--no-renames", "-n", "2048", r.before+".."+r.after)
					cmd.Dir, cmd.Stdout = r.gitDir, io.Discard
					if err := cmd.Run(); err != nil {
						b.Fatal(err)
					}
				}
			})
		})
	}
}

// BenchmarkReadRefChange_SmallPush reads a push of three commits to main in
// a repository of 3000 commits and 1000 annotated tags, all of which decide
// which commits are distinct.
func BenchmarkReadRefChange_SmallPush(b *testing.B) {
	r := MustBenchRepo(b, History{Commits: 3000, Dirs: 300, FilesPerDir: 10, MergeEvery: 500, Tags: 1000}, 3)
	u := hooks.RefUpdate{Before: r.before, After: r.after, Ref: "refs/heads/main"}
	b.Run("warm", func(b *testing.B) {
		rd := git.NewReader()
		defer rd.Close()
		for b.Loop() {
			if _, err := rd.ReadRefChange(context.Background(), r.gitDir, []hooks.RefUpdate{u}, 0); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("cold", func(b *testing.B) {
		for b.Loop() {
			rd := git.NewReader()
			if _, err := rd.ReadRefChange(context.Background(), r.gitDir, []hooks.RefUpdate{u}, 0); err != nil {
				b.Fatal(err)
			}
			rd.Close()
		}
	})
}

// benchRead reads u with rd, in a b.Loop if b is not nil.
func benchRead(b *testing.B, rd *git.Reader, gitDir string, u hooks.RefUpdate) {
	read := func() {
		ch, err := rd.ReadRefChange(context.Background(), gitDir, []hooks.RefUpdate{u}, 0)
		if err != nil || len(ch.Commits) != hooks.MaxPushCommits {
			panic(err)
		}
	}
	if b == nil {
		read()
		return
	}
	for b.Loop() {
		read()
	}
}
