package git

import (
	"context"
	"fmt"
	"path/filepath"

	"github.com/go-git/go-git/v5/plumbing"

	"github.com/forgehook/forgehook/hooks"
)

// ReadRefChange returns what update u did in the bare repository at gitDir;
// others are the updates of the same push that come before u. It runs after
// git has updated the refs.
//
// A deleted ref has no commits and no head. Otherwise Head is the commit
// u.After points to, through annotated tags (nil for a tag of a tree or a
// blob); it is distinct only if it is one of Commits and distinct there.
// For an update, Commits are those of git rev-list Before..After, and Forced
// reports that Before is not an ancestor of After. For a created ref, Commits
// are the commits reachable from After that no ref reached before the push:
// the current branches and tags, other than u and others, and the Before of
// each of others. A commit is distinct unless one of those refs or the After
// of one of others reaches it. Commits are ordered like git rev-list --reverse
// --topo-order and keep only the newest hooks.MaxPushCommits; TotalCommits
// counts them all. For a created tag, BaseRef is the branch that points at
// Head, if any.
//
// Updates of the push that come after u are not known here, so their new
// values count as pre-existing refs: see ReadUpdate.
//
// Errors (an unknown repository, missing objects, ctx ending) are plain
// wrapped errors: the caller may retry.
func (r *Reader) ReadRefChange(ctx context.Context, gitDir string, u hooks.RefUpdate, others []hooks.RefUpdate) (*hooks.RefChange, error) {
	return r.read(ctx, gitDir, refChange{u: u, earlier: others})
}

// ReadUpdate is ReadRefChange for push[i] that also knows the updates after
// it: like those before it, their refs do not count as pre-existing, only
// their Before values do. So when a push creates two refs with the same new
// commit, both list it, and it is distinct in the first.
func (r *Reader) ReadUpdate(ctx context.Context, gitDir string, push []hooks.RefUpdate, i int) (*hooks.RefChange, error) {
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
	rc.repo.refsMu.Lock()
	refs, err := branchesAndTags(rc.repo.git)
	rc.repo.refsMu.Unlock()
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
	commits, err := rc.commits(store, topoSort(brought))
	if err != nil {
		return nil, err
	}
	ch := &hooks.RefChange{Commits: commits, TotalCommits: len(brought)}
	if n := len(commits); n > 0 && commits[n-1].ID == head.String() {
		ch.Head = &commits[n-1]
	} else if ch.Head, err = rc.headCommit(store, w, head); err != nil {
		return nil, err
	}
	ch.Forced = before != nil && before.flags&flagNew == 0
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
func (rc *refChange) addTips(w *walk, refs map[string]plumbing.Hash, head plumbing.Hash) (*commitNode, error) {
	if _, err := w.tip(head, flagNew); err != nil {
		return nil, err
	}
	var before *commitNode
	if !rc.u.Created() {
		h, err := hashOf(rc.u.Before)
		if err != nil {
			return nil, err
		}
		if c, isCommit, err := peel(rc.repo.objects, h); err != nil {
			return nil, fmt.Errorf("before: %w", err)
		} else if isCommit {
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
	skip := map[string]bool{rc.u.Ref: true}
	var tips []struct {
		id    string
		flags uint8
	}
	add := func(id string, flags uint8) {
		if id != hooks.ZeroSHA {
			tips = append(tips, struct {
				id    string
				flags uint8
			}{id, flags})
		}
	}
	for _, o := range rc.earlier {
		skip[o.Ref] = true
		add(o.Before, existing)
		add(o.After, flagKnown)
	}
	for _, o := range rc.later {
		skip[o.Ref] = true
		add(o.Before, existing)
	}
	for name, h := range refs {
		if !skip[name] {
			add(h.String(), existing)
		}
	}
	for _, t := range tips {
		h, err := hashOf(t.id)
		if err != nil {
			return nil, err
		}
		c, isCommit, err := peel(rc.repo.objects, h)
		if err != nil {
			return nil, err
		}
		if isCommit {
			if _, err := w.tip(c, t.flags); err != nil {
				return nil, err
			}
		}
	}
	return before, nil
}

// commits decodes the newest hooks.MaxPushCommits of sorted, oldest first,
// with the paths each changed against its first parent.
func (rc *refChange) commits(store *objectStore, sorted []*commitNode) ([]hooks.Commit, error) {
	if len(sorted) > hooks.MaxPushCommits {
		sorted = sorted[len(sorted)-hooks.MaxPushCommits:]
	}
	d := newDiffer(store)
	out := make([]hooks.Commit, len(sorted))
	for i, n := range sorted {
		if i%64 == 0 {
			if err := rc.ctx.Err(); err != nil {
				return nil, err
			}
		}
		if err := fillCommit(d, n, &out[i]); err != nil {
			return nil, err
		}
		out[i].Distinct = n.flags&flagKnown == 0
	}
	return out, nil
}

// headCommit decodes the pushed commit when the update does not bring it.
func (rc *refChange) headCommit(store *objectStore, w *walk, head plumbing.Hash) (*hooks.Commit, error) {
	n, err := w.node(head)
	if err != nil {
		return nil, err
	}
	c := new(hooks.Commit)
	if err := fillCommit(newDiffer(store), n, c); err != nil {
		return nil, err
	}
	return c, nil
}

// fillCommit decodes n into c, with the paths it changed against its first
// parent.
func fillCommit(d *differ, n *commitNode, c *hooks.Commit) error {
	*c = n.toCommit()
	var from plumbing.Hash
	if len(n.parents) > 0 {
		p := n.parentN
		if len(p) == 0 {
			obj, err := d.store.read(n.parents[0])
			if err != nil {
				return fmt.Errorf("parent of %s: %w", n.hash, err)
			}
			if obj.typ != plumbing.CommitObject {
				return fmt.Errorf("%w: parent of %s is a %s", errCorrupt, n.hash, obj.typ)
			}
			pn, err := parseCommitNode(n.parents[0], obj.data)
			if err != nil {
				return err
			}
			p = []*commitNode{pn}
		}
		from = p[0].tree
	}
	if err := d.diff(from, n.tree, c); err != nil {
		return fmt.Errorf("diff %s: %w", n.hash, err)
	}
	return nil
}

// hashOf decodes a full SHA-1 object id.
func hashOf(id string) (plumbing.Hash, error) {
	var h plumbing.Hash
	if !parseHash(&h, []byte(id)) {
		return h, fmt.Errorf("object id %q: not a SHA-1 id", id)
	}
	return h, nil
}
