package git

import (
	"bytes"
	"fmt"
	"slices"

	"github.com/go-git/go-git/v5/plumbing"
)

// maxTagDepth bounds chains of tags pointing at tags.
const maxTagDepth = 32

// peel follows annotated tags from h to the object they point at. It returns
// that object's id and whether it is a commit.
func peel(store *objectStore, h plumbing.Hash) (plumbing.Hash, bool, error) {
	for range maxTagDepth {
		obj, err := store.read(h)
		if err != nil {
			return h, false, err
		}
		if obj.typ != plumbing.TagObject {
			return h, obj.typ == plumbing.CommitObject, nil
		}
		target, ok := tagTarget(obj.data)
		if !ok {
			return h, false, fmt.Errorf("%w: tag %s: bad object line", errCorrupt, h)
		}
		h = target
	}
	return h, false, fmt.Errorf("%w: tag %s: chain too long", errCorrupt, h)
}

// tagTarget returns the object an encoded tag points at.
func tagTarget(data []byte) (plumbing.Hash, bool) {
	var h plumbing.Hash
	line, _, _ := bytes.Cut(data, []byte{'\n'})
	hex, ok := bytes.CutPrefix(line, []byte("object "))
	return h, ok && parseHash(&h, hex)
}

// baseRef returns, of the branches names that point at a commit, the
// default branch if it is one, else the first by name; "" if there is none.
func baseRef(names []string, defaultBranch string) string {
	if len(names) == 0 {
		return ""
	}
	if slices.Contains(names, "refs/heads/"+defaultBranch) {
		return "refs/heads/" + defaultBranch
	}
	return slices.Min(names)
}
