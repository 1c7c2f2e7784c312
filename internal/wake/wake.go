// Package wake lets the post-receive hook nudge a running daemon: a unix
// datagram socket beside the database, one byte per push, never waited on.
// The hook also reports there, in one datagram, a push it could not record,
// so that the daemon's log keeps a trace of what the pusher saw.
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
func Notify(path string) { send(path, []byte{wakeUp}) }

// NotifyFailure tells the daemon listening at path that a push could not be
// recorded, and why (report is cut to MaxReport bytes). Like Notify it never
// blocks for long and reports nothing.
func NotifyFailure(path, report string) {
	send(path, append([]byte{recordFailed}, report[:min(len(report), MaxReport)]...))
}

// Answers reports whether a daemon listens at path: a datagram socket
// connects only while it is bound (a socket file left by a killed daemon
// refuses the connection).
func Answers(path string) bool {
	conn, err := net.DialTimeout("unixgram", path, 50*time.Millisecond)
	if err != nil {
		return false
	}
	conn.Close()
	return true
}

// MaxReport bounds the report of NotifyFailure.
const MaxReport = 1024

// The first byte of a datagram.
const (
	wakeUp       = 1
	recordFailed = 2
)

func send(path string, msg []byte) {
	conn, err := net.DialTimeout("unixgram", path, 50*time.Millisecond)
	if err != nil {
		return
	}
	defer conn.Close()
	_ = conn.SetWriteDeadline(time.Now().Add(50 * time.Millisecond))
	_, _ = conn.Write(msg)
}

// Listener receives wake-ups.
type Listener struct {
	// OnFailure, if set, is called by Run with the report of every push a
	// hook could not record (see NotifyFailure). Anyone who may write the
	// socket may send one: treat the report as untrusted text.
	OnFailure func(report string)

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

// Run calls f for every wake-up, and OnFailure for every failure report,
// until the listener is closed.
func (l *Listener) Run(f func()) {
	buf := make([]byte, 1+MaxReport)
	for {
		n, _, err := l.conn.ReadFromUnix(buf)
		if err != nil {
			if errors.Is(err, net.ErrClosed) {
				return
			}
			continue
		}
		if n > 0 && buf[0] == recordFailed {
			if l.OnFailure != nil {
				l.OnFailure(string(buf[1:n]))
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
