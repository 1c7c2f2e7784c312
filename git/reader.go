package git

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"sync"

	"github.com/forgehook/forgehook/hooks"
)

// Reader reads what pushed ref updates changed, for the push events. It keeps
// recently used repositories open, and caches decoded objects across calls
// and repositories. It is safe for concurrent use; call Close when done.
type Reader struct {
	// CacheSize bounds the memory of the decoded commits and trees kept
	// between calls, shared by all repositories. 256 MiB if zero.
	CacheSize int64
	// MaxOpenRepos bounds how many repositories stay open between calls. 64
	// if zero.
	MaxOpenRepos int

	once   sync.Once
	cache  *objectCache
	mu     sync.Mutex
	repos  map[string]*openRepo
	tick   int64
	closed bool
}

var _ hooks.CommitReader = (*Reader)(nil)

// NewReader returns a Reader with the default cache size and number of open
// repositories.
func NewReader() *Reader { return &Reader{} }

// openRepo is a repository the Reader keeps open.
type openRepo struct {
	gitDir   string
	objects  *objectStore
	users    int
	lastUsed int64
}

func (r *Reader) init() {
	r.once.Do(func() {
		if r.CacheSize <= 0 {
			r.CacheSize = 256 << 20
		}
		if r.MaxOpenRepos <= 0 {
			r.MaxOpenRepos = 64
		}
		r.cache = newObjectCache(r.CacheSize)
		r.repos = make(map[string]*openRepo)
	})
}

// acquire returns the open repository at gitDir, opening it if needed, and a
// function to call when done with it.
func (r *Reader) acquire(gitDir string) (*openRepo, func(), error) {
	r.init()
	dir, err := filepath.Abs(gitDir)
	if err != nil {
		return nil, nil, fmt.Errorf("open repository %s: %w", gitDir, err)
	}
	if fi, err := os.Stat(filepath.Join(dir, "objects")); err != nil || !fi.IsDir() {
		return nil, nil, fmt.Errorf("open repository %s: not a git directory", gitDir)
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.closed {
		return nil, nil, errors.New("reader closed")
	}
	repo := r.repos[dir]
	if repo == nil {
		if err := checkObjectFormat(dir); err != nil {
			return nil, nil, err
		}
		objects, err := openObjectStore(dir, r.cache)
		if err != nil {
			return nil, nil, err
		}
		repo = &openRepo{gitDir: dir, objects: objects}
		r.repos[dir] = repo
	}
	repo.users++
	return repo, func() { r.release(repo) }, nil
}

func (r *Reader) release(repo *openRepo) {
	r.mu.Lock()
	defer r.mu.Unlock()
	repo.users--
	r.tick++
	repo.lastUsed = r.tick
	if repo.users == 0 && (r.closed || r.repos[repo.gitDir] != repo) {
		repo.objects.close()
		return
	}
	for len(r.repos) > r.MaxOpenRepos {
		var lru *openRepo
		for _, o := range r.repos {
			if o.users == 0 && (lru == nil || o.lastUsed < lru.lastUsed) {
				lru = o
			}
		}
		if lru == nil {
			return
		}
		delete(r.repos, lru.gitDir)
		lru.objects.close()
	}
}

// Close closes the open repositories; those in use close when released.
// Calls after Close fail.
func (r *Reader) Close() error {
	r.init()
	r.mu.Lock()
	defer r.mu.Unlock()
	r.closed = true
	var errs []error
	for dir, o := range r.repos {
		delete(r.repos, dir)
		if o.users == 0 {
			errs = append(errs, o.objects.close())
		}
	}
	return errors.Join(errs...)
}
