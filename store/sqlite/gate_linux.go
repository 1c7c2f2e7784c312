package sqlite

import (
	"os"

	"golang.org/x/sys/unix"
)

// ofdGate is a gate file with open file description locks: unlike classic
// POSIX locks they belong to one open file, so two handles in one process
// see each other's, and closing another descriptor of the file drops none.
type ofdGate struct {
	f *os.File
}

// openGateFile opens (creating it if needed) the gate file at path, or
// returns nil if it cannot.
func openGateFile(path string) gateFile {
	// Pushes may come from other users, who may not own the file: reading is
	// enough for a shared lock, and lock tests need no access at all.
	_ = createFile(path, gateMode)
	f, err := os.Open(path)
	if err != nil {
		return nil
	}
	g := &ofdGate{f: f}
	if _, err := g.othersWriting(); err != nil { // no OFD locks here
		f.Close()
		return nil
	}
	return g
}

// lock sets a lock of type typ (F_RDLCK, F_UNLCK) on the gate file's first byte.
func (g *ofdGate) lock(typ int16) error {
	lk := unix.Flock_t{Type: typ, Whence: 0, Start: 0, Len: 1}
	return unix.FcntlFlock(g.f.Fd(), unix.F_OFD_SETLK, &lk)
}

func (g *ofdGate) announce() error { return g.lock(unix.F_RDLCK) }

func (g *ofdGate) withdraw() error { return g.lock(unix.F_UNLCK) }

// othersWriting reports whether another open file holds a lock on the first
// byte: an exclusive lock there would conflict with it.
func (g *ofdGate) othersWriting() (bool, error) {
	lk := unix.Flock_t{Type: unix.F_WRLCK, Whence: 0, Start: 0, Len: 1}
	if err := unix.FcntlFlock(g.f.Fd(), unix.F_OFD_GETLK, &lk); err != nil {
		return false, err
	}
	return lk.Type != unix.F_UNLCK, nil
}

func (g *ofdGate) close() error { return g.f.Close() }
