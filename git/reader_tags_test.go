package git_test

import (
	"slices"
	"testing"
)

func TestReadRefChange_Tags(t *testing.T) {
	t.Parallel()
	r := MustPushRepo(t)
	first := MustCommit(t, r.Work, "one", map[string]string{"a": "1"})
	tip := MustCommit(t, r.Work, "two", map[string]string{"a": "2"})
	r.MustPush(t, "main", "main:refs/heads/other")

	t.Run("lightweight tag at a branch tip has no commits and a base ref", func(t *testing.T) {
		MustGit(t, r.Work, "tag", "v1")
		ups := r.MustPush(t, "v1")
		ch := r.MustRead(t, ups, 0)
		if len(ch.Commits) != 0 || ch.TotalCommits != 0 || ch.Head == nil || ch.Head.ID != tip || ch.Head.Distinct {
			t.Errorf("change=%+v, want no commits and non-distinct head %s", ch, tip)
		}
		if got, want := ch.BaseRef, "refs/heads/main"; got != want {
			t.Errorf("BaseRef=%q, want %q (the default branch first)", got, want)
		}
	})
	t.Run("annotated tag is peeled to its commit", func(t *testing.T) {
		MustGitAt(t, r.Work, NextDate(), "tag", "-a", "v2", "-m", "Version 2")
		ups := r.MustPush(t, "v2")
		if ups[0].After == tip {
			t.Fatalf("after=%s is the commit, want the tag object", ups[0].After)
		}
		ch := r.MustRead(t, ups, 0)
		if ch.Head == nil || ch.Head.ID != tip || len(ch.Commits) != 0 || ch.BaseRef != "refs/heads/main" {
			t.Errorf("change=%+v, want head %s, no commits, base ref main", ch, tip)
		}
		if ch.Head.Message != "two\n" || len(ch.Head.Modified) != 1 {
			t.Errorf("Head=%+v, want commit \"two\" modifying a", ch.Head)
		}
	})
	t.Run("tag of an older commit has no base ref", func(t *testing.T) {
		MustGit(t, r.Work, "tag", "old", first)
		ch := r.MustRead(t, r.MustPush(t, "old"), 0)
		if ch.Head == nil || ch.Head.ID != first || ch.BaseRef != "" {
			t.Errorf("change=%+v, want head %s and no base ref", ch, first)
		}
	})
	t.Run("tag of a tree has no head", func(t *testing.T) {
		MustGit(t, r.Work, "tag", "tree", "HEAD^{tree}")
		ch := r.MustRead(t, r.MustPush(t, "tree"), 0)
		if ch.Head != nil || len(ch.Commits) != 0 || ch.BaseRef != "" {
			t.Errorf("change=%+v, want nothing", ch)
		}
	})
	t.Run("tag of a new commit lists it", func(t *testing.T) {
		MustGit(t, r.Work, "checkout", "--quiet", "--detach")
		c := MustCommit(t, r.Work, "tagged only", map[string]string{"t": "1"})
		MustGit(t, r.Work, "tag", "fresh")
		ch := r.MustRead(t, r.MustPush(t, "fresh"), 0)
		if !slices.Equal(ids(ch.Commits), []string{c}) || !ch.Commits[0].Distinct || ch.BaseRef != "" {
			t.Errorf("change=%+v, want distinct commit %s and no base ref", ch, c)
		}
		MustGit(t, r.Work, "checkout", "--quiet", "main")
	})
}

func TestReadRefChange_OnePushTwoRefs(t *testing.T) {
	t.Parallel()
	r := MustPushRepo(t)
	MustCommit(t, r.Work, "one", map[string]string{"a": "1"})
	r.MustPush(t, "main")
	c := MustCommit(t, r.Work, "shared", map[string]string{"a": "2"})
	ups := r.MustPush(t, "HEAD:refs/heads/x", "HEAD:refs/heads/y")
	if len(ups) != 2 {
		t.Fatalf("updates=%+v, want 2", ups)
	}
	for i, want := range []bool{true, false} { // listed under both, distinct in the first
		ch := r.MustRead(t, ups, i)
		if !slices.Equal(ids(ch.Commits), []string{c}) || ch.Commits[0].Distinct != want {
			t.Errorf("update %d: commits=%v distinct=%v, want [%s] distinct=%v", i, ids(ch.Commits), distinct(ch.Commits), c, want)
		}
	}
}
