package git

import (
	"bytes"
	"fmt"

	"github.com/go-git/go-git/v5/plumbing"
)

// treeEntry is one entry of a tree object. name and hash point into the
// encoded tree, which is shared with the object cache and never modified.
type treeEntry struct {
	raw  []byte // the whole encoded entry
	name []byte
	hash []byte
	mode uint32
	dir  bool // a subtree; everything else (files, links, submodules) is a file
}

// modeDir is the mode of a subtree entry.
const modeDir = 0o40000

// treeIter decodes the entries of an encoded tree one at a time, without
// allocating.
type treeIter struct {
	id   plumbing.Hash
	data []byte
	err  error
}

// next decodes the next entry into e. It returns false at the end of the
// tree or on a malformed entry, which sets it.err.
func (it *treeIter) next(e *treeEntry) bool {
	data := it.data
	if len(data) == 0 {
		return false
	}
	e.mode = 0
	i := 0
	for ; i < len(data) && data[i] != ' '; i++ {
		if data[i] < '0' || data[i] > '7' {
			return it.fail()
		}
		e.mode = e.mode<<3 | uint32(data[i]-'0')
	}
	if i == 0 || i == len(data) {
		return it.fail()
	}
	nul := i + 1 // names are short: a loop beats bytes.IndexByte
	for nul < len(data) && data[nul] != 0 {
		nul++
	}
	end := nul + 1 + hashLen
	if nul == i+1 || end > len(data) {
		return it.fail()
	}
	e.raw, e.name, e.hash = data[:end], data[i+1:nul], data[nul+1:end]
	e.dir = e.mode&0o170000 == modeDir
	it.data = data[end:]
	return true
}

func (it *treeIter) fail() bool {
	it.err = fmt.Errorf("%w: tree %s: bad entry", errCorrupt, it.id)
	it.data = nil
	return false
}

// compareEntries orders entries like git: by name, a subtree's name compared
// as if it ended in '/'. A file and a subtree of the same name differ.
func compareEntries(a, b *treeEntry) int {
	n := min(len(a.name), len(b.name))
	if c := bytes.Compare(a.name[:n], b.name[:n]); c != 0 {
		return c
	}
	return int(nextByte(a, n)) - int(nextByte(b, n))
}

func nextByte(e *treeEntry, n int) byte {
	switch {
	case n < len(e.name):
		return e.name[n]
	case e.dir:
		return '/'
	}
	return 0
}
