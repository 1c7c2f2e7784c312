// Package gitgen generates git histories of realistic shape for tests and
// benchmarks: a git fast-import stream of commits over a tree of hundreds of
// directories and thousands of files, with merges and annotated tags.
package gitgen

import (
	"bytes"
	"fmt"
	"math/rand/v2"
	"sort"
)

// History describes a generated history: Commits commits on main over Dirs
// directories (two levels deep) of FilesPerDir files each, with a side branch
// of five commits merged back every MergeEvery commits, and Tags annotated
// tags spread over main.
type History struct {
	Commits, Dirs, FilesPerDir, MergeEvery, Tags int
}

// FastImport returns h as a git fast-import stream for refs/heads/main (and
// refs/heads/side, the merged side branch). Each commit changes a few files
// and sometimes adds, deletes or renames one. The stream is the same on every
// call: run it with git fast-import --quiet --force.
func FastImport(h History) []byte {
	g := &generator{rnd: rand.New(rand.NewPCG(1, 2)), files: map[string]int{}}
	for d := 0; d < h.Dirs; d++ {
		for f := 0; f < h.FilesPerDir; f++ {
			g.files[fmt.Sprintf("t%02d/s%02d/f%03d.txt", d/15, d%15, f)] = 1
		}
	}
	g.root()
	for n := 1; n < h.Commits; n++ {
		if h.MergeEvery > 0 && n%h.MergeEvery == 0 {
			g.merge()
			continue
		}
		g.commit("refs/heads/main", g.main, g.change(), "")
		if h.Tags > 0 && n%max(1, h.Commits/h.Tags) == 0 {
			fmt.Fprintf(&g.buf, "tag v%d\nfrom :%d\ntagger Ada <ada@example.com> %d +0100\ndata 4\ntag\n\n", n, g.main, 1600000000+g.date)
		}
	}
	return g.buf.Bytes()
}

// generator writes a git fast-import stream.
type generator struct {
	rnd   *rand.Rand
	buf   bytes.Buffer
	files map[string]int // path -> version on main
	paths []string       // sorted keys of files, rebuilt when dirty
	dirty bool
	mark  int
	main  int // mark of main's tip
	date  int64
}

func (g *generator) sorted() []string {
	if g.paths == nil || g.dirty {
		g.paths = g.paths[:0]
		for p := range g.files {
			g.paths = append(g.paths, p)
		}
		sort.Strings(g.paths)
		g.dirty = false
	}
	return g.paths
}

// root commits every file.
func (g *generator) root() {
	var ops bytes.Buffer
	for _, p := range g.sorted() {
		g.modify(&ops, p, 1)
	}
	g.commit("refs/heads/main", 0, ops.Bytes(), "")
}

// change edits 1 to 4 files of main, and sometimes adds, deletes or renames one.
func (g *generator) change() []byte {
	var ops bytes.Buffer
	paths := g.sorted()
	for i := g.rnd.IntN(4); i >= 0; i-- {
		p := paths[g.rnd.IntN(len(paths))]
		g.files[p]++
		g.modify(&ops, p, g.files[p])
	}
	switch r := g.rnd.IntN(100); {
	case r < 5:
		p := fmt.Sprintf("t%02d/s%02d/new%05d.txt", g.rnd.IntN(20), g.rnd.IntN(15), g.mark)
		g.files[p] = 1
		g.modify(&ops, p, 1)
		g.dirty = true
	case r < 10:
		p := paths[g.rnd.IntN(len(paths))]
		delete(g.files, p)
		fmt.Fprintf(&ops, "D %s\n", p)
		if r >= 8 {
			q := p + ".moved"
			g.files[q] = 1
			g.modify(&ops, q, 1)
		}
		g.dirty = true
	}
	return ops.Bytes()
}

func (g *generator) modify(ops *bytes.Buffer, path string, version int) {
	content := fmt.Sprintf("%s version %d\n%s", path, version, bytes.Repeat([]byte("some text of the file\n"), 1+len(path)%5))
	fmt.Fprintf(ops, "M 100644 inline %s\ndata %d\n%s\n", path, len(content), content)
}

// merge makes a side branch of five commits off main, two more commits on
// main, and merges the side branch.
func (g *generator) merge() {
	base := g.main
	side := base
	var sideOps bytes.Buffer
	paths := g.sorted()
	for i := 0; i < 5; i++ {
		var ops bytes.Buffer
		p := paths[g.rnd.IntN(len(paths))]
		g.files[p] += 1000
		g.modify(&ops, p, g.files[p])
		sideOps.Write(ops.Bytes())
		side = g.commit("refs/heads/side", side, ops.Bytes(), "")
	}
	for i := 0; i < 2; i++ {
		g.commit("refs/heads/main", g.main, g.change(), "")
	}
	g.commit("refs/heads/main", g.main, sideOps.Bytes(), fmt.Sprintf("merge :%d\n", side))
}

// commit writes a commit on ref with parent mark from (none if 0) and returns
// its mark.
func (g *generator) commit(ref string, from int, ops []byte, extra string) int {
	g.mark++
	g.date += 60
	msg := fmt.Sprintf("Commit %d\n\nChanges some files.\n", g.mark)
	fmt.Fprintf(&g.buf, "commit %s\nmark :%d\nauthor Ada <ada@example.com> %d +0100\ncommitter Carl <carl@example.com> %d +0100\ndata %d\n%s",
		ref, g.mark, 1600000000+g.date, 1600000000+g.date, len(msg), msg)
	if from > 0 {
		fmt.Fprintf(&g.buf, "from :%d\n", from)
	}
	g.buf.WriteString(extra)
	g.buf.Write(ops)
	g.buf.WriteString("\n")
	if ref == "refs/heads/main" {
		g.main = g.mark
	}
	return g.mark
}
