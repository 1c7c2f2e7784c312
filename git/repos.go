package git

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/forgehook/forgehook/hooks"
)

// Repos finds the bare repositories under Root and gives each the GitHub
// owner/name of NameFor. Names are exact: acme/widgets.git and
// Acme/Widgets.git are two repositories. A lookup in another case is
// accepted only when exactly one repository matches it. Root itself may be
// a symbolic link; nothing under it is followed.
//
// Repos scans the tree and keeps the result: a lookup that misses, or finds
// a repository that is gone, scans again at most every rescanAfter, and a
// result older than maxAge is never used.
type Repos struct {
	Root         string
	DefaultOwner string // owner of ROOT/NAME.git repositories; DefaultOwner if empty

	mu      sync.Mutex
	index   *repoIndex
	scanned time.Time
}

var (
	_ hooks.GitRepos   = (*Repos)(nil)
	_ hooks.RepoLister = (*Repos)(nil)
)

const (
	rescanAfter = time.Second
	maxAge      = 10 * time.Second
)

// repoIndex is one scan of the tree.
type repoIndex struct {
	root   string
	all    []*Found
	byDir  map[string]*Found
	byName map[string]*Found   // exact "owner/name" of every named repository
	byFold map[string][]*Found // lower-cased "owner/name"
	owners map[string]bool     // exact owners
	folded map[string][]string // lower-cased owner: its spellings
}

func newRepoIndex(root string, all []*Found) *repoIndex {
	x := &repoIndex{root: root, all: all, byDir: map[string]*Found{}, byName: map[string]*Found{},
		byFold: map[string][]*Found{}, owners: map[string]bool{}, folded: map[string][]string{}}
	for _, f := range all {
		x.byDir[f.GitDir] = f
		if f.Skip || f.Problem != "" {
			continue
		}
		x.byName[f.FullName()] = f
		fold := strings.ToLower(f.FullName())
		x.byFold[fold] = append(x.byFold[fold], f)
		if !x.owners[f.Owner] {
			x.owners[f.Owner] = true
			lo := strings.ToLower(f.Owner)
			x.folded[lo] = append(x.folded[lo], f.Owner)
		}
	}
	return x
}

// errNotFound is the error of every repository lookup that fails.
func errNotFound() error { return hooks.Errorf(hooks.ENOTFOUND, "Not Found") }

// FindRepo returns the bare repository owner/name: the exact name, else the
// one repository whose name matches ignoring case. It returns ENOTFOUND if
// either name is invalid, there is no such repository, or several match
// only ignoring case.
func (r *Repos) FindRepo(ctx context.Context, owner, name string) (*hooks.GitRepo, error) {
	if !hooks.ValidName(owner) || !hooks.ValidName(name) {
		return nil, errNotFound()
	}
	full := owner + "/" + name
	var f *Found
	err := r.lookup(ctx, func(x *repoIndex) bool {
		f = x.byName[full]
		if same := x.byFold[strings.ToLower(full)]; f == nil && len(same) == 1 {
			f = same[0]
		}
		return f != nil && IsBareRepo(f.GitDir)
	}, func(root string) bool {
		return slices.ContainsFunc(candidates(root, owner, name, r.DefaultOwner), IsBareRepo)
	})
	if err != nil {
		return nil, err
	}
	return readGitRepo(f.GitDir, f.Owner, f.Name)
}

// FindOwner returns owner as it names repositories: exactly, else the one
// spelling that matches ignoring case. It returns ENOTFOUND if no
// repository has that owner.
func (r *Repos) FindOwner(ctx context.Context, owner string) (string, error) {
	if !hooks.ValidName(owner) {
		return "", errNotFound()
	}
	var spelling string
	err := r.lookup(ctx, func(x *repoIndex) bool {
		spelling = ""
		if x.owners[owner] {
			spelling = owner
		} else if s := x.folded[strings.ToLower(owner)]; len(s) == 1 {
			spelling = s[0]
		}
		return spelling != ""
	}, func(root string) bool { return isRealDir(filepath.Join(root, owner)) })
	return spelling, err
}

// RepoAt returns the repository whose git dir, after resolving symbolic
// links, is gitDir. It returns ENOTFOUND if gitDir is no bare repository
// under Root, and an ENOTFOUND error saying why if the repository has no
// name (see Found.Problem), or is gitolite-admin.
func (r *Repos) RepoAt(ctx context.Context, gitDir string) (*hooks.GitRepo, error) {
	dir, err := filepath.Abs(gitDir)
	if err != nil {
		return nil, errNotFound()
	}
	if dir, err = filepath.EvalSymlinks(dir); err != nil {
		return nil, errNotFound()
	}
	var f *Found
	err = r.lookup(ctx, func(x *repoIndex) bool {
		f = x.byDir[dir]
		return f != nil && IsBareRepo(f.GitDir)
	}, func(root string) bool {
		return strings.HasPrefix(dir, root+string(filepath.Separator)) && IsBareRepo(dir)
	})
	if err != nil {
		return nil, err
	}
	switch {
	case f.Skip:
		return nil, hooks.Errorf(hooks.ENOTFOUND, "%s is gitolite's administration repository: no webhooks", f.Rel)
	case f.Problem != "":
		return nil, hooks.Errorf(hooks.ENOTFOUND, "%s has no repository name: %s", f.Rel, f.Problem)
	}
	return readGitRepo(f.GitDir, f.Owner, f.Name)
}

// All returns every bare repository under Root, named or not, scanning the
// tree now.
func (r *Repos) All(ctx context.Context) ([]*Found, error) {
	x, err := r.scan(ctx)
	if err != nil {
		return nil, err
	}
	return x.all, nil
}

// Known returns every bare repository under Root as the last scan found
// them, scanning again only if that scan is older than maxAge.
func (r *Repos) Known(ctx context.Context) ([]*Found, error) {
	x, err := r.current(ctx)
	if err != nil {
		return nil, err
	}
	return x.all, nil
}

// ListRepos returns the named repositories under Root as the last scan
// found them (scanning again only if that scan is older than maxAge), sorted
// by owner/name; only GitDir, Owner and Name are set.
func (r *Repos) ListRepos(ctx context.Context) ([]*hooks.GitRepo, error) {
	x, err := r.current(ctx)
	if err != nil {
		return nil, err
	}
	var out []*hooks.GitRepo
	for _, f := range x.all {
		if f.Name != "" && !f.Skip && f.Problem == "" {
			out = append(out, &hooks.GitRepo{GitDir: f.GitDir, Owner: f.Owner, Name: f.Name})
		}
	}
	slices.SortFunc(out, func(a, b *hooks.GitRepo) int {
		return strings.Compare(a.Owner+"/"+a.Name, b.Owner+"/"+b.Name)
	})
	return out, nil
}

// lookup runs find on the index until it reports success: on the index as
// it is, then on a new scan if the index is older than rescanAfter or onDisk
// reports that what was looked for is on disk after all.
func (r *Repos) lookup(ctx context.Context, find func(*repoIndex) bool, onDisk func(root string) bool) error {
	x, err := r.current(ctx)
	if err != nil {
		return err
	}
	if find(x) {
		return nil
	}
	r.mu.Lock()
	fresh := time.Since(r.scanned) < rescanAfter
	r.mu.Unlock()
	if fresh && !onDisk(x.root) {
		return errNotFound()
	}
	if x, err = r.scan(ctx); err != nil {
		return err
	}
	if find(x) {
		return nil
	}
	return errNotFound()
}

// current returns the index, scanning if there is none or it is too old.
func (r *Repos) current(ctx context.Context) (*repoIndex, error) {
	r.mu.Lock()
	x, at := r.index, r.scanned
	r.mu.Unlock()
	if x != nil && time.Since(at) < maxAge {
		return x, ctx.Err()
	}
	return r.scan(ctx)
}

// scan scans the tree and keeps the result.
func (r *Repos) scan(ctx context.Context) (*repoIndex, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	root, err := r.root()
	if err != nil {
		return nil, err
	}
	x := newRepoIndex(root, Scan(root, r.DefaultOwner))
	r.mu.Lock()
	r.index, r.scanned = x, time.Now()
	r.mu.Unlock()
	return x, nil
}

// candidates returns the directories under root that NameFor could have
// named owner/name, ignoring nested ones whose names have more than
// maxCandidateDots dots.
func candidates(root, owner, name, defaultOwner string) []string {
	var rels []string
	if owner == defaultOwner || defaultOwner == "" && owner == DefaultOwner {
		rels = append(rels, name)
	}
	dots := strings.Count(name, ".")
	for mask := 0; mask < 1<<min(dots, maxCandidateDots); mask++ {
		parts := strings.Split(name, ".")
		var b strings.Builder
		b.WriteString(owner + "/" + parts[0])
		for i, p := range parts[1:] {
			if mask&(1<<i) != 0 {
				b.WriteString("/")
			} else {
				b.WriteString(".")
			}
			b.WriteString(p)
		}
		rels = append(rels, b.String())
	}
	var out []string
	for _, rel := range rels {
		out = append(out, filepath.Join(root, rel+".git"), filepath.Join(root, rel))
	}
	return out
}

// maxCandidateDots bounds the nested layouts candidates tries.
const maxCandidateDots = 4

// root returns Root as an absolute path with symbolic links resolved.
func (r *Repos) root() (string, error) {
	if r.Root == "" {
		return "", errors.New("repos root: not set")
	}
	root, err := filepath.Abs(r.Root)
	if err != nil {
		return "", fmt.Errorf("repos root: %w", err)
	}
	if root, err = filepath.EvalSymlinks(root); err != nil {
		return "", fmt.Errorf("repos root: %w", err)
	}
	return root, nil
}

// isRealDir reports whether path is a directory and not a symbolic link.
func isRealDir(path string) bool {
	fi, err := os.Lstat(path)
	return err == nil && fi.IsDir()
}
