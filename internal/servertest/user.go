package servertest

import (
	"fmt"
	"os"
	"os/exec"
	"os/user"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"
)

// User is a unix account that servers and hooks run as.
type User struct {
	Name     string
	Group    string // the name of its primary group
	UID, GID uint32
	Groups   []uint32 // every group it is a member of, the primary one included
	Home     string   // the home directory in the password database
}

// MustUser returns the account name, creating it as a system user with its
// own group and /bin/sh as shell when it does not exist, and making it a
// member of groups (created as system groups if needed). Its password is
// set to "*" (no password, but not locked), since sshd refuses locked
// accounts.
func MustUser(tb testing.TB, name string, groups ...string) *User {
	tb.Helper()
	Need(tb, "passwd", "/usr/sbin/useradd", "/usr/sbin/usermod", "/usr/sbin/groupadd")
	for _, g := range groups {
		if _, err := user.LookupGroup(g); err != nil {
			mustRun(tb, exec.Command("/usr/sbin/groupadd", "--system", g))
		}
	}
	if _, err := user.Lookup(name); err != nil {
		mustRun(tb, exec.Command("/usr/sbin/useradd", "--system", "--user-group", "--shell", "/bin/sh",
			"--home-dir", "/nonexistent", "--no-create-home", name))
		mustRun(tb, exec.Command("/usr/sbin/usermod", "-p", "*", name))
	}
	for _, g := range groups {
		mustRun(tb, exec.Command("/usr/sbin/usermod", "--append", "--groups", g, name)) // no change if a member already
	}
	return LookupUser(tb, name)
}

// MustGroupID returns the id of the group name.
func MustGroupID(tb testing.TB, name string) uint32 {
	tb.Helper()
	g, err := user.LookupGroup(name)
	if err != nil {
		tb.Fatalf("look up group %s: %v", name, err)
	}
	gid, err := strconv.ParseUint(g.Gid, 10, 32)
	if err != nil {
		tb.Fatal(err)
	}
	return uint32(gid)
}

// LookupUser returns the existing account name.
func LookupUser(tb testing.TB, name string) *User {
	tb.Helper()
	u, err := user.Lookup(name)
	if err != nil {
		tb.Fatalf("look up user %s: %v", name, err)
	}
	g, err := user.LookupGroupId(u.Gid)
	if err != nil {
		tb.Fatalf("look up the group of %s: %v", name, err)
	}
	uid, _ := strconv.ParseUint(u.Uid, 10, 32)
	gid, _ := strconv.ParseUint(u.Gid, 10, 32)
	ids, err := u.GroupIds()
	if err != nil {
		tb.Fatalf("look up the groups of %s: %v", name, err)
	}
	var groups []uint32
	for _, id := range ids {
		if n, err := strconv.ParseUint(id, 10, 32); err == nil {
			groups = append(groups, uint32(n))
		}
	}
	return &User{Name: name, Group: g.Name, UID: uint32(uid), GID: uint32(gid), Groups: groups, Home: u.HomeDir}
}

// Cmd returns a command that runs as the user, in its home directory when
// that exists, with a clean environment: HOME, USER, LOGNAME, a system PATH
// and env.
func (u *User) Cmd(env []string, name string, args ...string) *exec.Cmd {
	cmd := exec.Command(name, args...)
	u.Prepare(cmd, env...)
	return cmd
}

// Prepare makes cmd run as the user, in its home, with a minimal
// environment plus env.
func (u *User) Prepare(cmd *exec.Cmd, env ...string) {
	cmd.SysProcAttr = &syscall.SysProcAttr{Credential: &syscall.Credential{Uid: u.UID, Gid: u.GID, Groups: u.Groups}, Pdeathsig: syscall.SIGKILL}
	cmd.Env = append([]string{"HOME=" + u.Home, "USER=" + u.Name, "LOGNAME=" + u.Name,
		"PATH=/usr/local/bin:/usr/bin:/bin:/usr/sbin:/sbin", "LANG=C"}, env...)
	cmd.Dir = "/"
	if fi, err := os.Stat(u.Home); err == nil && fi.IsDir() {
		cmd.Dir = u.Home
	}
}

// MustRun runs name as the user and returns its trimmed combined output.
func (u *User) MustRun(tb testing.TB, env []string, name string, args ...string) string {
	tb.Helper()
	return mustRun(tb, u.Cmd(env, name, args...))
}

// WithUmask returns a function that makes a command run as the user, with
// every group of the user, under umask, in dir, keeping the command's
// environment: an Env.Prepare, say.
func (u *User) WithUmask(umask int, dir string) func(*exec.Cmd) {
	return func(cmd *exec.Cmd) {
		cmd.Args = append([]string{"sh", "-c", fmt.Sprintf(`umask %04o && exec "$@"`, umask), "sh", cmd.Path}, cmd.Args[1:]...)
		cmd.Path = "/bin/sh"
		cmd.Dir = dir
		cmd.SysProcAttr = &syscall.SysProcAttr{Credential: &syscall.Credential{Uid: u.UID, Gid: u.GID, Groups: u.Groups}}
	}
}

// MustDir returns a new directory owned by the user, mode 0755, outside the
// test's own temporary directories (which other users cannot enter); it is
// removed when the test ends.
func (u *User) MustDir(tb testing.TB) string {
	tb.Helper()
	dir := MustSharedDir(tb)
	u.MustChown(tb, dir)
	return dir
}

// MustSharedDir returns a new directory, mode 0755, that every user may
// enter, as the test's own temporary directories (under a 0700 parent) are
// not; it is removed when the test ends.
func MustSharedDir(tb testing.TB) string {
	tb.Helper()
	dir, err := os.MkdirTemp("", "forgehook-shared-")
	if err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(func() { os.RemoveAll(dir) })
	if err := os.Chmod(dir, 0o755); err != nil {
		tb.Fatal(err)
	}
	return dir
}

// MustChown gives path, and everything under it, to the user and its group.
func (u *User) MustChown(tb testing.TB, path string) {
	tb.Helper()
	err := filepath.Walk(path, func(p string, _ os.FileInfo, err error) error {
		if err != nil {
			return err
		}
		return os.Lchown(p, int(u.UID), int(u.GID))
	})
	if err != nil {
		tb.Fatalf("chown %s to %s: %v", path, u.Name, err)
	}
}

// mustRun runs cmd and returns its trimmed combined output, failing the test
// with that output if it fails.
func mustRun(tb testing.TB, cmd *exec.Cmd) string {
	tb.Helper()
	out, err := cmd.CombinedOutput()
	if err != nil {
		tb.Fatalf("%s: %v\n%s", strings.Join(cmd.Args, " "), err, out)
	}
	return strings.TrimSpace(string(out))
}
