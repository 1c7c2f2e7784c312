package git_test

import (
	"context"
	"slices"
	"sync"
	"testing"

	"github.com/forgehook/forgehook/git"
	"github.com/forgehook/forgehook/hooks"
)

func TestReader_Concurrent(t *testing.T) {
	t.Parallel()
	type job struct {
		gitDir string
		u      hooks.RefUpdate
		want   []string
	}
	var jobs []job
	for _, name := range []string{"a", "b", "c"} {
		gitDir := MustInitBareRepo(t, t.TempDir(), "o", name)
		MustFastImport(t, gitDir, History{Commits: 300, Dirs: 12, FilesPerDir: 3, MergeEvery: 50})
		main := MustGit(t, gitDir, "rev-parse", "main")
		u := hooks.RefUpdate{Before: MustGit(t, gitDir, "rev-parse", "main~200"), After: main, Ref: "refs/heads/main"}
		var want []string
		for _, c := range GitLog(t, gitDir, u.Before+".."+u.After) {
			want = append(want, c.ID)
		}
		jobs = append(jobs, job{gitDir, u, want})
	}
	// One open repository at a time, and a small cache: reads evict each other.
	rd := &git.Reader{MaxOpenRepos: 1, CacheSize: 1 << 20}
	t.Cleanup(func() { rd.Close() })
	var wg sync.WaitGroup
	for g := range 6 {
		wg.Go(func() {
			for i := range 6 {
				j := jobs[(g+i)%len(jobs)]
				ch, err := rd.ReadRefChange(context.Background(), j.gitDir, []hooks.RefUpdate{j.u}, 0)
				if err != nil {
					t.Error(err)
					return
				}
				if got := ids(ch.Commits); !slices.Equal(got, j.want) {
					t.Errorf("%s: %d commits, want %d matching git log", j.gitDir, len(got), len(j.want))
				}
			}
		})
	}
	wg.Wait()
}
