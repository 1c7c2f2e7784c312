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

func TestObjectFormat_ReadsTheRepositoryConfigLikeGit(t *testing.T) {
	t.Parallel()
	root := t.TempDir()
	sha1 := MustInitBareRepo(t, root, "octo", "sha1")
	sha256 := filepath.Join(root, "octo", "sha256.git")
	MustGit(t, root, "init", "--bare", "--quiet", "--object-format=sha256", sha256)
	noConfig := MustInitBareRepo(t, root, "octo", "noconfig")
	if err := os.Remove(filepath.Join(noConfig, "config")); err != nil {
		t.Fatal(err)
	}
	for _, tt := range []struct{ gitDir, want string }{{sha1, "sha1"}, {sha256, "sha256"}, {noConfig, "sha1"}} {
		got, err := git.ObjectFormat(tt.gitDir)
		if err != nil || got != tt.want {
			t.Errorf("ObjectFormat(%s) = %q, %v; want %q", filepath.Base(tt.gitDir), got, err, tt.want)
		}
		if tt.gitDir == noConfig {
			continue
		}
		if byGit := MustGit(t, tt.gitDir, "rev-parse", "--show-object-format"); byGit != tt.want {
			t.Errorf("git rev-parse --show-object-format in %s = %q, want %q", filepath.Base(tt.gitDir), byGit, tt.want)
		}
	}
}

func TestReadRefChange_SHA256IsUnsupportedNotRetryable(t *testing.T) {
	t.Parallel()
	root := t.TempDir()
	gitDir := filepath.Join(root, "octo", "sha256.git")
	MustGit(t, root, "init", "--bare", "--quiet", "--object-format=sha256", gitDir)
	tree := MustGitInput(t, gitDir, []byte{}, "hash-object", "-w", "-t", "tree", "--stdin")
	id := MustGitInput(t, gitDir, []byte("tree "+tree+"\nauthor A <a@example.com> 1600000000 +0000\ncommitter A <a@example.com> 1600000000 +0000\n\nm\n"),
		"hash-object", "-w", "-t", "commit", "--stdin")
	MustGit(t, gitDir, "update-ref", "refs/heads/main", id)

	ups := []hooks.RefUpdate{{Before: strings.Repeat("0", 64), After: id, Ref: "refs/heads/main"}}
	_, err := MustReader(t).ReadRefChange(context.Background(), gitDir, ups, 0)
	if code := hooks.ErrorCode(err); code != hooks.EUNSUPPORTED {
		t.Fatalf("ReadRefChange: code %q (%v), want %q", code, err, hooks.EUNSUPPORTED)
	}
	if !strings.Contains(err.Error(), "unsupported object format sha256") {
		t.Errorf("err = %q, want it to name the sha256 object format", err)
	}
}
