package git

import (
	"bufio"
	"bytes"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"

	"github.com/go-git/go-git/v5/plumbing"
)

// errNoLooseRefs is what readBranchesAndTags returns for a repository whose
// refs are not stored as files: reftable (git 2.45+), which go-git does not
// read either.
var errNoLooseRefs = errors.New("list refs: refs are not stored as files (reftable is not supported)")

// readBranchesAndTags returns the branches and tags of the bare repository
// at gitDir by name, leaving out symbolic refs, by reading packed-refs and
// the loose refs under refs/heads and refs/tags. (Listing them through
// go-git walked all of refs/ and cost, on every push, as much as the rest of
// reading a small push; and it linked go-git's transports, whose package
// initialization every run of the post-receive hook paid.)
func readBranchesAndTags(gitDir string) (map[string]plumbing.Hash, error) {
	if fi, err := os.Stat(filepath.Join(gitDir, "refs", "heads")); err != nil || !fi.IsDir() {
		return nil, errNoLooseRefs
	}
	refs := make(map[string]plumbing.Hash)
	if err := readPackedRefs(filepath.Join(gitDir, "packed-refs"), refs); err != nil {
		return nil, fmt.Errorf("list refs: %w", err)
	}
	// Loose refs win over packed ones of the same name.
	for _, dir := range []string{"refs/heads", "refs/tags"} {
		if err := readLooseRefs(gitDir, dir, refs); err != nil {
			return nil, fmt.Errorf("list refs: %w", err)
		}
	}
	return refs, nil
}

// readPackedRefs adds the branches and tags of a packed-refs file, if there
// is one, to refs.
func readPackedRefs(path string, refs map[string]plumbing.Hash) error {
	b, err := os.ReadFile(path)
	if errors.Is(err, fs.ErrNotExist) {
		return nil
	}
	if err != nil {
		return err
	}
	sc := bufio.NewScanner(bytes.NewReader(b))
	sc.Buffer(make([]byte, 0, 4096), 1<<20)
	for sc.Scan() {
		line := sc.Bytes()
		if len(line) == 0 || line[0] == '#' || line[0] == '^' { // header, peeled tag
			continue
		}
		hex, name, ok := bytes.Cut(line, []byte{' '})
		var h plumbing.Hash
		if !ok || !parseHash(&h, hex) {
			return fmt.Errorf("%s: bad line %q", path, line)
		}
		if n := string(name); strings.HasPrefix(n, "refs/heads/") || strings.HasPrefix(n, "refs/tags/") {
			refs[n] = h
		}
	}
	return sc.Err()
}

// readLooseRefs adds the loose refs under gitDir/dir to refs. A symbolic
// ref hides a packed ref of its name; lock files are skipped.
func readLooseRefs(gitDir, dir string, refs map[string]plumbing.Hash) error {
	entries, err := os.ReadDir(filepath.Join(gitDir, filepath.FromSlash(dir)))
	if errors.Is(err, fs.ErrNotExist) {
		return nil
	}
	if err != nil {
		return err
	}
	for _, e := range entries {
		name := dir + "/" + e.Name()
		switch {
		case e.IsDir():
			if err := readLooseRefs(gitDir, name, refs); err != nil {
				return err
			}
			continue
		case strings.HasSuffix(name, ".lock"):
			continue
		}
		b, err := os.ReadFile(filepath.Join(gitDir, filepath.FromSlash(name)))
		if errors.Is(err, fs.ErrNotExist) {
			continue // deleted meanwhile
		}
		if err != nil {
			return err
		}
		b = bytes.TrimSpace(b)
		if bytes.HasPrefix(b, []byte("ref:")) {
			delete(refs, name)
			continue
		}
		var h plumbing.Hash
		if !parseHash(&h, b) {
			return fmt.Errorf("%s: not a ref", name)
		}
		refs[name] = h
	}
	return nil
}
