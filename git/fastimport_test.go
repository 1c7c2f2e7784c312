package git_test

import (
	"testing"

	"github.com/forgehook/forgehook/internal/gitgen"
)

// History describes a generated history; see gitgen.History.
type History = gitgen.History

// MustFastImport generates h into the bare repository gitDir on
// refs/heads/main with git fast-import, then repacks it like git gc.
func MustFastImport(tb testing.TB, gitDir string, h History) {
	tb.Helper()
	MustGitInput(tb, gitDir, gitgen.FastImport(h), "fast-import", "--quiet", "--force")
	MustGit(tb, gitDir, "repack", "-a", "-d", "-f", "-q", "--depth=50", "--window=10")
	MustGit(tb, gitDir, "pack-refs", "--all")
}
