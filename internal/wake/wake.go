// Package wake lets the post-receive hook nudge a running daemon: a unix
// datagram socket beside the database, one byte per push, never waited on.
package wake

import (
	"errors"
	"fmt"
	"net"
	"os"
	"syscall"
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

// SocketMode is the wake-up socket's mode: sending to a unix socket takes
// write permission on it, which the owner and its group have.
const SocketMode os.FileMode = 0o660

// Listen binds the wake-up socket at path with mode SocketMode, replacing a
// stale one. The socket's group is the directory's if it is setgid, else this
// process's; ShareGroup sets another.
func Listen(path string) (*Listener, error) {
	if err := os.Remove(path); err != nil && !errors.Is(err, os.ErrNotExist) {
		return nil, err
	}
	conn, err := net.ListenUnixgram("unixgram", &net.UnixAddr{Name: path, Net: "unixgram"})
	if err != nil {
		return nil, err
	}
	l := &Listener{conn: conn, path: path}
	if err := os.Chmod(path, SocketMode); err != nil {
		l.Close()
		return nil, err
	}
	return l, nil
}

// ShareGroup gives the socket the group of the file at like (the database),
// so that the users who may write that file (the post-receive hook run by
// another user of the group) may also wake the daemon. A process may give a
// file it owns only a group it is a member of.
func (l *Listener) ShareGroup(like string) error {
	fi, err := os.Stat(like)
	if err != nil {
		return fmt.Errorf("share wake-up socket: %w", err)
	}
	st, ok := fi.Sys().(*syscall.Stat_t)
	if !ok {
		return fmt.Errorf("share wake-up socket: %s has no group", like)
	}
	if err := os.Chown(l.path, -1, int(st.Gid)); err != nil {
		return fmt.Errorf("share wake-up socket with group %d of %s: %w", st.Gid, like, err)
	}
	return nil
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
