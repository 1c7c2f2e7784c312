package git_test

import (
	"bufio"
	"bytes"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/forgehook/forgehook/git"
)

// gitObject is an object as git cat-file --batch shows it.
type gitObject struct {
	id, typ string
	data    []byte
}

// GitObjects returns every object of the repository at gitDir, read by git.
func GitObjects(tb testing.TB, gitDir string) []gitObject {
	tb.Helper()
	out := MustGitRaw(tb, gitDir, "1700000000 +0000", nil, "cat-file", "--batch-all-objects", "--batch", "--unordered")
	r := bufio.NewReader(bytes.NewReader(out))
	var objs []gitObject
	for {
		var o gitObject
		var size int
		if _, err := fmt.Fscanf(r, "%s %s %d\n", &o.id, &o.typ, &size); err == io.EOF {
			return objs
		} else if err != nil {
			tb.Fatal(err)
		}
		o.data = make([]byte, size+1)
		if _, err := io.ReadFull(r, o.data); err != nil {
			tb.Fatal(err)
		}
		o.data = o.data[:size]
		objs = append(objs, o)
	}
}

func TestObjectStore(t *testing.T) {
	t.Parallel()
	gitDir := MustInitBareRepo(t, t.TempDir(), "o", "r")
	MustFastImport(t, gitDir, History{Commits: 150, Dirs: 6, FilesPerDir: 4, MergeEvery: 40})
	MustGitAt(t, gitDir, NextDate(), "tag", "-a", "v1", "-m", "tag", "main")
	mustReadAll := func(t *testing.T) {
		t.Helper()
		objs := GitObjects(t, gitDir)
		if len(objs) < 500 {
			t.Fatalf("%d objects, want a few hundred", len(objs))
		}
		for _, o := range objs {
			typ, data, err := git.ReadObject(gitDir, o.id)
			if err != nil {
				t.Fatalf("read %s: %v", o.id, err)
			}
			if typ != o.typ || !bytes.Equal(data, o.data) {
				t.Fatalf("read %s: got %s of %d bytes, want %s of %d bytes", o.id, typ, len(data), o.typ, len(o.data))
			}
		}
	}
	t.Run("offset deltas", func(t *testing.T) {
		MustGit(t, gitDir, "repack", "-a", "-d", "-f", "-q")
		mustReadAll(t)
	})
	t.Run("reference deltas", func(t *testing.T) {
		MustGit(t, gitDir, "-c", "repack.useDeltaBaseOffset=false", "repack", "-a", "-d", "-f", "-q")
		mustReadAll(t)
	})
	t.Run("loose objects", func(t *testing.T) {
		packs, _ := filepath.Glob(filepath.Join(gitDir, "objects", "pack", "pack-*.pack"))
		if len(packs) != 1 {
			t.Fatalf("packs=%v, want one", packs)
		}
		pack, err := os.ReadFile(packs[0])
		if err != nil {
			t.Fatal(err)
		}
		for _, p := range []string{packs[0], strings.TrimSuffix(packs[0], ".pack") + ".idx"} {
			if err := os.Remove(p); err != nil {
				t.Fatal(err)
			}
		}
		MustGitInput(t, gitDir, pack, "unpack-objects", "-q")
		mustReadAll(t)
	})
	t.Run("missing object is an error", func(t *testing.T) {
		if _, _, err := git.ReadObject(gitDir, strings.Repeat("ab", 20)); err == nil {
			t.Error("err=nil, want an error")
		}
	})
}
