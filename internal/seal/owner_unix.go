//go:build unix

package seal

import (
	"errors"
	"io/fs"
	"os"
	"syscall"
)

// chownLike gives f the owner and group of like, if the process may: a
// process that is not root can only keep its own, which is fine.
func chownLike(f *os.File, like fs.FileInfo) error {
	st, ok := like.Sys().(*syscall.Stat_t)
	if !ok {
		return nil
	}
	if err := f.Chown(int(st.Uid), int(st.Gid)); err != nil && !errors.Is(err, fs.ErrPermission) {
		return err
	}
	return nil
}
