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

// mustBareAt creates a bare repository at root/rel and returns its path.
func mustBareAt(tb testing.TB, root, rel string) string {
	tb.Helper()
	dir := filepath.Join(root, filepath.FromSlash(rel))
	MustInitBareRepo(tb, filepath.Dir(dir), "", filepath.Base(strings.TrimSuffix(dir, ".git")))
	return dir
}

func TestNameFor(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		rel, owner, name string
		ok               bool
	}{
		{"acme/widgets.git", "acme", "widgets", true},
		{"acme/widgets", "acme", "widgets", true},
		{"testing.git", "git", "testing", true},
		{"team/sub/proj.git", "team", "sub.proj", true},
		{"team/a/b/c.git", "team", "a.b.c", true},
		{"has space/x.git", "", "", false},
		{"acme/.hidden.git", "", "", false},
	} {
		owner, name, ok := git.NameFor(tc.rel, "")
		if owner != tc.owner || name != tc.name || ok != tc.ok {
			t.Errorf("NameFor(%q) = %q, %q, %v; want %q, %q, %v", tc.rel, owner, name, ok, tc.owner, tc.name, tc.ok)
		}
	}
	if owner, name, _ := git.NameFor("testing.git", "srv"); owner != "srv" || name != "testing" {
		t.Errorf("NameFor with a default owner = %s/%s, want srv/testing", owner, name)
	}
}

func TestScan_NamesEveryLayout(t *testing.T) {
	t.Parallel()
	root := mustEval(t, t.TempDir())
	for _, rel := range []string{"acme/widgets.git", "Acme/Widgets.git", "testing.git", "gitolite-admin.git",
		"team/sub/proj.git", "team/sub.proj.git", "git/testing.git", "bad name/x.git", "acme/.hidden/x.git"} {
		mustBareAt(t, root, rel)
	}
	if err := os.Symlink(filepath.Join(root, "acme", "widgets.git"), filepath.Join(root, "acme", "link.git")); err != nil {
		t.Fatal(err)
	}
	got := map[string]string{}
	for _, f := range git.Scan(root, "") {
		switch {
		case f.Skip:
			got[f.Rel] = "skip"
		case f.Problem != "":
			got[f.Rel] = "problem"
		default:
			got[f.Rel] = f.FullName()
		}
	}
	want := map[string]string{
		"acme/widgets.git":   "acme/widgets",
		"Acme/Widgets.git":   "Acme/Widgets", // case-distinct: its own repository
		"git/testing.git":    "git/testing",  // the plain layout keeps the name
		"testing.git":        "problem",      // flat, same name
		"gitolite-admin.git": "skip",
		"team/sub.proj.git":  "team/sub.proj",
		"team/sub/proj.git":  "problem", // nested, same name
		"bad name/x.git":     "problem",
	}
	if len(got) != len(want) {
		t.Errorf("found %v, want %v (no symbolic links, nothing hidden)", got, want)
	}
	for rel, w := range want {
		if got[rel] != w {
			t.Errorf("%s: got %q, want %q", rel, got[rel], w)
		}
	}
}

func TestRepos_FlatAndNested(t *testing.T) {
	t.Parallel()
	root := mustEval(t, t.TempDir())
	flat := mustBareAt(t, root, "testing.git")
	repos := &git.Repos{Root: root}
	ctx := context.Background()
	if g, err := repos.FindRepo(ctx, "git", "testing"); err != nil || g.GitDir != flat {
		t.Fatalf("FindRepo(git, testing) = %+v, %v; want %s", g, err, flat)
	}
	// Created after the first scan: found at once, by name and by path.
	nested := mustBareAt(t, root, "team/sub/proj.git")
	if g, err := repos.FindRepo(ctx, "team", "sub.proj"); err != nil || g.GitDir != nested {
		t.Fatalf("FindRepo(team, sub.proj) = %+v, %v; want %s", g, err, nested)
	}
	later := mustBareAt(t, root, "team/later.git")
	if g, err := repos.RepoAt(ctx, later); err != nil || g.Owner != "team" || g.Name != "later" {
		t.Fatalf("RepoAt(later) = %+v, %v; want team/later", g, err)
	}
	if o, err := repos.FindOwner(ctx, "TEAM"); err != nil || o != "team" {
		t.Errorf("FindOwner(TEAM) = %q, %v; want team", o, err)
	}
	admin := mustBareAt(t, root, "gitolite-admin.git")
	if _, err := repos.RepoAt(ctx, admin); hooks.ErrorCode(err) != hooks.ENOTFOUND || !strings.Contains(err.Error(), "gitolite") {
		t.Errorf("RepoAt(gitolite-admin) = %v; want ENOTFOUND naming gitolite", err)
	}
	clash := mustBareAt(t, root, "team/sub.proj.git") // takes the name from the nested one
	repos = &git.Repos{Root: root}                    // a scan no older than maxAge
	if g, err := repos.FindRepo(ctx, "team", "sub.proj"); err != nil || g.GitDir != clash {
		t.Fatalf("FindRepo(team, sub.proj) = %+v, %v; want %s", g, err, clash)
	}
	if _, err := repos.RepoAt(ctx, nested); err == nil || !strings.Contains(err.Error(), "rename") {
		t.Errorf("RepoAt(nested) = %v; want the collision explained", err)
	}
}
