// Package wake lets the post-receive hook nudge a running daemon: a unix
// datagram socket beside the database, one byte per push, never waited on.
package wake

import (
	"errors"
	"net"
	"os"
	"time"
)

// SocketPath returns the wake-up socket of the database at dbPath.
func SocketPath(dbPath string) string { return dbPath + ".wake" }

// Notify sends one wake-up to the daemon listening at path. It never blocks
// for long and reports nothing: with no daemon, there is nobody to wake.
func Notify(path string) {
	conn, err := net.DialTimeout("unixgram", path, 50*time.Millisecond)
	if err != nil {
		return
	}
	defer conn.Close()
	_ = conn.SetWriteDeadline(time.Now().Add(50 * time.Millisecond))
	_, _ = conn.Write([]byte{1})
}

// Listener receives wake-ups.
type Listener struct {
	conn *net.UnixConn
	path string
}

// Listen binds the wake-up socket at path, replacing a stale one.
func Listen(path string) (*Listener, error) {
	if err := os.Remove(path); err != nil && !errors.Is(err, os.ErrNotExist) {
		return nil, err
	}
	conn, err := net.ListenUnixgram("unixgram", &net.UnixAddr{Name: path, Net: "unixgram"})
	if err != nil {
		return nil, err
	}
	_ = os.Chmod(path, 0o777) // pushes may come from other users' processes
	return &Listener{conn: conn, path: path}, nil
}

// Run calls f for every wake-up until the listener is closed.
func (l *Listener) Run(f func()) {
	buf := make([]byte, 16)
	for {
		if _, _, err := l.conn.ReadFromUnix(buf); err != nil {
			if errors.Is(err, net.ErrClosed) {
				return
			}
			continue
		}
		f()
	}
}

// Close stops the listener and removes its socket.
func (l *Listener) Close() error {
	err := l.conn.Close()
	_ = os.Remove(l.path)
	return err
}
