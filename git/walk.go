package git

import (
	"container/heap"
	"context"
	"fmt"
	"math"

	"github.com/go-git/go-git/v5/plumbing"
)

// Flags of a commit in a walk. The first two spread from a commit to all of
// its ancestors.
const (
	flagNew uint8 = 1 << iota // reachable from a pushed commit
	flagOld                   // reachable from a commit the push does not bring
	flagQueued
	flagDone

	flagsSpread = flagNew | flagOld
)

// candidate reports whether n is (so far) brought by the update.
func (n *commitNode) candidate() bool { return n.flags&(flagNew|flagOld) == flagNew }

// walk finds the commits an update brings, like git rev-list new ^old...:
// it visits commits newest first by committer date, spreads flags to
// ancestors, and stops once no queued commit can be brought by the update,
// with git's allowance of five extra commits for clock skew.
type walk struct {
	ctx        context.Context
	store      *objectStore
	nodes      map[plumbing.Hash]*commitNode
	queue      commitQueue
	seq        int
	candidates int           // queued commits that are candidates
	visited    []*commitNode // in visiting order
}

func newWalk(ctx context.Context, store *objectStore) *walk {
	return &walk{ctx: ctx, store: store, nodes: make(map[plumbing.Hash]*commitNode)}
}

// node returns the commit h, loading it if needed.
func (w *walk) node(h plumbing.Hash) (*commitNode, error) {
	if n, ok := w.nodes[h]; ok {
		return n, nil
	}
	obj, err := w.store.read(h)
	if err != nil {
		return nil, err
	}
	if obj.typ != plumbing.CommitObject {
		return nil, fmt.Errorf("%w: %s is a %s, not a commit", errCorrupt, h, obj.typ)
	}
	n, err := parseCommitNode(h, obj.data)
	if err != nil {
		return nil, err
	}
	w.nodes[h] = n
	return n, nil
}

// tip adds flags to commit h and queues it.
func (w *walk) tip(h plumbing.Hash, flags uint8) (*commitNode, error) {
	n, err := w.node(h)
	if err != nil {
		return nil, err
	}
	w.mark(n, flags)
	w.push(n)
	return n, nil
}

func (w *walk) push(n *commitNode) {
	if n.flags&(flagQueued|flagDone) != 0 {
		return
	}
	n.flags |= flagQueued
	n.seq = w.seq
	w.seq++
	if n.candidate() {
		w.candidates++
	}
	heap.Push(&w.queue, n)
}

// mark adds flags to n and, where n was already visited, to its ancestors.
func (w *walk) mark(n *commitNode, flags uint8) {
	stack := []*commitNode{n}
	for len(stack) > 0 {
		c := stack[len(stack)-1]
		stack = stack[:len(stack)-1]
		if c.flags&flags == flags {
			continue
		}
		was := c.candidate()
		c.flags |= flags
		if c.flags&flagQueued != 0 && was && !c.candidate() {
			w.candidates--
		} else if c.flags&flagQueued != 0 && !was && c.candidate() {
			w.candidates++
		}
		if c.flags&flagDone != 0 {
			stack = append(stack, c.parentN...)
		}
	}
}

// run walks until done and returns the commits the update brings, in the
// order they were visited.
func (w *walk) run() ([]*commitNode, error) {
	date, slop := int64(math.MaxInt64), 5
	for pops := 0; w.queue.Len() > 0; pops++ {
		if pops%256 == 0 {
			if err := w.ctx.Err(); err != nil {
				return nil, err
			}
		}
		c := heap.Pop(&w.queue).(*commitNode)
		if c.candidate() {
			w.candidates--
		}
		c.flags = c.flags&^flagQueued | flagDone
		w.visited = append(w.visited, c)
		for _, ph := range c.parents {
			p, err := w.node(ph)
			if err != nil {
				return nil, fmt.Errorf("parent of %s: %w", c.hash, err)
			}
			c.parentN = append(c.parentN, p)
			w.mark(p, c.flags&flagsSpread)
			w.push(p)
		}
		if c.candidate() {
			date = c.date
			continue
		}
		if slop = w.stillInteresting(date, slop); slop == 0 {
			break
		}
	}
	var out []*commitNode
	for _, n := range w.visited {
		if n.candidate() {
			out = append(out, n)
		}
	}
	return out, nil
}

// stillInteresting is git's still_interesting: keep going while a queued
// commit is at least as new as the last candidate or may be a candidate, and
// then for slop more commits.
func (w *walk) stillInteresting(date int64, slop int) int {
	switch {
	case w.queue.Len() == 0:
		return 0
	case date <= w.queue[0].date, w.candidates > 0:
		return 5
	}
	return slop - 1
}

// commitQueue is a max-heap by committer date; ties go to the commit queued
// first.
type commitQueue []*commitNode

func (q commitQueue) Len() int { return len(q) }
func (q commitQueue) Less(i, j int) bool {
	if q[i].date != q[j].date {
		return q[i].date > q[j].date
	}
	return q[i].seq < q[j].seq
}
func (q commitQueue) Swap(i, j int) { q[i], q[j] = q[j], q[i] }
func (q *commitQueue) Push(x any)   { *q = append(*q, x.(*commitNode)) }
func (q *commitQueue) Pop() any {
	old := *q
	n := old[len(old)-1]
	*q = old[:len(old)-1]
	return n
}
