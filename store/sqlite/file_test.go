package sqlite_test

import (
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"syscall"
	"testing"

	"github.com/forgehook/forgehook/store/storetest"
)

// TestOpenFileModes checks that a new database and the files beside it get
// owner and group access only, whatever the umask: the daemon and the hook
// may be two users sharing a group. It changes the process's umask, so it
// does not run in parallel.
func TestOpenFileModes(t *testing.T) {
	for _, umask := range []int{0o022, 0o077, 0o002} {
		t.Run(fmt.Sprintf("umask %04o", umask), func(t *testing.T) {
			old := syscall.Umask(umask)
			defer syscall.Umask(old)
			path := filepath.Join(t.TempDir(), "forgehook.db")
			db := MustOpenDBAt(t, path)
			storetest.MustEnqueuePush(t, db) // a write: SQLite has made -wal and -shm, the gate its file
			for file, want := range map[string]fs.FileMode{
				path: 0o660, path + "-wal": 0o660, path + "-shm": 0o660, path + ".gate": 0o640,
			} {
				if got := mustMode(t, file); got != want {
					t.Errorf("%s: mode=%04o, want %04o", filepath.Base(file), got, want)
				}
			}
		})
	}
}

func TestOpenKeepsMode(t *testing.T) {
	path := filepath.Join(t.TempDir(), "forgehook.db")
	if err := os.WriteFile(path, nil, 0o600); err != nil {
		t.Fatal(err)
	}
	storetest.MustEnqueuePush(t, MustOpenDBAt(t, path))
	for _, file := range []string{path, path + "-wal"} {
		if got := mustMode(t, file); got != 0o600 {
			t.Errorf("%s: mode=%04o, want 0600 (the existing file's)", filepath.Base(file), got)
		}
	}
}

// TestOpenSetgidDir checks that the database and its side files take the
// group of a setgid directory (the kernel's doing; nothing is chowned).
func TestOpenSetgidDir(t *testing.T) {
	mustBeRoot(t, "giving a directory a group root is no member of")
	const gid = 1 // "daemon" on Debian; any group other than root's
	dir := filepath.Join(t.TempDir(), "state")
	if err := os.Mkdir(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.Chown(dir, 0, gid); err != nil {
		t.Fatal(err)
	}
	if err := os.Chmod(dir, 0o770|fs.ModeSetgid); err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(dir, "forgehook.db")
	storetest.MustEnqueuePush(t, MustOpenDBAt(t, path))
	for _, file := range []string{path, path + "-wal", path + "-shm", path + ".gate"} {
		fi, err := os.Stat(file)
		if err != nil {
			t.Fatal(err)
		}
		if got := fi.Sys().(*syscall.Stat_t).Gid; got != gid {
			t.Errorf("%s: gid=%d, want %d (the directory's)", filepath.Base(file), got, gid)
		}
	}
}

func mustMode(tb testing.TB, path string) fs.FileMode {
	tb.Helper()
	fi, err := os.Stat(path)
	if err != nil {
		tb.Fatal(err)
	}
	return fi.Mode().Perm()
}

// mustBeRoot skips the test unless it runs as root, or fails it in CI
// (CI set), where tests must not skip.
func mustBeRoot(tb testing.TB, why string) {
	tb.Helper()
	if os.Geteuid() == 0 {
		return
	}
	if os.Getenv("CI") != "" {
		tb.Fatalf("needs root (%s); CI runs tests as root", why)
	}
	tb.Skipf("needs root (%s)", why)
}
