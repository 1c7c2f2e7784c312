package git

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strings"

	"github.com/forgehook/forgehook/hooks"
)

// Repos finds the bare repositories under Root, laid out as
// Root/OWNER/NAME.git. Owner and repository directories must be real
// directories (not symbolic links) whose names satisfy hooks.ValidName; Root
// itself may be a symbolic link.
type Repos struct {
	Root string
}

var _ hooks.GitRepos = (*Repos)(nil)

// errNotFound is the error of every repository lookup that fails.
func errNotFound() error { return hooks.Errorf(hooks.ENOTFOUND, "Not Found") }

// FindRepo returns the bare repository owner/name. Names compare
// case-insensitively; an exact match wins over other spellings, and among
// several spellings on disk the lexicographically first wins. It returns
// ENOTFOUND if either name is invalid or there is no such bare repository.
func (r *Repos) FindRepo(ctx context.Context, owner, name string) (*hooks.GitRepo, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	if !hooks.ValidName(owner) || !hooks.ValidName(name) {
		return nil, errNotFound()
	}
	root, err := r.root()
	if err != nil {
		return nil, err
	}
	if isRealDir(filepath.Join(root, owner)) && isRealDir(filepath.Join(root, owner, name+".git")) &&
		isBareRepo(filepath.Join(root, owner, name+".git")) {
		return readGitRepo(filepath.Join(root, owner, name+".git"), owner, name)
	}
	for _, o := range matchDirs(root, owner, "") {
		for _, n := range matchDirs(filepath.Join(root, o), name, ".git") {
			gitDir := filepath.Join(root, o, n+".git")
			if isBareRepo(gitDir) {
				return readGitRepo(gitDir, o, n)
			}
		}
	}
	return nil, errNotFound()
}

// FindOwner returns owner as spelled on disk: the directory under Root that
// holds its repositories, matched like FindRepo. It returns ENOTFOUND if
// there is none.
func (r *Repos) FindOwner(ctx context.Context, owner string) (string, error) {
	if err := ctx.Err(); err != nil {
		return "", err
	}
	if !hooks.ValidName(owner) {
		return "", errNotFound()
	}
	root, err := r.root()
	if err != nil {
		return "", err
	}
	if found := matchDirs(root, owner, ""); len(found) > 0 {
		return found[0], nil
	}
	return "", errNotFound()
}

// RepoAt returns the repository whose git dir, after resolving symbolic
// links, is exactly Root/OWNER/NAME.git with valid names, or ENOTFOUND.
func (r *Repos) RepoAt(ctx context.Context, gitDir string) (*hooks.GitRepo, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	root, err := r.root()
	if err != nil {
		return nil, err
	}
	dir, err := filepath.Abs(gitDir)
	if err != nil {
		return nil, errNotFound()
	}
	if dir, err = filepath.EvalSymlinks(dir); err != nil {
		return nil, errNotFound()
	}
	rel, err := filepath.Rel(root, dir)
	if err != nil {
		return nil, errNotFound()
	}
	owner, repo, ok := strings.Cut(filepath.ToSlash(rel), "/")
	name, isGit := strings.CutSuffix(repo, ".git")
	if !ok || !isGit || !hooks.ValidName(owner) || !hooks.ValidName(name) || !isBareRepo(dir) {
		return nil, errNotFound()
	}
	return readGitRepo(dir, owner, name)
}

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

// matchDirs returns the names, without suffix, of the real directories in dir
// called want+suffix ignoring case: the exact spelling first, then the others
// in lexicographic order. Names that are not hooks.ValidName are skipped.
func matchDirs(dir, want, suffix string) []string {
	var out []string
	if isRealDir(filepath.Join(dir, want+suffix)) {
		out = append(out, want)
	}
	entries, err := os.ReadDir(dir)
	if err != nil {
		return out
	}
	var others []string
	for _, e := range entries {
		name, ok := strings.CutSuffix(e.Name(), suffix)
		if ok && e.IsDir() && name != want && strings.EqualFold(name, want) && hooks.ValidName(name) {
			others = append(others, name)
		}
	}
	sort.Strings(others)
	return append(out, others...)
}

// isRealDir reports whether path is a directory and not a symbolic link.
func isRealDir(path string) bool {
	fi, err := os.Lstat(path)
	return err == nil && fi.IsDir()
}
