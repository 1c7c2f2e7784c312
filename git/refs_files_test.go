package git_test

import (
	"maps"
	"os"
	"path/filepath"
	"testing"

	"github.com/forgehook/forgehook/git"
)

// TestReadBranchesAndTags lists refs by reading files and with go-git, and
// expects the same: packed and loose refs (loose winning), nested names,
// annotated and lightweight tags, a symbolic ref, and refs outside heads and
// tags left out.
func TestReadBranchesAndTags(t *testing.T) {
	gitDir := MustInitBareRepo(t, t.TempDir(), "o", "r")
	work := MustClone(t, gitDir)
	first := MustCommit(t, work, "one", map[string]string{"a": "1"})
	MustGit(t, work, "push", "--quiet", "origin", "HEAD:refs/heads/main", "HEAD:refs/heads/feature/deep/x",
		"HEAD:refs/heads/old", "HEAD:refs/remotes/origin/main", "HEAD:refs/notes/n")
	MustGit(t, work, "tag", "light")
	MustGitAt(t, work, "1700000000 +0000", "tag", "-a", "-m", "annotated", "v1")
	MustGit(t, work, "push", "--quiet", "origin", "light", "v1")
	MustGit(t, gitDir, "pack-refs", "--all")
	second := MustCommit(t, work, "two", map[string]string{"a": "2"})
	MustGit(t, work, "push", "--quiet", "origin", "HEAD:refs/heads/main", "HEAD:refs/heads/new") // main loose and packed
	MustGit(t, gitDir, "symbolic-ref", "refs/heads/alias", "refs/heads/main")

	files, gogit, err := git.BranchesAndTags(gitDir)
	if err != nil {
		t.Fatal(err)
	}
	if !maps.Equal(files, gogit) {
		t.Errorf("read from files:\n%v\nwant, as go-git lists them:\n%v", files, gogit)
	}
	// A ref being written (git's lock file) is not a ref yet; go-git lists it
	// as a zero id, which is why it is left out of the comparison.
	if err := os.WriteFile(filepath.Join(gitDir, "refs", "heads", "new.lock"), []byte("garbage"), 0o644); err != nil {
		t.Fatal(err)
	}
	if files, _, err = git.BranchesAndTags(gitDir); err != nil {
		t.Fatal(err)
	}
	if files["refs/heads/main"] != second || files["refs/heads/old"] != first || files["refs/heads/feature/deep/x"] != first {
		t.Errorf("branches=%v, want main at %s, old and feature/deep/x at %s", files, second, first)
	}
	for _, name := range []string{"refs/tags/light", "refs/tags/v1"} {
		if files[name] == "" {
			t.Errorf("no %s in %v", name, files)
		}
	}
	for _, name := range []string{"refs/heads/alias", "refs/remotes/origin/main", "refs/notes/n", "refs/heads/new.lock"} {
		if _, ok := files[name]; ok {
			t.Errorf("%s listed, want it left out", name)
		}
	}
}
