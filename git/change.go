package git

import (
	"context"
	"errors"
	"fmt"

	"github.com/go-git/go-git/v5/plumbing"

	"github.com/forgehook/forgehook/hooks"
)

// ReadRefChange returns what push[i] did in the bare repository at gitDir;
// push is every update of one push, in order. It runs after git has updated
// the refs, and takes the refs of before the push to be those of now with
// the updates of push undone.
//
// A deleted ref has no commits and no head. Otherwise Head is the commit the
// update's After points to, through annotated tags (nil for a tag of a tree
// or a blob); it is distinct only if it is one of Commits and distinct there.
// For an update, Commits are those of git rev-list Before..After, and Forced
// reports that Before is not an ancestor of After. For a created ref, Commits
// are the commits reachable from After that no ref reached before the push:
// the current branches and tags other than those of push, and the non-zero
// Before of each update of push. So when a push creates two refs on the same
// new commit, both list it. A commit is distinct unless one of those refs or
// the After of an earlier update of push reaches it. Commits are ordered like
// git rev-list --reverse --topo-order and keep only the newest
// hooks.MaxPushCommits; TotalCommits counts them all. For a created tag,
// BaseRef is the branch that points at Head after the push, if any.
//
// Errors (an unknown repository, missing objects, ctx ending) are plain
// wrapped errors: the caller may retry. A repository whose object format is
// not SHA-1 gives an hooks.EUNSUPPORTED error, which retrying cannot fix.
// ReadPush reads many updates at once.
func (r *Reader) ReadRefChange(ctx context.Context, gitDir string, push []hooks.RefUpdate, i int) (*hooks.RefChange, error) {
	if i < 0 || i >= len(push) {
		return nil, fmt.Errorf("read update %d of %d: out of range", i, len(push))
	}
	now, err := r.ReadRefs(ctx, gitDir)
	if err != nil {
		return nil, err
	}
	reads, err := r.ReadPush(ctx, gitDir, hooks.UndoPush(now, push), push, i, i+1)
	if err != nil {
		return nil, err
	}
	return reads[0].Change, reads[0].Err
}

// peelOld returns the commit that the old value id points to, or the zero
// hash if id is the zero id, not a commit, or gone.
func peelOld(store *objectStore, id string) (c plumbing.Hash, gone bool, err error) {
	if id == hooks.ZeroSHA {
		return plumbing.ZeroHash, false, nil
	}
	h, err := hashOf(id)
	if err != nil {
		return h, false, err
	}
	c, isCommit, err := peel(store, h)
	switch {
	case errors.Is(err, plumbing.ErrObjectNotFound):
		return plumbing.ZeroHash, true, nil
	case err != nil:
		return plumbing.ZeroHash, false, err
	case !isCommit:
		return plumbing.ZeroHash, false, nil
	}
	return c, false, nil
}

// hashOf decodes a full SHA-1 object id.
func hashOf(id string) (plumbing.Hash, error) {
	var h plumbing.Hash
	if !parseHash(&h, []byte(id)) {
		return h, fmt.Errorf("object id %q: not a SHA-1 id", id)
	}
	return h, nil
}
