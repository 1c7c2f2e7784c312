package git_test

import (
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/forgehook/forgehook/hooks"
)

func TestReadRefChange_Paths(t *testing.T) {
	t.Parallel()
	r := MustPushRepo(t)
	MustCommit(t, r.Work, "base", map[string]string{
		"a-b": "1", "a.b": "1", "a0": "1", "a/b": "1", "a/c/d": "1", "gone/x": "1", "gone/y/z": "1",
		"kind": "file", "old name": "same content\n", "run.sh": "echo\n", "link": "target", "ünï.txt": "u",
	})
	ups := r.MustPush(t, "main")
	MustMatchGit(t, r.GitDir, r.MustRead(t, ups, 0), ups[0].After)

	w := r.Work
	MustGit(t, w, "mv", "old name", "new name")
	MustGit(t, w, "rm", "--quiet", "-r", "gone")
	MustGit(t, w, "rm", "--quiet", "kind", "link")
	for name, content := range map[string]string{"kind/inside": "dir now", "a/c/d": "2", "a-b": "2"} {
		MustWriteFile(t, filepath.Join(w, name), content)
	}
	if err := os.Symlink("a/b", filepath.Join(w, "link")); err != nil {
		t.Fatal(err)
	}
	if err := os.Chmod(filepath.Join(w, "run.sh"), 0o755); err != nil {
		t.Fatal(err)
	}
	MustGit(t, w, "add", "--all")
	sub := MustGit(t, w, "rev-parse", "HEAD")
	MustGit(t, w, "update-index", "--add", "--cacheinfo", "160000,"+sub+",vendor/lib")
	MustGitAt(t, w, NextDate(), "commit", "--quiet", "-m", "many kinds of change")
	c := MustGit(t, w, "rev-parse", "HEAD")
	ups = r.MustPush(t, "main")
	ch := r.MustRead(t, ups, 0)
	MustMatchGit(t, r.GitDir, ch, ups[0].Before+".."+ups[0].After)
	got := ch.Commits[0]
	want := hooks.Commit{
		ID:       c,
		Added:    []string{"kind/inside", "new name", "vendor/lib"},
		Removed:  []string{"gone/x", "gone/y/z", "kind", "old name"},
		Modified: []string{"a-b", "a/c/d", "link", "run.sh"},
	}
	if got.ID != want.ID || !slices.Equal(got.Added, want.Added) || !slices.Equal(got.Removed, want.Removed) || !slices.Equal(got.Modified, want.Modified) {
		t.Errorf("got added=%q removed=%q modified=%q\nwant added=%q removed=%q modified=%q",
			got.Added, got.Removed, got.Modified, want.Added, want.Removed, want.Modified)
	}
	t.Run("merge commit diffs against its first parent", func(t *testing.T) {
		MustGit(t, w, "checkout", "--quiet", "-b", "side", "HEAD~1")
		MustCommit(t, w, "side change", map[string]string{"side": "1", "a0": "2"})
		MustGit(t, w, "checkout", "--quiet", "main")
		MustGitAt(t, w, NextDate(), "merge", "--quiet", "--no-ff", "-m", "merge", "side")
		ups := r.MustPush(t, "main")
		ch := r.MustRead(t, ups, 0)
		MustMatchGit(t, r.GitDir, ch, ups[0].Before+".."+ups[0].After)
		m := ch.Commits[len(ch.Commits)-1]
		if !slices.Equal(m.Added, []string{"side"}) || !slices.Equal(m.Modified, []string{"a0"}) || len(m.Removed) != 0 {
			t.Errorf("merge: added=%q modified=%q removed=%q, want [side] [a0] []", m.Added, m.Modified, m.Removed)
		}
	})
}

func TestReadRefChange_GeneratedHistory(t *testing.T) {
	t.Parallel()
	gitDir := MustInitBareRepo(t, t.TempDir(), "gen", "repo")
	MustFastImport(t, gitDir, History{Commits: 2300, Dirs: 40, FilesPerDir: 5, MergeEvery: 97})
	main := MustGit(t, gitDir, "rev-parse", "main")
	rd := MustReader(t)
	t.Run("created ref keeps the newest commits", func(t *testing.T) {
		u := hooks.RefUpdate{Before: hooks.ZeroSHA, After: main, Ref: "refs/heads/main"}
		others := []hooks.RefUpdate{{Before: hooks.ZeroSHA, After: MustGit(t, gitDir, "rev-parse", "side"), Ref: "refs/heads/side"}}
		ch, err := rd.ReadRefChange(t.Context(), gitDir, append(others, u), len(others))
		if err != nil {
			t.Fatal(err)
		}
		MustMatchGit(t, gitDir, ch, main)
		if ch.TotalCommits <= hooks.MaxPushCommits || ch.Head.ID != main || ch.Commits[len(ch.Commits)-1].ID != main {
			t.Errorf("TotalCommits=%d head=%s, want more than %d and head %s last", ch.TotalCommits, ch.Head.ID, hooks.MaxPushCommits, main)
		}
		inSide := map[string]bool{}
		for _, id := range strings.Fields(MustGit(t, gitDir, "rev-list", "side")) {
			inSide[id] = true
		}
		for _, c := range ch.Commits {
			if c.Distinct == inSide[c.ID] {
				t.Fatalf("commit %s: distinct=%v, want %v: side, pushed before, reaches it", c.ID, c.Distinct, !inSide[c.ID])
			}
		}
	})
	t.Run("update with merges matches git", func(t *testing.T) {
		before := MustGit(t, gitDir, "rev-parse", "main~700")
		u := hooks.RefUpdate{Before: before, After: main, Ref: "refs/heads/main"}
		ch, err := rd.ReadRefChange(t.Context(), gitDir, []hooks.RefUpdate{u}, 0)
		if err != nil {
			t.Fatal(err)
		}
		MustMatchGit(t, gitDir, ch, before+".."+main)
		if ch.Forced {
			t.Error("Forced=true, want false")
		}
	})
	t.Run("update to a line that does not contain before is forced", func(t *testing.T) {
		before := MustGit(t, gitDir, "rev-parse", "side")
		u := hooks.RefUpdate{Before: before, After: MustGit(t, gitDir, "rev-parse", "main~200"), Ref: "refs/heads/side"}
		ch, err := rd.ReadRefChange(t.Context(), gitDir, []hooks.RefUpdate{u}, 0)
		if err != nil {
			t.Fatal(err)
		}
		MustMatchGit(t, gitDir, ch, before+".."+u.After)
		if !ch.Forced {
			t.Error("Forced=false, want true")
		}
	})
}
