package git_test

import (
	"context"
	"os"
	"path/filepath"
	"testing"

	"github.com/forgehook/forgehook/git"
	"github.com/forgehook/forgehook/hooks"
)

func TestRepos_FindRepo(t *testing.T) {
	t.Parallel()
	root := t.TempDir()
	gitDir := MustInitBareRepo(t, root, "Octo-Org", "Hello.World")
	other := MustInitBareRepo(t, root, "octo-org", "hello.world") // another spelling: another repository
	MustWriteFile(t, filepath.Join(gitDir, "description"), "Says hello.\n")
	MustGit(t, gitDir, "symbolic-ref", "HEAD", "refs/heads/trunk")
	plain := MustInitBareRepo(t, root, "Alice", "plain")
	if err := os.MkdirAll(filepath.Join(root, "Alice", "notbare.git", "objects"), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.Symlink(gitDir, filepath.Join(root, "Alice", "linked.git")); err != nil {
		t.Fatal(err)
	}
	repos := &git.Repos{Root: root}
	gitDir, plain, other = mustEval(t, gitDir), mustEval(t, plain), mustEval(t, other)

	for _, tc := range []struct {
		name, owner, repo   string
		want                string // git dir, "" for ENOTFOUND
		wantOwner, wantName string
	}{
		{"exact spelling", "Octo-Org", "Hello.World", gitDir, "Octo-Org", "Hello.World"},
		{"other spelling, exact", "octo-org", "hello.world", other, "octo-org", "hello.world"},
		{"another case of two repositories", "OCTO-ORG", "HELLO.WORLD", "", "", ""},
		{"other case of the repo only", "Alice", "PLAIN", plain, "Alice", "plain"},
		{"other case of the owner only", "alice", "plain", plain, "Alice", "plain"},
		{"unknown repo", "Alice", "nope", "", "", ""},
		{"not bare", "Alice", "notbare", "", "", ""},
		{"symlinked repo", "Alice", "linked", "", "", ""},
		{"dot-dot owner", "..", "plain", "", "", ""},
		{"path in owner", "Alice/../Alice", "plain", "", "", ""},
		{"path in name", "Alice", "../Alice/plain", "", "", ""},
		{"name with .git", "Alice", "plain.git", "", "", ""},
		{"empty name", "Alice", "", "", "", ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			g, err := repos.FindRepo(context.Background(), tc.owner, tc.repo)
			if tc.want == "" {
				if hooks.ErrorCode(err) != hooks.ENOTFOUND {
					t.Fatalf("FindRepo(%q, %q) = %+v, %v; want ENOTFOUND", tc.owner, tc.repo, g, err)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if g.GitDir != tc.want || g.Owner != tc.wantOwner || g.Name != tc.wantName {
				t.Errorf("got %s %s/%s, want %s %s/%s", g.GitDir, g.Owner, g.Name, tc.want, tc.wantOwner, tc.wantName)
			}
		})
	}
	t.Run("describes the repository", func(t *testing.T) {
		g, err := repos.FindRepo(context.Background(), "Octo-Org", "Hello.World")
		if err != nil {
			t.Fatal(err)
		}
		if g.Description != "Says hello." || g.DefaultBranch != "trunk" || g.CreatedAt.IsZero() {
			t.Errorf("got %+v, want description, default branch trunk and a creation time", g)
		}
		p, err := repos.FindRepo(context.Background(), "Alice", "plain")
		if err != nil {
			t.Fatal(err)
		}
		if p.Description != "" || p.DefaultBranch != "main" {
			t.Errorf("got description %q, branch %q; want git's default description hidden and main", p.Description, p.DefaultBranch)
		}
	})
}

func TestRepos_RepoAt(t *testing.T) {
	t.Parallel()
	base := t.TempDir()
	root := filepath.Join(base, "real")
	gitDir := MustInitBareRepo(t, root, "octo", "repo")
	MustInitBareRepo(t, filepath.Join(root, "octo"), "nested", "deep") // root/octo/nested/deep.git
	link := filepath.Join(base, "link")
	if err := os.Symlink(root, link); err != nil {
		t.Fatal(err)
	}
	outside := MustInitBareRepo(t, base, "elsewhere", "repo")
	want := mustEval(t, gitDir)

	for _, tc := range []struct {
		name, root, gitDir string
		ok                 bool
	}{
		{"exact path", root, gitDir, true},
		{"through a symlinked root", link, gitDir, true},
		{"path through the symlink", root, filepath.Join(link, "octo", "repo.git"), true},
		{"unclean path", root, filepath.Join(root, "octo", "..", "octo", "repo.git") + "/", true},
		{"relative path", root, mustRel(t, gitDir), true},
		{"outside the root", root, outside, false},
		{"the owner dir", root, filepath.Join(root, "octo"), false},
		{"the root", root, root, false},
		{"missing", root, filepath.Join(root, "octo", "nope.git"), false},
		{"objects dir", root, filepath.Join(gitDir, "objects"), false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			g, err := (&git.Repos{Root: tc.root}).RepoAt(context.Background(), tc.gitDir)
			if !tc.ok {
				if hooks.ErrorCode(err) != hooks.ENOTFOUND {
					t.Fatalf("RepoAt(%q) = %+v, %v; want ENOTFOUND", tc.gitDir, g, err)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if g.GitDir != want || g.Owner != "octo" || g.Name != "repo" {
				t.Errorf("got %s %s/%s, want %s octo/repo", g.GitDir, g.Owner, g.Name, want)
			}
		})
	}
}

// mustRel returns path relative to the working directory.
func mustRel(tb testing.TB, path string) string {
	tb.Helper()
	wd, err := os.Getwd()
	if err != nil {
		tb.Fatal(err)
	}
	rel, err := filepath.Rel(wd, path)
	if err != nil {
		tb.Fatal(err)
	}
	return rel
}

// mustEval returns path with symbolic links resolved.
func mustEval(tb testing.TB, path string) string {
	tb.Helper()
	p, err := filepath.EvalSymlinks(path)
	if err != nil {
		tb.Fatal(err)
	}
	return p
}
