package git_test

import (
	"context"
	"errors"
	"path/filepath"
	"slices"
	"testing"
	"time"

	"github.com/forgehook/forgehook/git"
	"github.com/forgehook/forgehook/hooks"
)

func TestReadRefChange_Branches(t *testing.T) {
	t.Parallel()
	t.Run("first push lists every commit", func(t *testing.T) {
		t.Parallel()
		r := MustPushRepo(t)
		MustCommit(t, r.Work, "Add readme", map[string]string{"README.md": "hi\n", "dir/a.txt": "a\n"})
		MustCommit(t, r.Work, "Edit a", map[string]string{"dir/a.txt": "a2\n"})
		c := MustCommit(t, r.Work, "Add b\n\nWith a body.", map[string]string{"dir/b.txt": "b\n", "README.md": ""})
		ups := r.MustPush(t, "main")
		if len(ups) != 1 || !ups[0].Created() {
			t.Fatalf("updates=%+v, want one created ref", ups)
		}
		ch := r.MustRead(t, ups, 0)
		MustMatchGit(t, r.GitDir, ch, c)
		if got, want := distinct(ch.Commits), []bool{true, true, true}; !slices.Equal(got, want) {
			t.Errorf("distinct=%v, want %v", got, want)
		}
		if ch.Head == nil || ch.Head.ID != c || ch.Forced || ch.BaseRef != "" {
			t.Errorf("Head=%v Forced=%v BaseRef=%q, want head %s, not forced, no base ref", ch.Head, ch.Forced, ch.BaseRef, c)
		}
		last := ch.Commits[2]
		if got, want := last.Message, "Add b\n\nWith a body.\n"; got != want {
			t.Errorf("Message=%q, want %q", got, want)
		}
		if got, want := last.Author, (hooks.Signature{Name: "Ada Author", Email: "ada@example.com", When: last.Timestamp}); got.Name != want.Name || got.Email != want.Email || !got.When.Equal(want.When) {
			t.Errorf("Author=%+v, want %+v", got, want)
		}
		if got, want := last.Committer.Name+" <"+last.Committer.Email+">", "Carl Committer <carl@example.com>"; got != want {
			t.Errorf("Committer=%q, want %q", got, want)
		}
		if _, off := last.Timestamp.Zone(); off != 2*3600 {
			t.Errorf("Timestamp=%v, want the committer's +02:00 zone", last.Timestamp)
		}
		if got := last.Timestamp.Format(time.RFC3339); got[len(got)-6:] != "+02:00" {
			t.Errorf("Timestamp=%s, want a +02:00 offset", got)
		}
	})
	t.Run("fast-forward lists before..after", func(t *testing.T) {
		t.Parallel()
		r := MustPushRepo(t)
		MustCommit(t, r.Work, "one", map[string]string{"a": "1"})
		r.MustPush(t, "main")
		MustCommit(t, r.Work, "two", map[string]string{"a": "2"})
		MustCommit(t, r.Work, "three", map[string]string{"b/c": "3"})
		ups := r.MustPush(t, "main")
		ch := r.MustRead(t, ups, 0)
		MustMatchGit(t, r.GitDir, ch, ups[0].Before+".."+ups[0].After)
		if ch.Forced || len(ch.Commits) != 2 || ch.Head.ID != ups[0].After || !ch.Head.Distinct {
			t.Errorf("Forced=%v commits=%d Head=%+v, want a fast-forward of 2 with a distinct head", ch.Forced, len(ch.Commits), ch.Head)
		}
	})
	t.Run("force push lists only the new commits and is forced", func(t *testing.T) {
		t.Parallel()
		r := MustPushRepo(t)
		MustCommit(t, r.Work, "one", map[string]string{"a": "1"})
		MustCommit(t, r.Work, "two", map[string]string{"a": "2"})
		r.MustPush(t, "main")
		MustGit(t, r.Work, "reset", "--quiet", "--hard", "HEAD~1")
		c := MustCommit(t, r.Work, "two again", map[string]string{"a": "2b"})
		ups := r.MustPush(t, "--force", "main")
		ch := r.MustRead(t, ups, 0)
		MustMatchGit(t, r.GitDir, ch, ups[0].Before+".."+ups[0].After)
		if !ch.Forced || !slices.Equal(ids(ch.Commits), []string{c}) {
			t.Errorf("Forced=%v commits=%v, want forced with [%s]", ch.Forced, ids(ch.Commits), c)
		}
	})
	t.Run("rewind to an ancestor is forced with no commits", func(t *testing.T) {
		t.Parallel()
		r := MustPushRepo(t)
		first := MustCommit(t, r.Work, "one", map[string]string{"a": "1"})
		MustCommit(t, r.Work, "two", map[string]string{"a": "2"})
		r.MustPush(t, "main")
		ups := r.MustPush(t, "--force", first+":refs/heads/main")
		ch := r.MustRead(t, ups, 0)
		if !ch.Forced || len(ch.Commits) != 0 || ch.Head == nil || ch.Head.ID != first || ch.Head.Distinct {
			t.Errorf("Forced=%v commits=%d Head=%+v, want forced, none, non-distinct head %s", ch.Forced, len(ch.Commits), ch.Head, first)
		}
	})
	t.Run("force push over a commit gc removed is forced", func(t *testing.T) {
		t.Parallel()
		r := MustPushRepo(t)
		MustCommit(t, r.Work, "one", map[string]string{"a": "1"})
		r.MustPush(t, "main", "main:refs/heads/keep")
		MustCommit(t, r.Work, "two", map[string]string{"a": "2"})
		r.MustPush(t, "main")
		MustGit(t, r.Work, "reset", "--quiet", "--hard", "HEAD~1")
		c := MustCommit(t, r.Work, "two again", map[string]string{"a": "2b"})
		ups := r.MustPush(t, "--force", "main")
		MustGit(t, r.GitDir, "gc", "--quiet", "--prune=now")
		if _, _, err := git.ReadObject(r.GitDir, ups[0].Before); err == nil {
			t.Fatal("gc kept the old commit")
		}
		ch := r.MustRead(t, ups, 0)
		if !ch.Forced || !slices.Equal(ids(ch.Commits), []string{c}) {
			t.Errorf("Forced=%v commits=%v, want forced with [%s]", ch.Forced, ids(ch.Commits), c)
		}
	})
	t.Run("deleted ref has no commits and no head", func(t *testing.T) {
		t.Parallel()
		r := MustPushRepo(t)
		MustCommit(t, r.Work, "one", map[string]string{"a": "1"})
		r.MustPush(t, "main", "main:refs/heads/gone")
		ups := r.MustPush(t, ":refs/heads/gone")
		ch := r.MustRead(t, ups, 0)
		if !ups[0].Deleted() || len(ch.Commits) != 0 || ch.TotalCommits != 0 || ch.Head != nil || ch.Forced {
			t.Errorf("update=%+v change=%+v, want a deletion with nothing", ups[0], ch)
		}
	})
	t.Run("new branch at existing history has no commits", func(t *testing.T) {
		t.Parallel()
		r := MustPushRepo(t)
		c := MustCommit(t, r.Work, "one", map[string]string{"a": "1"})
		r.MustPush(t, "main")
		ups := r.MustPush(t, "main:refs/heads/copy")
		ch := r.MustRead(t, ups, 0)
		if len(ch.Commits) != 0 || ch.TotalCommits != 0 || ch.Head == nil || ch.Head.ID != c || ch.Head.Distinct || ch.BaseRef != "" {
			t.Errorf("change=%+v, want no commits, non-distinct head %s, no base ref", ch, c)
		}
	})
	t.Run("new branch lists only its new commits", func(t *testing.T) {
		t.Parallel()
		r := MustPushRepo(t)
		MustCommit(t, r.Work, "one", map[string]string{"a": "1"})
		r.MustPush(t, "main")
		MustGit(t, r.Work, "checkout", "--quiet", "-b", "feature")
		MustCommit(t, r.Work, "f1", map[string]string{"f": "1"})
		MustCommit(t, r.Work, "f2", map[string]string{"f": "2"})
		ups := r.MustPush(t, "feature")
		ch := r.MustRead(t, ups, 0)
		MustMatchGit(t, r.GitDir, ch, ups[0].After, "--not", "main")
		if got, want := distinct(ch.Commits), []bool{true, true}; !slices.Equal(got, want) {
			t.Errorf("distinct=%v, want %v", got, want)
		}
	})
	t.Run("merge brings the side branch, known commits are not distinct", func(t *testing.T) {
		t.Parallel()
		r := MustPushRepo(t)
		MustCommit(t, r.Work, "base", map[string]string{"a": "1", "d/x": "x"})
		r.MustPush(t, "main")
		MustGit(t, r.Work, "checkout", "--quiet", "-b", "side")
		s1 := MustCommit(t, r.Work, "s1", map[string]string{"s": "1"})
		s2 := MustCommit(t, r.Work, "s2", map[string]string{"d/x": "x2"})
		r.MustPush(t, "side")
		MustGit(t, r.Work, "checkout", "--quiet", "main")
		m1 := MustCommit(t, r.Work, "m1", map[string]string{"a": "2"})
		MustGitAt(t, r.Work, NextDate(), "merge", "--quiet", "--no-ff", "-m", "Merge side", "side")
		merge := MustGit(t, r.Work, "rev-parse", "HEAD")
		ups := r.MustPush(t, "main")
		ch := r.MustRead(t, ups, 0)
		MustMatchGit(t, r.GitDir, ch, ups[0].Before+".."+ups[0].After)
		want := map[string]bool{s1: false, s2: false, m1: true, merge: true}
		for _, c := range ch.Commits {
			if d, ok := want[c.ID]; !ok || d != c.Distinct {
				t.Errorf("commit %s: distinct=%v, want %v (listed: %v)", c.ID, c.Distinct, d, ok)
			}
		}
		if len(ch.Commits) != len(want) {
			t.Errorf("commits=%v, want %d", ids(ch.Commits), len(want))
		}
	})
	t.Run("objects pushed after the repository was opened are found", func(t *testing.T) {
		t.Parallel()
		r := MustPushRepo(t)
		MustCommit(t, r.Work, "loose", map[string]string{"a": "1"})
		r.MustRead(t, r.MustPush(t, "main"), 0)
		MustGit(t, r.GitDir, "config", "receive.unpackLimit", "1")
		MustCommit(t, r.Work, "packed", map[string]string{"a": "2", "b/c": "3"})
		ups := r.MustPush(t, "main")
		if packs, _ := filepath.Glob(filepath.Join(r.GitDir, "objects", "pack", "*.pack")); len(packs) == 0 {
			t.Fatal("push made no pack, want one")
		}
		MustMatchGit(t, r.GitDir, r.MustRead(t, ups, 0), ups[0].Before+".."+ups[0].After)
		MustGit(t, r.GitDir, "gc", "--quiet", "--prune=now")
		MustCommit(t, r.Work, "after gc", map[string]string{"a": "3"})
		ups = r.MustPush(t, "main")
		MustMatchGit(t, r.GitDir, r.MustRead(t, ups, 0), ups[0].Before+".."+ups[0].After)
	})
}

func TestReadRefChange_Errors(t *testing.T) {
	t.Parallel()
	r := MustPushRepo(t)
	MustCommit(t, r.Work, "one", map[string]string{"a": "1"})
	ups := r.MustPush(t, "main")
	t.Run("unknown repository is a plain error", func(t *testing.T) {
		_, err := r.Reader.ReadRefChange(context.Background(), r.GitDir+"-missing", []hooks.RefUpdate{ups[0]}, 0)
		if err == nil || hooks.ErrorCode(err) != hooks.EINTERNAL {
			t.Errorf("err=%v (code %q), want an internal error", err, hooks.ErrorCode(err))
		}
	})
	t.Run("missing object is a plain error", func(t *testing.T) {
		u := ups[0]
		u.After = "1234567890123456789012345678901234567890"
		_, err := r.Reader.ReadRefChange(context.Background(), r.GitDir, []hooks.RefUpdate{u}, 0)
		if err == nil || hooks.ErrorCode(err) != hooks.EINTERNAL {
			t.Errorf("err=%v (code %q), want an internal error", err, hooks.ErrorCode(err))
		}
	})
	t.Run("cancelled context ends the read", func(t *testing.T) {
		ctx, cancel := context.WithCancel(context.Background())
		cancel()
		_, err := r.Reader.ReadRefChange(ctx, r.GitDir, []hooks.RefUpdate{ups[0]}, 0)
		if !errors.Is(err, context.Canceled) {
			t.Errorf("err=%v, want context.Canceled", err)
		}
	})
	t.Run("closed reader fails", func(t *testing.T) {
		rd := git.NewReader()
		if err := rd.Close(); err != nil {
			t.Fatal(err)
		}
		if _, err := rd.ReadRefChange(context.Background(), r.GitDir, []hooks.RefUpdate{ups[0]}, 0); err == nil {
			t.Error("err=nil, want an error after Close")
		}
	})
}
