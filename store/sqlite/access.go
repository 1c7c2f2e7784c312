package sqlite

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"os/user"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"syscall"

	"github.com/mattn/go-sqlite3"
)

// AccessError is a file permission problem that keeps a user from writing a
// database: the file or directory at fault, the user, its owner and mode,
// and how to fix it. Its message is one line, for example:
//
//	cannot write /srv/forgehook/forgehook.db as user git (owner forgehook:forgehook, mode 0644): run 'chmod 660 /srv/forgehook/forgehook.db' and add git to group forgehook
type AccessError struct {
	Path   string // the file or directory at fault
	User   string // who lacks access: a user name, or a uid without one
	Owner  string // Path's owner and group, "user:group"
	Mode   uint32 // Path's permission bits as chmod takes them, e.g. 0o2755
	Action string // what User cannot do to Path: "write", "create files in" or "enter"
	Fix    string // what to do, e.g. "run 'chmod 660 /srv/forgehook/forgehook.db'"
	Err    error  // the error that showed the problem; nil from CheckAccess
}

// Error is the one line an admin reads: the file, the user and the fix.
func (e *AccessError) Error() string {
	return fmt.Sprintf("cannot %s %s as user %s (owner %s, mode %04o): %s", e.Action, e.Path, e.User, e.Owner, e.Mode, e.Fix)
}

// Unwrap returns the error that showed the problem.
func (e *AccessError) Unwrap() error { return e.Err }

// CheckAccess reports whether the user uid, a member of the groups gids,
// could open the database at path and write it (creating it if it does not
// exist) as far as file modes go: every directory above it can be entered;
// the database and its -wal and -shm files, where they exist, can be read
// and written; and files can be created in its directory, where SQLite
// creates and removes the -wal and -shm files as it goes. If gids is nil,
// the user's groups are looked up in the system's group database. Root may
// do anything. ACLs and read-only mounts are not considered.
//
// CheckAccess returns an *AccessError for the first problem found, another
// error if the files cannot be inspected (a missing directory, say), or nil.
// Run as root, it answers for any user: for example whether the owner of a
// repository can record pushes.
func CheckAccess(path string, uid int, gids []int) error {
	abs, err := filepath.Abs(path)
	if err != nil {
		return fmt.Errorf("check access to %s: %w", path, err)
	}
	if uid == 0 {
		return nil
	}
	a := newAccessor(uid, gids)
	dir := filepath.Dir(abs)
	for _, d := range ancestors(dir) {
		st, err := stat(d)
		if err != nil {
			return fmt.Errorf("check access to %s: %w", abs, err)
		}
		if !a.can(st, 0o1) {
			return a.problem(d, st, "enter", a.fix([]string{d}, st, enterFix))
		}
	}
	var files []string // the database's files that exist
	var stats []*syscall.Stat_t
	for _, f := range []string{abs, abs + "-wal", abs + "-shm"} {
		st, err := stat(f)
		if errors.Is(err, fs.ErrNotExist) {
			continue
		}
		if err != nil {
			return fmt.Errorf("check access to %s: %w", abs, err)
		}
		files, stats = append(files, f), append(stats, st)
	}
	for i, f := range files {
		if a.can(stats[i], 0o6) {
			continue
		}
		fix := []string{f}
		if f == abs {
			fix = files // SQLite gave -wal and -shm the database's mode: fix them too
		}
		return a.problem(f, stats[i], "write", a.fix(fix, stats[i], fileFix))
	}
	dbExists := len(files) > 0 && files[0] == abs
	st, err := stat(dir)
	if err != nil {
		return fmt.Errorf("check access to %s: %w", abs, err)
	}
	if !a.can(st, 0o3) {
		base := filepath.Base(abs)
		why := "forgehook creates " + base + "-wal and " + base + "-shm there; "
		if !dbExists {
			why = "forgehook creates " + base + " and its -wal and -shm files there; "
		}
		return a.problem(dir, st, "create files in", why+a.fix([]string{dir}, st, dirFix))
	}
	return nil
}

// ExplainAccess returns err, or, if err is a permission problem with the
// database at path (SQLite's "attempt to write a readonly database" or
// "unable to open database file", or a permission denied), an *AccessError
// that says which file keeps this process's user from writing the database
// and how to fix it, wrapping err. Calling it twice changes nothing.
func ExplainAccess(path string, err error) error {
	var ae *AccessError
	if err == nil || errors.As(err, &ae) || !permissionProblem(err) {
		return err
	}
	gids, _ := os.Getgroups()
	if !errors.As(CheckAccess(path, os.Geteuid(), append(gids, os.Getegid())), &ae) {
		return err
	}
	ae.Err = err
	return ae
}

// permissionProblem reports whether err may come from file modes.
func permissionProblem(err error) bool {
	var se sqlite3.Error
	if errors.As(err, &se) {
		switch se.Code {
		case sqlite3.ErrReadonly, sqlite3.ErrCantOpen, sqlite3.ErrPerm, sqlite3.ErrAuth:
			return true
		}
	}
	return errors.Is(err, fs.ErrPermission)
}

// ancestors returns the directories from / down to dir, dir included.
func ancestors(dir string) []string {
	var out []string
	for d := dir; ; d = filepath.Dir(d) {
		out = append(out, d)
		if d == filepath.Dir(d) {
			break
		}
	}
	slices.Reverse(out)
	return out
}

func stat(path string) (*syscall.Stat_t, error) {
	fi, err := os.Stat(path)
	if err != nil {
		return nil, err
	}
	st, ok := fi.Sys().(*syscall.Stat_t)
	if !ok {
		return nil, fmt.Errorf("stat %s: no owner", path)
	}
	return st, nil
}

// accessor is a user as the kernel checks file modes for it.
type accessor struct {
	uid     int
	gids    []int
	name    string
	primary string // the name of the user's primary group, or ""
}

func newAccessor(uid int, gids []int) accessor {
	a := accessor{uid: uid, gids: gids, name: strconv.Itoa(uid)}
	u, err := user.LookupId(a.name)
	if err != nil {
		return a
	}
	a.name = u.Username
	if g, err := user.LookupGroupId(u.Gid); err == nil {
		a.primary = g.Name
	}
	if a.gids == nil {
		ids, _ := u.GroupIds()
		for _, id := range append(ids, u.Gid) {
			if n, err := strconv.Atoi(id); err == nil {
				a.gids = append(a.gids, n)
			}
		}
	}
	return a
}

// can reports whether the mode bits of st grant a all of want (rwx bits,
// 0o1 to 0o7). As in the kernel, only the owner's bits apply to the owner
// and only the group's to a member of the group.
func (a accessor) can(st *syscall.Stat_t, want uint32) bool {
	m := uint32(st.Mode)
	switch {
	case int(st.Uid) == a.uid:
		m >>= 6
	case slices.Contains(a.gids, int(st.Gid)):
		m >>= 3
	}
	return m&want == want
}

// Kinds of fixes: for a file of the database, its directory, or a
// directory above it.
const (
	fileFix = iota
	dirFix
	enterFix
)

// fix says how to give a the access it lacks to paths (one path, or the
// database's files, which are like the first, st): through the file's group,
// which a joins if it is not a member, or, for files of root's group, by
// making a their owner.
func (a accessor) fix(paths []string, st *syscall.Stat_t, kind int) string {
	var quoted []string
	for _, p := range paths {
		quoted = append(quoted, shellQuote(p))
	}
	p := strings.Join(quoted, " ")
	owner := int(st.Uid) == a.uid
	member := slices.Contains(a.gids, int(st.Gid))
	byOwner := owner || (!member && st.Gid == 0)
	var chmod string
	switch {
	case kind == fileFix:
		chmod = "chmod 660 " + p
	case kind == dirFix && byOwner:
		chmod = "chmod u+rwx " + p
	case kind == dirFix:
		chmod = "chmod g+rwxs " + p
	case owner:
		chmod = "chmod u+x " + p
	case kind == enterFix && st.Gid == 0 && !member:
		return "run 'chmod o+x " + p + "'" // a system directory: let everyone through
	default:
		chmod = "chmod g+x " + p
	}
	switch {
	case owner || member:
		return "run '" + chmod + "'"
	case byOwner:
		who := a.name
		if a.primary != "" {
			who += ":" + a.primary
		}
		return "run 'chown " + who + " " + p + " && " + chmod + "'"
	default:
		return "run '" + chmod + "' and add " + a.name + " to group " + groupName(st.Gid)
	}
}

func (a accessor) problem(path string, st *syscall.Stat_t, action, fix string) *AccessError {
	return &AccessError{Path: path, User: a.name, Owner: userName(st.Uid) + ":" + groupName(st.Gid),
		Mode: uint32(st.Mode) & 0o7777, Action: action, Fix: fix}
}

func userName(uid uint32) string {
	id := strconv.FormatUint(uint64(uid), 10)
	if u, err := user.LookupId(id); err == nil {
		return u.Username
	}
	return id
}

func groupName(gid uint32) string {
	id := strconv.FormatUint(uint64(gid), 10)
	if g, err := user.LookupGroupId(id); err == nil {
		return g.Name
	}
	return id
}

// shellQuote returns s as one shell word.
func shellQuote(s string) string {
	if s != "" && strings.Trim(s, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789/._-+:@,=") == "" {
		return s
	}
	return `"` + strings.NewReplacer(`\`, `\\`, `"`, `\"`, `$`, `\$`, "`", "\\`").Replace(s) + `"`
}
