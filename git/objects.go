package git

import (
	"bufio"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"sync"
	"sync/atomic"

	"github.com/go-git/go-git/v5/plumbing"
	"github.com/go-git/go-git/v5/plumbing/format/packfile"
)

// objectStore reads the objects of one repository: its packs, its loose
// objects and those of its alternates. A missing object makes it look for new
// packs once, so that a long-lived store sees the objects of later pushes. It
// is safe for concurrent use.
type objectStore struct {
	dirs  []string // object directories: the repository's, then its alternates'
	cache *objectCache

	mu     sync.RWMutex // guards packs; held for reading while pack memory is read
	packs  []*pack      // newest first
	hint   atomic.Pointer[pack]
	closed bool
}

// maxDeltaChain bounds delta chains; git's default depth is 50.
const maxDeltaChain = 10000

// openObjectStore opens the object database of the repository at gitDir.
func openObjectStore(gitDir string, cache *objectCache) (*objectStore, error) {
	objects := filepath.Join(gitDir, "objects")
	if fi, err := os.Stat(objects); err != nil || !fi.IsDir() {
		return nil, fmt.Errorf("open repository %s: not a git directory", gitDir)
	}
	s := &objectStore{dirs: alternates(objects, 0), cache: cache}
	if err := s.rescan(); err != nil {
		return nil, fmt.Errorf("open repository %s: %w", gitDir, err)
	}
	return s, nil
}

// alternates returns dir followed by the object directories listed in its
// info/alternates file, recursively.
func alternates(dir string, depth int) []string {
	dirs := []string{dir}
	f, err := os.Open(filepath.Join(dir, "info", "alternates"))
	if err != nil || depth >= 5 {
		return dirs
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		line := strings.TrimSpace(sc.Text())
		if line == "" || line[0] == '#' {
			continue
		}
		if !filepath.IsAbs(line) {
			line = filepath.Join(dir, line)
		}
		dirs = append(dirs, alternates(filepath.Clean(line), depth+1)...)
	}
	return dirs
}

// read returns object h.
func (s *objectStore) read(h plumbing.Hash) (object, error) {
	obj, err := s.readOnce(h)
	if errors.Is(err, plumbing.ErrObjectNotFound) {
		if err := s.rescan(); err != nil {
			return object{}, fmt.Errorf("read object %s: %w", h, err)
		}
		obj, err = s.readOnce(h)
	}
	if err != nil {
		return object{}, fmt.Errorf("read object %s: %w", h, err)
	}
	return obj, nil
}

func (s *objectStore) readOnce(h plumbing.Hash) (object, error) {
	s.mu.RLock()
	defer s.mu.RUnlock()
	if s.closed {
		return object{}, errors.New("object store closed")
	}
	return s.readLocked(h)
}

// readLocked looks for h in the packs, then among the loose objects. s.mu
// must be held.
func (s *objectStore) readLocked(h plumbing.Hash) (object, error) {
	if p := s.hint.Load(); p != nil {
		if off, ok := p.find(h); ok {
			return s.readPacked(p, off)
		}
	}
	for _, p := range s.packs {
		if off, ok := p.find(h); ok {
			s.hint.Store(p)
			return s.readPacked(p, off)
		}
	}
	key := cacheKey{hash: h}
	if obj, ok := s.cache.get(key); ok {
		return obj, nil
	}
	for _, dir := range s.dirs {
		typ, data, err := readLoose(dir, h)
		if errors.Is(err, fs.ErrNotExist) {
			continue
		}
		if err != nil {
			return object{}, err
		}
		obj := object{typ: typ, data: data}
		s.cache.put(key, obj)
		return obj, nil
	}
	return object{}, plumbing.ErrObjectNotFound
}

// readPacked returns the object at offset off of pack p, resolving deltas.
// s.mu must be held.
func (s *objectStore) readPacked(p *pack, off int64) (object, error) {
	type step struct {
		p   *pack
		off int64
		e   entry
	}
	var chain []step
	var base object
	for {
		if obj, ok := s.cache.get(cacheKey{pack: p, off: off}); ok {
			base = obj
			break
		}
		e, err := p.entryAt(off)
		if err != nil {
			return object{}, err
		}
		if e.typ != plumbing.OFSDeltaObject && e.typ != plumbing.REFDeltaObject {
			data, err := p.inflate(e)
			if err != nil {
				return object{}, err
			}
			base = object{typ: e.typ, data: data}
			s.cache.put(cacheKey{pack: p, off: off}, base)
			break
		}
		if chain = append(chain, step{p, off, e}); len(chain) > maxDeltaChain {
			return object{}, fmt.Errorf("%w: delta chain too long", errCorrupt)
		}
		if e.typ == plumbing.OFSDeltaObject {
			off = e.baseOff
			continue
		}
		if boff, ok := p.find(e.baseHash); ok {
			off = boff
			continue
		}
		if base, err = s.readLocked(e.baseHash); err != nil {
			return object{}, fmt.Errorf("delta base %s: %w", e.baseHash, err)
		}
		break
	}
	for i := len(chain) - 1; i >= 0; i-- {
		st := chain[i]
		delta, err := st.p.inflate(st.e)
		if err != nil {
			return object{}, err
		}
		data, err := packfile.PatchDelta(base.data, delta)
		if err != nil {
			return object{}, fmt.Errorf("%w: delta at %d: %v", errCorrupt, st.off, err)
		}
		base = object{typ: base.typ, data: data}
		s.cache.put(cacheKey{pack: st.p, off: st.off}, base)
	}
	return base, nil
}

// rescan opens the packs that appeared since the last scan and closes those
// that are gone, as after git gc.
func (s *objectStore) rescan() error {
	var idxs []string
	for _, dir := range s.dirs {
		m, err := filepath.Glob(filepath.Join(dir, "pack", "pack-*.idx"))
		if err != nil {
			return err
		}
		idxs = append(idxs, m...)
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.closed {
		return errors.New("object store closed")
	}
	old := make(map[string]*pack, len(s.packs))
	for _, p := range s.packs {
		old[p.path] = p
	}
	var packs []*pack
	mtimes := make(map[*pack]int64)
	for _, idx := range idxs {
		path := strings.TrimSuffix(idx, ".idx") + ".pack"
		fi, err := os.Stat(path)
		if err != nil {
			continue // being written, or just removed
		}
		p := old[path]
		if p == nil {
			if p, err = openPack(idx); err != nil {
				if errors.Is(err, fs.ErrNotExist) {
					continue
				}
				return err
			}
		}
		delete(old, path)
		packs = append(packs, p)
		mtimes[p] = fi.ModTime().UnixNano()
	}
	sort.SliceStable(packs, func(i, j int) bool { return mtimes[packs[i]] > mtimes[packs[j]] })
	var errs []error
	for _, p := range old {
		errs = append(errs, p.close())
	}
	s.packs = packs
	s.hint.Store(nil)
	return errors.Join(errs...)
}

// close unmaps the packs. Reads after close fail.
func (s *objectStore) close() error {
	s.mu.Lock()
	defer s.mu.Unlock()
	var errs []error
	for _, p := range s.packs {
		errs = append(errs, p.close())
	}
	s.packs, s.closed = nil, true
	s.hint.Store(nil)
	return errors.Join(errs...)
}
