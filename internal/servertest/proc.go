package servertest

import (
	"bytes"
	"errors"
	"fmt"
	"net"
	"os/exec"
	"sync"
	"syscall"
	"testing"
	"time"
)

// startTimeout bounds how long a server may take to accept connections.
const startTimeout = 20 * time.Second

// proc is a server process in a process group of its own. Its output is
// kept for failure messages.
type proc struct {
	name string
	cmd  *exec.Cmd
	mu   sync.Mutex
	out  bytes.Buffer
	done chan struct{}
}

// Write collects the process's stdout and stderr.
func (p *proc) Write(b []byte) (int, error) {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.out.Write(b)
}

// output returns what the process printed so far.
func (p *proc) output() string {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.out.String()
}

// exited reports whether the process has ended.
func (p *proc) exited() bool {
	select {
	case <-p.done:
		return true
	default:
		return false
	}
}

// startProc starts cmd in a new process group, killed if the test binary
// dies, and stops it (SIGTERM, then SIGKILL to the whole group) when the test
// ends.
func startProc(tb testing.TB, name string, cmd *exec.Cmd) (*proc, error) {
	tb.Helper()
	p := &proc{name: name, cmd: cmd, done: make(chan struct{})}
	if cmd.SysProcAttr == nil {
		cmd.SysProcAttr = &syscall.SysProcAttr{}
	}
	cmd.SysProcAttr.Setpgid = true
	cmd.SysProcAttr.Pdeathsig = syscall.SIGKILL
	cmd.Stdout, cmd.Stderr = p, p
	if err := cmd.Start(); err != nil {
		return nil, fmt.Errorf("start %s: %w", name, err)
	}
	go func() { _ = cmd.Wait(); close(p.done) }()
	tb.Cleanup(p.stop)
	return p, nil
}

// stop ends the process and whatever it left in its process group.
func (p *proc) stop() {
	pid := p.cmd.Process.Pid
	if !p.exited() {
		_ = syscall.Kill(-pid, syscall.SIGTERM) // the group: workers, CGI daemons
		select {
		case <-p.done:
		case <-time.After(10 * time.Second):
		}
	}
	_ = syscall.Kill(-pid, syscall.SIGKILL) // whatever is left
	<-p.done
}

// mustStartListening starts the server that mk returns for a free loopback
// port and waits until that port accepts connections. A port taken by
// someone else between picking and binding makes the server exit; it is
// then tried again on another port.
func mustStartListening(tb testing.TB, name string, mk func(port int) *exec.Cmd) (int, *proc) {
	tb.Helper()
	var last string
	for try := 0; try < 3; try++ {
		port := mustFreePort(tb)
		p, err := startProc(tb, name, mk(port))
		if err != nil {
			tb.Fatal(err)
		}
		if err := waitFor(p, func() bool { return dial("tcp", fmt.Sprintf("127.0.0.1:%d", port)) }); err == nil {
			return port, p
		} else if !p.exited() {
			tb.Fatalf("%s: %v\n%s", name, err, p.output())
		}
		last = p.output()
	}
	tb.Fatalf("%s did not start:\n%s", name, last)
	return 0, nil
}

// waitFor polls ready until it holds, the process exits, or startTimeout passes.
func waitFor(p *proc, ready func() bool) error {
	deadline := time.Now().Add(startTimeout)
	for !ready() {
		if p.exited() {
			return errors.New("exited before it was ready")
		}
		if time.Now().After(deadline) {
			return fmt.Errorf("not ready after %s", startTimeout)
		}
		time.Sleep(20 * time.Millisecond)
	}
	return nil
}

// dial reports whether something accepts connections at addr.
func dial(network, addr string) bool {
	c, err := net.DialTimeout(network, addr, time.Second)
	if err != nil {
		return false
	}
	c.Close()
	return true
}

// mustFreePort returns a loopback TCP port that was free a moment ago.
func mustFreePort(tb testing.TB) int {
	tb.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		tb.Fatal(err)
	}
	defer l.Close()
	return l.Addr().(*net.TCPAddr).Port
}
