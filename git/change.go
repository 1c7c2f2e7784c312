package git

import (
	"context"
	"errors"
	"fmt"
	"path/filepath"
	"sort"

	"github.com/go-git/go-git/v5/plumbing"

	"github.com/forgehook/forgehook/hooks"
)

// ReadRefChange returns what push[i] did in the bare repository at gitDir;
// push is every update of one push, in order. It runs after git has updated
// the refs.
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
// BaseRef is the branch that points at Head, if any.
//
// Errors (an unknown repository, missing objects, ctx ending) are plain
// wrapped errors: the caller may retry. A repository whose object format is
// not SHA-1 gives an hooks.EUNSUPPORTED error, which retrying cannot fix.
func (r *Reader) ReadRefChange(ctx context.Context, gitDir string, push []hooks.RefUpdate, i int) (*hooks.RefChange, error) {
	if i < 0 || i >= len(push) {
		return nil, fmt.Errorf("read update %d of %d: out of range", i, len(push))
	}
	return r.read(ctx, gitDir, refChange{u: push[i], earlier: push[:i], later: push[i+1:]})
}

func (r *Reader) read(ctx context.Context, gitDir string, rc refChange) (*hooks.RefChange, error) {
	repo, release, err := r.acquire(gitDir)
	if err != nil {
		return nil, err
	}
	defer release()
	if rc.u.Deleted() {
		return &hooks.RefChange{}, nil
	}
	rc.ctx, rc.repo = ctx, repo
	ch, err := rc.read()
	if err != nil {
		return nil, fmt.Errorf("read %s in %s: %w", rc.u.Ref, repo.gitDir, err)
	}
	return ch, nil
}

// refChange reads one ref update.
type refChange struct {
	ctx     context.Context
	repo    *openRepo
	u       hooks.RefUpdate
	earlier []hooks.RefUpdate // updates of the push before u
	later   []hooks.RefUpdate // updates of the push after u, when known

	beforeGone bool // u.Before is no longer in the repository
}

func (rc *refChange) read() (*hooks.RefChange, error) {
	store := rc.repo.objects
	after, err := hashOf(rc.u.After)
	if err != nil {
		return nil, err
	}
	head, isCommit, err := peel(store, after)
	if err != nil {
		return nil, err
	}
	if !isCommit {
		return &hooks.RefChange{}, nil
	}
	refs, err := readBranchesAndTags(rc.repo.gitDir)
	if err != nil {
		return nil, err
	}
	w := newWalk(rc.ctx, store)
	before, err := rc.addTips(w, refs, head)
	if err != nil {
		return nil, err
	}
	brought, err := w.run()
	if err != nil {
		return nil, err
	}
	commits, err := pushCommits(rc.ctx, store, topoSort(brought))
	if err != nil {
		return nil, err
	}
	ch := &hooks.RefChange{Commits: commits, TotalCommits: len(brought)}
	if n := len(commits); n > 0 && commits[n-1].ID == head.String() {
		ch.Head = &commits[n-1]
	} else if ch.Head, err = headCommit(store, w, head); err != nil {
		return nil, err
	}
	ch.Forced = before != nil && before.flags&flagNew == 0 || rc.beforeGone
	if rc.u.Created() && rc.u.RefType() == "tag" {
		repoInfo, err := readSmallFile(filepath.Join(rc.repo.gitDir, "HEAD"))
		if err != nil {
			return nil, fmt.Errorf("read HEAD: %w", err)
		}
		ch.BaseRef = baseRef(refs, headBranch(repoInfo), head)
	}
	return ch, nil
}

// addTips queues the pushed commit head and the commits that decide what the
// update brings and what is distinct. It returns the commit Before points to
// for an update of a ref that pointed at a commit.
//
// Old values (Before) that are gone, as after git gc, are left out: they no
// longer decide anything that git itself could compute.
func (rc *refChange) addTips(w *walk, refs map[string]plumbing.Hash, head plumbing.Hash) (*commitNode, error) {
	if _, err := w.tip(head, flagNew); err != nil {
		return nil, err
	}
	var before *commitNode
	if !rc.u.Created() {
		c, gone, err := rc.peelOld(rc.u.Before)
		if err != nil {
			return nil, fmt.Errorf("before: %w", err)
		}
		// A commit that is gone is no ancestor of head: those all exist.
		rc.beforeGone = gone
		if !c.IsZero() {
			if before, err = w.tip(c, flagOld); err != nil {
				return nil, err
			}
		}
	}
	// Without a commit to compare with, the update brings what no
	// pre-existing ref reaches, as for a created ref.
	existing := flagKnown
	if before == nil {
		existing |= flagOld
	}
	type tip struct {
		id    string
		flags uint8
	}
	skip := map[string]bool{rc.u.Ref: true}
	var tips []tip
	for _, o := range rc.earlier {
		skip[o.Ref] = true
		tips = append(tips, tip{o.Before, existing}, tip{o.After, flagKnown})
	}
	for _, o := range rc.later {
		skip[o.Ref] = true
		tips = append(tips, tip{o.Before, existing})
	}
	for _, t := range tips {
		c, _, err := rc.peelOld(t.id)
		if err != nil {
			return nil, err
		}
		if !c.IsZero() {
			if _, err := w.tip(c, t.flags); err != nil {
				return nil, err
			}
		}
	}
	names := make([]string, 0, len(refs))
	for name := range refs {
		if !skip[name] {
			names = append(names, name)
		}
	}
	sort.Strings(names) // a stable visiting order among equal dates
	for _, name := range names {
		c, isCommit, err := peel(rc.repo.objects, refs[name])
		if err != nil {
			return nil, fmt.Errorf("%s: %w", name, err)
		}
		if isCommit {
			if _, err := w.tip(c, existing); err != nil {
				return nil, err
			}
		}
	}
	return before, nil
}

// peelOld returns the commit that the old value id points to, or the zero
// hash if id is the zero id, not a commit, or gone.
func (rc *refChange) peelOld(id string) (c plumbing.Hash, gone bool, err error) {
	if id == hooks.ZeroSHA {
		return plumbing.ZeroHash, false, nil
	}
	h, err := hashOf(id)
	if err != nil {
		return h, false, err
	}
	c, isCommit, err := peel(rc.repo.objects, h)
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
