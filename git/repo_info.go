package git

import (
	"bytes"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/forgehook/forgehook/hooks"
)

// defaultDescription is what git init writes into the description file.
const defaultDescription = "Unnamed repository; edit this file 'description' to name the repository."

// IsBareRepo reports whether dir looks like a bare repository: it has a HEAD
// file and objects and refs directories.
func IsBareRepo(dir string) bool {
	head, err := os.Stat(filepath.Join(dir, "HEAD"))
	if err != nil || !head.Mode().IsRegular() {
		return false
	}
	for _, sub := range []string{"objects", "refs"} {
		if fi, err := os.Stat(filepath.Join(dir, sub)); err != nil || !fi.IsDir() {
			return false
		}
	}
	return true
}

// readGitRepo describes the bare repository at gitDir, an absolute clean path.
func readGitRepo(gitDir, owner, name string) (*hooks.GitRepo, error) {
	desc, err := readSmallFile(filepath.Join(gitDir, "description"))
	if err != nil && !os.IsNotExist(err) {
		return nil, fmt.Errorf("read description: %w", err)
	}
	description := strings.TrimSpace(string(desc))
	if description == defaultDescription {
		description = ""
	}
	head, err := readSmallFile(filepath.Join(gitDir, "HEAD"))
	if err != nil {
		return nil, fmt.Errorf("read HEAD: %w", err)
	}
	return &hooks.GitRepo{
		GitDir:        gitDir,
		Owner:         owner,
		Name:          name,
		Description:   description,
		DefaultBranch: headBranch(head),
		CreatedAt:     createdAt(gitDir),
	}, nil
}

// headBranch returns the branch a HEAD file points to, or "" if HEAD is
// detached or points outside refs/heads/.
func headBranch(head []byte) string {
	ref, ok := bytes.CutPrefix(bytes.TrimSpace(head), []byte("ref: refs/heads/"))
	if !ok {
		return ""
	}
	return string(ref)
}

// createdAt estimates when the repository at gitDir was created: the earliest
// modification time of the directory and of entries that git init creates and
// later operations rarely touch (description, HEAD, config, objects, refs). Each
// of them only moves forward in time, so the minimum stays put unless all of
// them change. It is the zero time if none can be read.
func createdAt(gitDir string) time.Time {
	var t time.Time
	for _, name := range []string{"", "description", "HEAD", "config", "objects", "refs"} {
		fi, err := os.Stat(filepath.Join(gitDir, name))
		if err == nil && (t.IsZero() || fi.ModTime().Before(t)) {
			t = fi.ModTime().UTC()
		}
	}
	return t
}

// readSmallFile returns at most the first 64 KiB of the file at path.
func readSmallFile(path string) ([]byte, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	return io.ReadAll(io.LimitReader(f, 64<<10))
}
