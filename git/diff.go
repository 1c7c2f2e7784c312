package git

import (
	"bytes"
	"fmt"

	"github.com/go-git/go-git/v5/plumbing"

	"github.com/forgehook/forgehook/hooks"
)

// differ lists the paths that differ between two trees, like
// git diff-tree -r --no-renames: it reads only trees, reads each tree once,
// and descends only into subtrees whose ids differ.
type differ struct {
	store *objectStore
	trees map[plumbing.Hash][]byte // encoded trees read so far
	path  []byte                   // the directory being compared, with a trailing '/'
}

func newDiffer(store *objectStore) *differ {
	return &differ{store: store, trees: make(map[plumbing.Hash][]byte)}
}

// tree returns an iterator over the entries of tree h.
func (d *differ) tree(h plumbing.Hash) (treeIter, error) {
	if t, ok := d.trees[h]; ok {
		return treeIter{id: h, data: t}, nil
	}
	obj, err := d.store.read(h)
	if err != nil {
		return treeIter{}, err
	}
	if obj.typ != plumbing.TreeObject {
		return treeIter{}, fmt.Errorf("%w: %s is a %s, not a tree", errCorrupt, h, obj.typ)
	}
	d.trees[h] = obj.data
	return treeIter{id: h, data: obj.data}, nil
}

// diff sets the Added, Removed and Modified paths of c: the changes from tree
// from (zero for a root commit) to tree to. Paths come out sorted.
func (d *differ) diff(from, to plumbing.Hash, c *hooks.Commit) error {
	if from == to {
		return nil
	}
	var a treeIter
	if !from.IsZero() {
		var err error
		if a, err = d.tree(from); err != nil {
			return err
		}
	}
	b, err := d.tree(to)
	if err != nil {
		return err
	}
	d.path = d.path[:0]
	return d.diffTrees(a, b, c)
}

// diffTrees compares two trees below the directory d.path. An entry of a
// found byte for byte at the head of b is skipped without decoding b's copy:
// most entries of two versions of a tree are the same.
func (d *differ) diffTrees(a, b treeIter, c *hooks.Commit) error {
	var ea, eb treeEntry
	haveA, haveB := false, false
	for {
		if !haveA {
			haveA = a.next(&ea)
		}
		if haveA && !haveB && bytes.HasPrefix(b.data, ea.raw) {
			b.data, haveA = b.data[len(ea.raw):], false
			continue
		}
		if !haveB {
			haveB = b.next(&eb)
		}
		var err error
		switch cmp := compareHeads(haveA, haveB, &ea, &eb); {
		case !haveA && !haveB:
			if a.err != nil {
				return a.err
			}
			return b.err
		case cmp < 0:
			err, haveA = d.all(&ea, &c.Removed), false
		case cmp > 0:
			err, haveB = d.all(&eb, &c.Added), false
		default:
			if ea.mode != eb.mode || !bytes.Equal(ea.hash, eb.hash) {
				err = d.changed(&ea, &eb, c)
			}
			haveA, haveB = false, false
		}
		if err != nil {
			return err
		}
	}
}

// compareHeads compares the current entries of two trees; a tree at its end
// sorts last.
func compareHeads(haveA, haveB bool, a, b *treeEntry) int {
	switch {
	case !haveA:
		return 1
	case !haveB:
		return -1
	}
	return compareEntries(a, b)
}

// changed handles two entries of the same name and kind that differ.
func (d *differ) changed(a, b *treeEntry, c *hooks.Commit) error {
	if !a.dir {
		c.Modified = append(c.Modified, d.join(a))
		return nil
	}
	ta, err := d.tree(plumbing.Hash(a.hash))
	if err != nil {
		return err
	}
	tb, err := d.tree(plumbing.Hash(b.hash))
	if err != nil {
		return err
	}
	n := len(d.path)
	d.path = append(append(d.path, a.name...), '/')
	err = d.diffTrees(ta, tb, c)
	d.path = d.path[:n]
	return err
}

// all appends to paths e, or every file below it if it is a subtree.
func (d *differ) all(e *treeEntry, paths *[]string) error {
	if !e.dir {
		*paths = append(*paths, d.join(e))
		return nil
	}
	t, err := d.tree(plumbing.Hash(e.hash))
	if err != nil {
		return err
	}
	n := len(d.path)
	d.path = append(append(d.path, e.name...), '/')
	var sub treeEntry
	for t.next(&sub) {
		if err := d.all(&sub, paths); err != nil {
			d.path = d.path[:n]
			return err
		}
	}
	d.path = d.path[:n]
	return t.err
}

// join returns the path of e below d.path.
func (d *differ) join(e *treeEntry) string {
	n := len(d.path)
	p := string(append(d.path, e.name...))
	d.path = d.path[:n]
	return p
}
