package sqlite

import (
	"errors"
	"io/fs"
	"os"
)

// File modes of the files forgehook creates beside each other. The database
// is read and written by the daemon and by the post-receive hook, which may
// run as two users sharing a group, and holds hook secrets: owner and group
// only. SQLite gives the -wal and -shm files it creates the database file's
// mode (and, running as root, its owner). The gate file is only ever locked
// for reading, so the group needs no write access to it.
const (
	dbMode   fs.FileMode = 0o660
	gateMode fs.FileMode = 0o640
)

// createFile creates the file at path with exactly mode, whatever the
// umask, or does nothing if it exists: an existing file keeps its mode. It
// never changes the file's group, which the kernel takes from a setgid
// directory.
func createFile(path string, mode fs.FileMode) error {
	f, err := os.OpenFile(path, os.O_RDWR|os.O_CREATE|os.O_EXCL, mode)
	if errors.Is(err, fs.ErrExist) {
		return nil
	}
	if err != nil {
		return err
	}
	err = f.Chmod(mode) // fchmod: the umask only applies at open
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	return err
}
