package wake_test

import (
	"os"
	"path/filepath"
	"syscall"
	"testing"
	"time"

	"github.com/forgehook/forgehook/internal/wake"
)

func TestListenMode(t *testing.T) {
	old := syscall.Umask(0) // the socket must not follow the umask
	defer syscall.Umask(old)
	path := filepath.Join(t.TempDir(), "forgehook.db.wake")
	l, err := wake.Listen(path)
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	fi, err := os.Stat(path)
	if err != nil {
		t.Fatal(err)
	}
	if got := fi.Mode().Perm(); got != wake.SocketMode {
		t.Fatalf("mode=%04o, want %04o", got, wake.SocketMode)
	}
	woken := make(chan struct{}, 1)
	go l.Run(func() { woken <- struct{}{} })
	wake.Notify(path)
	select {
	case <-woken:
	case <-time.After(5 * time.Second):
		t.Fatal("no wake-up")
	}
}

func TestShareGroup(t *testing.T) {
	if os.Geteuid() != 0 {
		if os.Getenv("CI") != "" {
			t.Fatal("needs root (a group to share other than this process's); CI runs tests as root")
		}
		t.Skip("needs root (a group to share other than this process's)")
	}
	dir := t.TempDir()
	db := filepath.Join(dir, "forgehook.db")
	if err := os.WriteFile(db, nil, 0o660); err != nil {
		t.Fatal(err)
	}
	const gid = 1 // any group but root's
	if err := os.Chown(db, -1, gid); err != nil {
		t.Fatal(err)
	}
	l, err := wake.Listen(wake.SocketPath(db))
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	if err := l.ShareGroup(db); err != nil {
		t.Fatal(err)
	}
	fi, err := os.Stat(wake.SocketPath(db))
	if err != nil {
		t.Fatal(err)
	}
	if got := fi.Sys().(*syscall.Stat_t).Gid; got != gid {
		t.Fatalf("socket gid=%d, want %d (the database's)", got, gid)
	}
	if err := l.ShareGroup(filepath.Join(dir, "missing")); err == nil {
		t.Fatal("ShareGroup(missing file): no error")
	}
}

func TestNotifyFailure(t *testing.T) {
	path := filepath.Join(t.TempDir(), "forgehook.db.wake")
	l, err := wake.Listen(path)
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	reports := make(chan string, 2)
	woken := make(chan struct{}, 2)
	l.OnFailure = func(r string) { reports <- r }
	go l.Run(func() { woken <- struct{}{} })
	wake.NotifyFailure(path, "/srv/git/o/r.git: database is locked")
	wake.NotifyFailure(path, string(make([]byte, 3*wake.MaxReport)))
	for _, want := range []int{len("/srv/git/o/r.git: database is locked"), wake.MaxReport} {
		select {
		case r := <-reports:
			if len(r) != want {
				t.Fatalf("report of %d bytes, want %d", len(r), want)
			}
		case <-time.After(5 * time.Second):
			t.Fatal("no failure report")
		}
	}
	wake.Notify(path)
	select {
	case <-woken: // and the failure reports woke nobody before it
	case <-time.After(5 * time.Second):
		t.Fatal("no wake-up")
	}
	if len(woken) != 0 {
		t.Fatalf("%d more wake-ups, want none: failure reports must not wake the worker", len(woken))
	}
}

func TestAnswers(t *testing.T) {
	path := filepath.Join(t.TempDir(), "db.wake")
	if wake.Answers(path) {
		t.Fatal("Answers with no socket")
	}
	l, err := wake.Listen(path)
	if err != nil {
		t.Fatal(err)
	}
	if !wake.Answers(path) {
		t.Fatal("Answers=false while a listener is bound")
	}
	l.Close()
	if wake.Answers(path) {
		t.Fatal("Answers after the listener closed")
	}
}
