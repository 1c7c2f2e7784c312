package git

import (
	"os"
	"path/filepath"
	"sort"
	"strings"

	"github.com/forgehook/forgehook/hooks"
)

// DefaultOwner is the owner of repositories that lie directly under the
// repos root (ROOT/NAME.git), when none is configured.
const DefaultOwner = "git"

// GitoliteAdmin is gitolite's own administration repository. It gets no
// name: its pushes change gitolite's configuration, not code.
const GitoliteAdmin = "gitolite-admin"

// maxDepth bounds how deep under the repos root repositories are looked for.
const maxDepth = 8

// Found is a bare repository found under the repos root, with the name
// forgehook gives it.
type Found struct {
	GitDir  string // absolute, symbolic links resolved
	Rel     string // GitDir relative to the root, with slashes
	Owner   string // the GitHub owner; "" if the repository has no name
	Name    string // the GitHub repository name; "" if it has none
	Skip    bool   // gitolite-admin: never recorded, quietly
	Problem string // why the repository cannot be addressed, or ""
}

// FullName returns "owner/name".
func (f *Found) FullName() string { return f.Owner + "/" + f.Name }

// NameFor returns the GitHub owner and name of the repository at rel, a
// slash-separated path relative to the repos root:
//
//	OWNER/NAME.git        OWNER/NAME
//	NAME.git              DEFAULT/NAME        (defaultOwner, or DefaultOwner)
//	OWNER/A/B/NAME.git    OWNER/A.B.NAME      (deeper directories joined with '.')
//
// A trailing ".git" is optional. ok is false when a part is not a valid
// GitHub name (hooks.ValidName).
func NameFor(rel, defaultOwner string) (owner, name string, ok bool) {
	if defaultOwner == "" {
		defaultOwner = DefaultOwner
	}
	parts := strings.Split(strings.TrimSuffix(rel, ".git"), "/")
	if len(parts) == 1 {
		owner, name = defaultOwner, parts[0]
	} else {
		owner, name = parts[0], strings.Join(parts[1:], ".")
	}
	for _, p := range parts {
		if !hooks.ValidName(p) {
			return "", "", false
		}
	}
	return owner, name, hooks.ValidName(owner) && hooks.ValidName(name)
}

// Scan returns every bare repository under root (a clean absolute path with
// symbolic links resolved), at most maxDepth levels down, sorted by path.
// It does not follow symbolic links nor look inside repositories, hidden
// directories or directories it cannot read. Repositories whose names
// collide keep the name in this order: the plain OWNER/NAME.git layout,
// then a flat one, then a nested one, then the first path; the others get a
// Problem.
func Scan(root, defaultOwner string) []*Found {
	var found []*Found
	var walk func(dir, rel string, depth int)
	walk = func(dir, rel string, depth int) {
		entries, err := os.ReadDir(dir)
		if err != nil {
			return
		}
		for _, e := range entries {
			if !e.IsDir() || strings.HasPrefix(e.Name(), ".") { // e.IsDir is false for symbolic links
				continue
			}
			path, r := filepath.Join(dir, e.Name()), e.Name()
			if rel != "" {
				r = rel + "/" + e.Name()
			}
			if IsBareRepo(path) {
				found = append(found, newFound(path, r, defaultOwner))
			} else if depth < maxDepth {
				walk(path, r, depth+1)
			}
		}
	}
	walk(root, "", 1)
	sort.Slice(found, func(i, j int) bool { return found[i].Rel < found[j].Rel })
	markCollisions(found)
	return found
}

// newFound names the repository at path, rel under the root.
func newFound(path, rel, defaultOwner string) *Found {
	f := &Found{GitDir: path, Rel: rel}
	if rel == GitoliteAdmin+".git" {
		f.Skip = true
		return f
	}
	owner, name, ok := NameFor(rel, defaultOwner)
	if !ok {
		f.Problem = "no GitHub name: use only letters, digits, - _ ."
		return f
	}
	f.Owner, f.Name = owner, name
	return f
}

// markCollisions gives every repository that loses its name to another a
// Problem (see Scan).
func markCollisions(found []*Found) {
	byName := map[string][]*Found{}
	for _, f := range found {
		if f.Problem == "" && !f.Skip {
			byName[f.FullName()] = append(byName[f.FullName()], f)
		}
	}
	for _, same := range byName {
		if len(same) < 2 {
			continue
		}
		sort.SliceStable(same, func(i, j int) bool { return layoutRank(same[i].Rel) < layoutRank(same[j].Rel) })
		for _, f := range same[1:] {
			f.Problem = "name " + f.FullName() + " taken by " + same[0].Rel + "; rename one"
		}
	}
}

// layoutRank orders the layouts that may give the same name: OWNER/NAME.git
// first, then NAME.git, then deeper ones.
func layoutRank(rel string) int {
	switch strings.Count(rel, "/") {
	case 1:
		return 0
	case 0:
		return 1
	default:
		return 2
	}
}
