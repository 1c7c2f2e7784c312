package git

import (
	"context"
	"fmt"
	"path/filepath"
	"slices"
	"sort"
	"strings"

	"github.com/go-git/go-git/v5/plumbing"

	"github.com/forgehook/forgehook/hooks"
)

// ReadRefs returns the branches and tags of the bare repository at gitDir
// as they are now, by name, leaving out symbolic refs.
func (r *Reader) ReadRefs(ctx context.Context, gitDir string) (map[string]string, error) {
	repo, release, err := r.acquire(gitDir)
	if err != nil {
		return nil, err
	}
	defer release()
	refs, err := readBranchesAndTags(repo.gitDir)
	if err != nil {
		return nil, fmt.Errorf("read refs of %s: %w", repo.gitDir, err)
	}
	out := make(map[string]string, len(refs))
	for name, h := range refs {
		out[name] = h.String()
	}
	return out, nil
}

// ReadPush returns what push[from:to] did in the bare repository at gitDir,
// against refs, the branches and tags just before the push (see
// hooks.CommitReader). It is ReadRefChange for many updates at once, with
// the same results, at a cost linear in the updates and in the commits they
// bring: one walk finds the commits that no ref reached before the push, and
// each of them belongs to the first update (in push order) whose After
// reaches it, where it is distinct.
func (r *Reader) ReadPush(ctx context.Context, gitDir string, refs map[string]string, push []hooks.RefUpdate, from, to int) ([]hooks.RefRead, error) {
	if from < 0 || to > len(push) || from > to {
		return nil, fmt.Errorf("read updates %d to %d of %d: out of range", from, to, len(push))
	}
	repo, release, err := r.acquire(gitDir)
	if err != nil {
		return nil, err
	}
	defer release()
	pr := &pushRead{ctx: ctx, repo: repo, refs: refs, push: push, n: to, memo: map[plumbing.Hash]hooks.Commit{}}
	if err := pr.prepare(); err != nil {
		return nil, err
	}
	out := make([]hooks.RefRead, 0, to-from)
	for i := from; i < to; i++ {
		ch, err := pr.change(i)
		if err != nil {
			if ctx.Err() != nil {
				return nil, ctx.Err()
			}
			err = fmt.Errorf("read %s in %s: %w", push[i].Ref, repo.gitDir, err)
		}
		out = append(out, hooks.RefRead{Change: ch, Err: err})
	}
	return out, nil
}

// pushRead reads the updates of one push, up to the last one asked for.
type pushRead struct {
	ctx  context.Context
	repo *openRepo
	refs map[string]string // before the push
	push []hooks.RefUpdate // every update of the push
	n    int               // how many of them are looked at: up to the last one read

	heads    []plumbing.Hash // the commit each update's After points to
	isCommit []bool
	errs     []error             // an update whose After cannot be read
	old      []plumbing.Hash     // the commits the refs pointed to before the push
	g        *walk               // the walk of every After against old
	visit    map[*commitNode]int // position of each brought commit in g's visiting order
	owner    map[*commitNode]int // the first update whose After reaches it
	memo     map[plumbing.Hash]hooks.Commit
	branches map[plumbing.Hash][]string // after the push, by the commit they point to
	head     string                     // the default branch
}

// prepare peels every After, walks them against the refs of before the push,
// and gives each brought commit its owner.
func (pr *pushRead) prepare() error {
	store := pr.repo.objects
	n := pr.n
	pr.heads, pr.isCommit, pr.errs = make([]plumbing.Hash, n), make([]bool, n), make([]error, n)
	for j, u := range pr.push[:n] {
		if u.Deleted() {
			continue
		}
		h, err := hashOf(u.After)
		if err == nil {
			h, pr.isCommit[j], err = peel(store, h)
		}
		pr.heads[j], pr.errs[j] = h, err
	}
	if err := pr.oldTips(); err != nil {
		return err
	}
	g, brought, err := pr.walkAll()
	if err != nil {
		return err
	}
	pr.g = g
	pr.visit = make(map[*commitNode]int, len(brought))
	for k, c := range brought {
		pr.visit[c] = k
	}
	pr.owner = make(map[*commitNode]int, len(brought))
	for j := range pr.n {
		if pr.tipOK(j) {
			pr.spread(pr.g.nodes[pr.heads[j]], func(c *commitNode) bool {
				if _, ok := pr.owner[c]; ok {
					return false
				}
				pr.owner[c] = j
				return true
			})
		}
	}
	return nil
}

// tipOK reports whether update j points to a commit that could be read.
func (pr *pushRead) tipOK(j int) bool { return pr.isCommit[j] && pr.errs[j] == nil }

// oldTips lists, once each, the commits that the branches and tags of before
// the push point to: the refs the push did not update, and the Before of
// every update. Those that are gone (as after git gc) are left out.
func (pr *pushRead) oldTips() error {
	inPush := make(map[string]bool, len(pr.push))
	for _, u := range pr.push {
		inPush[u.Ref] = true
	}
	names := make([]string, 0, len(pr.refs))
	for name := range pr.refs {
		if !inPush[name] {
			names = append(names, name)
		}
	}
	sort.Strings(names) // a stable visiting order among equal dates
	ids := make([]string, 0, len(names)+len(pr.push))
	for _, name := range names {
		ids = append(ids, pr.refs[name])
	}
	for _, u := range pr.push {
		ids = append(ids, u.Before)
	}
	seen := make(map[string]bool, len(ids))
	for _, id := range ids {
		if seen[id] {
			continue
		}
		seen[id] = true
		c, _, err := peelOld(pr.repo.objects, id)
		if err != nil {
			return err
		}
		if !c.IsZero() {
			pr.old = append(pr.old, c)
		}
	}
	return nil
}

// walkAll runs the walk of every readable After against the old tips and
// returns it with the commits it brought, in visiting order. If that walk
// fails (objects missing under an After), each update whose walk alone fails
// gets that error and is left out.
func (pr *pushRead) walkAll() (*walk, []*commitNode, error) {
	var all []int
	for j := range pr.n {
		if pr.tipOK(j) {
			all = append(all, j)
		}
	}
	w, brought, err := pr.runWalk(all)
	if err == nil || pr.ctx.Err() != nil {
		return w, brought, err
	}
	var ok []int
	for _, j := range all {
		if _, _, err := pr.runWalk([]int{j}); err != nil {
			if pr.ctx.Err() != nil {
				return nil, nil, pr.ctx.Err()
			}
			pr.errs[j] = err
			continue
		}
		ok = append(ok, j)
	}
	return pr.runWalk(ok)
}

// runWalk walks the Afters of updates js as new against the old tips.
func (pr *pushRead) runWalk(js []int) (*walk, []*commitNode, error) {
	w := newWalk(pr.ctx, pr.repo.objects)
	for _, j := range js {
		if _, err := w.tip(pr.heads[j], flagNew); err != nil {
			return nil, nil, err
		}
	}
	for _, c := range pr.old {
		if _, err := w.tip(c, flagOld); err != nil {
			return nil, nil, err
		}
	}
	brought, err := w.run()
	if err != nil {
		return nil, nil, err
	}
	return w, brought, nil
}

// spread visits the brought commits reachable from n through brought
// commits, depth first, as long as enter returns true for them.
func (pr *pushRead) spread(n *commitNode, enter func(*commitNode) bool) {
	if n == nil || !n.candidate() || !enter(n) {
		return
	}
	stack := []*commitNode{n}
	for len(stack) > 0 {
		c := stack[len(stack)-1]
		stack = stack[:len(stack)-1]
		for _, p := range c.parentN {
			if p.candidate() && enter(p) {
				stack = append(stack, p)
			}
		}
	}
}

// change reads update i.
func (pr *pushRead) change(i int) (*hooks.RefChange, error) {
	u := pr.push[i]
	switch {
	case u.Deleted():
		return &hooks.RefChange{}, nil
	case pr.errs[i] != nil:
		return nil, pr.errs[i]
	case !pr.isCommit[i]:
		return &hooks.RefChange{}, nil
	}
	head := pr.heads[i]
	ch := &hooks.RefChange{}
	var brought []*commitNode
	before, gone, err := peelOld(pr.repo.objects, u.Before)
	if err != nil {
		return nil, fmt.Errorf("before: %w", err)
	}
	if before.IsZero() {
		// Created, or without a commit to compare with: what no ref reached
		// before the push.
		seen := map[*commitNode]bool{}
		pr.spread(pr.g.nodes[head], func(c *commitNode) bool {
			if seen[c] {
				return false
			}
			seen[c] = true
			brought = append(brought, c)
			return true
		})
		slices.SortFunc(brought, func(a, b *commitNode) int { return pr.visit[a] - pr.visit[b] })
		ch.Forced = gone // a commit that is gone is no ancestor of head: those all exist
	} else {
		w := newWalk(pr.ctx, pr.repo.objects)
		if _, err := w.tip(head, flagNew); err != nil {
			return nil, err
		}
		b, err := w.tip(before, flagOld)
		if err != nil {
			return nil, err
		}
		if brought, err = w.run(); err != nil {
			return nil, err
		}
		ch.Forced = b.flags&flagNew == 0
	}
	commits, err := pr.decode(topoSort(brought), func(c *commitNode) bool {
		g := pr.g.nodes[c.hash]
		if g == nil || !g.candidate() {
			return false
		}
		owner, ok := pr.owner[g]
		return ok && owner == i
	})
	if err != nil {
		return nil, err
	}
	ch.Commits, ch.TotalCommits = commits, len(brought)
	if n := len(commits); n > 0 && commits[n-1].ID == head.String() {
		ch.Head = &commits[n-1]
	} else {
		n, err := pr.g.node(head)
		if err != nil {
			return nil, err
		}
		hc, err := pr.decode([]*commitNode{n}, func(*commitNode) bool { return false })
		if err != nil {
			return nil, err
		}
		ch.Head = &hc[0]
	}
	if u.Created() && u.RefType() == "tag" {
		if ch.BaseRef, err = pr.baseRef(head); err != nil {
			return nil, err
		}
	}
	return ch, nil
}

// decode returns the newest hooks.MaxPushCommits of sorted, decoding each
// commit once per push, with Distinct set by distinct.
func (pr *pushRead) decode(sorted []*commitNode, distinct func(*commitNode) bool) ([]hooks.Commit, error) {
	if len(sorted) > hooks.MaxPushCommits {
		sorted = sorted[len(sorted)-hooks.MaxPushCommits:]
	}
	var missing []*commitNode
	for _, n := range sorted {
		if _, ok := pr.memo[n.hash]; !ok {
			missing = append(missing, n)
		}
	}
	decoded, err := pushCommits(pr.ctx, pr.repo.objects, missing)
	if err != nil {
		return nil, err
	}
	for k, n := range missing {
		pr.memo[n.hash] = decoded[k]
	}
	out := make([]hooks.Commit, len(sorted))
	for k, n := range sorted {
		out[k] = pr.memo[n.hash]
		out[k].Distinct = distinct(n)
	}
	return out, nil
}

// baseRef returns the branch that points at commit after the push,
// preferring the default branch, then the first by name; "" if none does.
func (pr *pushRead) baseRef(commit plumbing.Hash) (string, error) {
	if pr.branches == nil {
		info, err := readSmallFile(filepath.Join(pr.repo.gitDir, "HEAD"))
		if err != nil {
			return "", fmt.Errorf("read HEAD: %w", err)
		}
		pr.head = headBranch(info)
		after := hooks.ApplyPush(pr.refs, pr.push)
		pr.branches = map[plumbing.Hash][]string{}
		for name, id := range after {
			var h plumbing.Hash
			if parseHash(&h, []byte(id)) && strings.HasPrefix(name, "refs/heads/") {
				pr.branches[h] = append(pr.branches[h], name)
			}
		}
	}
	return baseRef(pr.branches[commit], pr.head), nil
}
