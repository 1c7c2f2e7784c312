package servertest

import (
	"os"
	"syscall"
	"testing"
)

// mustLock holds an exclusive lock on the file path until the test ends,
// waiting for any other holder, in this process or another.
func mustLock(tb testing.TB, path string) {
	tb.Helper()
	f, err := os.OpenFile(path, os.O_RDWR|os.O_CREATE, 0o600)
	if err != nil {
		tb.Fatal(err)
	}
	if err := syscall.Flock(int(f.Fd()), syscall.LOCK_EX); err != nil {
		f.Close()
		tb.Fatalf("lock %s: %v", path, err)
	}
	tb.Cleanup(func() { f.Close() }) // closing releases the lock
}
