package servertest

import (
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
	Home     string // the home directory in the password database
}

// MustUser returns the account name, creating it as a system user with its
// own group and /bin/sh as shell when it does not exist. Its password is
// set to "*" (no password, but not locked), since sshd refuses locked
// accounts.
func MustUser(tb testing.TB, name string) *User {
	tb.Helper()
	Need(tb, "passwd", "/usr/sbin/useradd", "/usr/sbin/usermod")
	if _, err := user.Lookup(name); err != nil {
		mustRun(tb, exec.Command("/usr/sbin/useradd", "--system", "--user-group", "--shell", "/bin/sh",
			"--home-dir", "/nonexistent", "--no-create-home", name))
		mustRun(tb, exec.Command("/usr/sbin/usermod", "-p", "*", name))
	}
	return LookupUser(tb, name)
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
	return &User{Name: name, Group: g.Name, UID: uint32(uid), GID: uint32(gid), Home: u.HomeDir}
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
	cmd.SysProcAttr = &syscall.SysProcAttr{Credential: &syscall.Credential{Uid: u.UID, Gid: u.GID}, Pdeathsig: syscall.SIGKILL}
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

// MustDir returns a new directory owned by the user, mode 0755, outside the
// test's own temporary directories (which other users cannot enter); it is
// removed when the test ends.
func (u *User) MustDir(tb testing.TB) string {
	tb.Helper()
	dir, err := os.MkdirTemp("", "forgehook-"+u.Name+"-")
	if err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(func() { os.RemoveAll(dir) })
	if err := os.Chmod(dir, 0o755); err != nil {
		tb.Fatal(err)
	}
	u.MustChown(tb, dir)
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
