package git

import "github.com/go-git/go-git/v5/plumbing"

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
