package main

import (
	"errors"
	"os"
	"syscall"

	"github.com/forgehook/forgehook/store/sqlite"
)

// fileOwner returns the uid and gid of the file at path.
func fileOwner(path string) (uid, gid int, ok bool) {
	fi, err := os.Stat(path)
	if err != nil {
		return 0, 0, false
	}
	st, ok := fi.Sys().(*syscall.Stat_t)
	if !ok {
		return 0, 0, false
	}
	return int(st.Uid), int(st.Gid), true
}

// dbAccessWarning returns why the owner of the repository at gitDir, who
// runs its hook, could not write the database at db, or "".
func dbAccessWarning(db, gitDir string) string {
	if isPostgres(db) {
		return "" // no file: PostgreSQL's own roles decide
	}
	uid, _, ok := fileOwner(gitDir)
	if !ok {
		return ""
	}
	var ae *sqlite.AccessError
	if err := sqlite.CheckAccess(db, uid, nil); errors.As(err, &ae) {
		return ae.Error()
	}
	return ""
}
