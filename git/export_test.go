package git

import (
	"strings"

	gogit "github.com/go-git/go-git/v5"
	"github.com/go-git/go-git/v5/plumbing"
)

// ReadObject reads object id of the repository at gitDir through the object
// store alone, for tests.
func ReadObject(gitDir, id string) (typ string, data []byte, err error) {
	s, err := openObjectStore(gitDir, newObjectCache(1<<20))
	if err != nil {
		return "", nil, err
	}
	defer s.close()
	obj, err := s.read(plumbing.NewHash(id))
	if err != nil {
		return "", nil, err
	}
	return obj.typ.String(), obj.data, nil
}

// BranchesAndTags lists the branches and tags of the repository at gitDir
// twice: by reading ref files, and with go-git.
func BranchesAndTags(gitDir string) (files, gogit map[string]string, err error) {
	f, err := readBranchesAndTags(gitDir)
	if err != nil {
		return nil, nil, err
	}
	g, err := goGitBranchesAndTags(gitDir)
	if err != nil {
		return nil, nil, err
	}
	str := func(m map[string]plumbing.Hash) map[string]string {
		out := map[string]string{}
		for k, v := range m {
			out[k] = v.String()
		}
		return out
	}
	return str(f), str(g), nil
}

// goGitBranchesAndTags lists the branches and tags of the repository at
// gitDir with go-git, leaving out symbolic refs: the reader did so before it
// read the ref files itself.
func goGitBranchesAndTags(gitDir string) (map[string]plumbing.Hash, error) {
	repo, err := gogit.PlainOpen(gitDir)
	if err != nil {
		return nil, err
	}
	iter, err := repo.References()
	if err != nil {
		return nil, err
	}
	defer iter.Close()
	refs := make(map[string]plumbing.Hash)
	err = iter.ForEach(func(r *plumbing.Reference) error {
		name := r.Name().String()
		if r.Type() == plumbing.HashReference && (strings.HasPrefix(name, "refs/heads/") || strings.HasPrefix(name, "refs/tags/")) {
			refs[name] = r.Hash()
		}
		return nil
	})
	return refs, err
}
