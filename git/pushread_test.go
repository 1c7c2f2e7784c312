package git_test

import (
	"fmt"
	"testing"

	"github.com/forgehook/forgehook/git"
	"github.com/forgehook/forgehook/hooks"
)

// manyRefs returns a repository whose main is at base, a new commit tip on
// no ref, and a push creating n refs named prefix+i at tip.
func manyRefs(tb testing.TB, prefix string, n int) (gitDir string, refs map[string]string, push []hooks.RefUpdate, base, tip string) {
	tb.Helper()
	gitDir = MustInitBareRepo(tb, tb.TempDir(), "octo", "many")
	work := MustClone(tb, gitDir)
	base = MustCommit(tb, work, "base", map[string]string{"a": "1"})
	MustGit(tb, work, "push", "--quiet", "origin", "main")
	tip = MustCommit(tb, work, "tip", map[string]string{"a": "2"})
	MustGit(tb, work, "push", "--quiet", "origin", "main:refs/heads/tmp")
	for i := range n {
		push = append(push, hooks.RefUpdate{Before: hooks.ZeroSHA, After: tip, Ref: fmt.Sprintf("%s%04d", prefix, i)})
	}
	return gitDir, map[string]string{"refs/heads/main": base}, push, base, tip
}

// TestReadPush_ManyRefs: 5,000 branches created at one new commit in one
// push, read in chunks as the push worker does: every branch lists the
// commit, distinct only in the first.
func TestReadPush_ManyRefs(t *testing.T) {
	t.Parallel()
	gitDir, refs, push, _, tip := manyRefs(t, "refs/heads/b", 5000)
	rd := git.NewReader()
	defer rd.Close()
	for from := 0; from < len(push); from += 100 {
		reads, err := rd.ReadPush(t.Context(), gitDir, refs, push, from, from+100)
		if err != nil {
			t.Fatal(err)
		}
		for k, r := range reads {
			i := from + k
			if r.Err != nil {
				t.Fatalf("%s: %v", push[i].Ref, r.Err)
			}
			c := r.Change.Commits
			if len(c) != 1 || c[0].ID != tip || c[0].Distinct != (i == 0) || r.Change.Head == nil || r.Change.Head.ID != tip {
				t.Fatalf("%s: change %+v, want commit %s, distinct only in the first branch", push[i].Ref, r.Change, tip)
			}
		}
	}
}

// BenchmarkReadPush_5000Tags reads a push of 5,000 tags on one new commit,
// in one call.
func BenchmarkReadPush_5000Tags(b *testing.B) {
	gitDir, refs, push, _, _ := manyRefs(b, "refs/tags/t", 5000)
	rd := git.NewReader()
	defer rd.Close()
	for b.Loop() {
		if _, err := rd.ReadPush(b.Context(), gitDir, refs, push, 0, len(push)); err != nil {
			b.Fatal(err)
		}
	}
}
