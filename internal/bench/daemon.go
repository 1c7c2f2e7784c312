package bench

import (
	"bufio"
	"context"
	"database/sql"
	"errors"
	"fmt"
	"io"
	"net/http"
	"os"
	"os/exec"
	"regexp"
	"strings"
	"sync"
	"syscall"
	"time"

	_ "github.com/jackc/pgx/v5/stdlib" // the view of a daemon's PostgreSQL database
	_ "github.com/mattn/go-sqlite3"    // the read-only view of the daemon's SQLite database
)

// Daemon is a running forgehook serve.
type Daemon struct {
	URL   string // the API's base URL
	DB    string
	Repos string

	cmd    *exec.Cmd
	exited chan struct{}
	mu     sync.Mutex
	lines  []string // the last lines of its log
	errors int      // ERROR lines in its log
	view   *sql.DB  // read-only, for counting
}

var listenRE = regexp.MustCompile(`listen=(http://[0-9.:]+)`)

// StartDaemon runs forgehook serve on db and repos, listening on a loopback
// port and allowed to deliver to loopback, and waits until it is ready.
func (e *Env) StartDaemon(db, repos string, extra ...string) (*Daemon, error) {
	args := append([]string{"serve", "--db", db, "--repos", repos, "--listen", "127.0.0.1:0",
		"--allowed-hosts", "loopback"}, extra...)
	cmd := exec.Command(e.Forgehook, args...)
	stderr, err := cmd.StderrPipe()
	if err != nil {
		return nil, err
	}
	if err := cmd.Start(); err != nil {
		return nil, fmt.Errorf("start daemon: %w", err)
	}
	d := &Daemon{DB: db, Repos: repos, cmd: cmd, exited: make(chan struct{})}
	addr := make(chan string, 1)
	go d.readLog(stderr, addr)
	go func() { _ = cmd.Wait(); close(d.exited) }()
	select {
	case d.URL = <-addr:
	case <-d.exited:
		return nil, fmt.Errorf("daemon exited: %s", d.Log())
	case <-time.After(15 * time.Second):
		d.Kill()
		return nil, fmt.Errorf("daemon did not start: %s", d.Log())
	}
	if err := d.waitHealthy(15 * time.Second); err != nil {
		d.Kill()
		return nil, err
	}
	if isPG(db) {
		d.view, err = sql.Open("pgx", db)
	} else {
		d.view, err = sql.Open("sqlite3", "file:"+db+"?_query_only=1&_busy_timeout=5000")
	}
	if err != nil {
		d.Kill()
		return nil, err
	}
	return d, nil
}

func (d *Daemon) readLog(r io.Reader, addr chan<- string) {
	sc := bufio.NewScanner(r)
	sc.Buffer(make([]byte, 64<<10), 1<<20)
	for sc.Scan() {
		line := sc.Text()
		if m := listenRE.FindStringSubmatch(line); m != nil {
			select {
			case addr <- m[1]:
			default:
			}
		}
		d.mu.Lock()
		if strings.Contains(line, "level=ERROR") {
			d.errors++
		}
		d.lines = append(d.lines, line)
		if len(d.lines) > 20 {
			d.lines = d.lines[1:]
		}
		d.mu.Unlock()
	}
}

func (d *Daemon) waitHealthy(limit time.Duration) error {
	deadline := time.Now().Add(limit)
	for time.Now().Before(deadline) {
		resp, err := http.Get(d.URL + "/healthz")
		if err == nil {
			resp.Body.Close()
			if resp.StatusCode == http.StatusOK {
				return nil
			}
		}
		time.Sleep(10 * time.Millisecond)
	}
	return fmt.Errorf("daemon not healthy after %v: %s", limit, d.Log())
}

// Log returns the last lines the daemon logged.
func (d *Daemon) Log() string {
	d.mu.Lock()
	defer d.mu.Unlock()
	return strings.Join(d.lines, "\n")
}

// Errors returns how many errors the daemon logged.
func (d *Daemon) Errors() int {
	d.mu.Lock()
	defer d.mu.Unlock()
	return d.errors
}

// PID returns the daemon's process id.
func (d *Daemon) PID() int { return d.cmd.Process.Pid }

// Pause stops the daemon's process (SIGSTOP).
func (d *Daemon) Pause() error { return d.cmd.Process.Signal(syscall.SIGSTOP) }

// Resume continues it (SIGCONT).
func (d *Daemon) Resume() error { return d.cmd.Process.Signal(syscall.SIGCONT) }

// Stop shuts the daemon down with SIGTERM, or kills it after 20 seconds.
func (d *Daemon) Stop() error {
	if d.view != nil {
		d.view.Close()
	}
	_ = d.cmd.Process.Signal(syscall.SIGCONT)
	if err := d.cmd.Process.Signal(syscall.SIGTERM); err != nil && !errors.Is(err, os.ErrProcessDone) {
		return err
	}
	select {
	case <-d.exited:
		return nil
	case <-time.After(20 * time.Second):
		d.Kill()
		return errors.New("daemon did not stop within 20s; killed")
	}
}

// Kill kills the daemon and waits for it.
func (d *Daemon) Kill() {
	_ = d.cmd.Process.Kill()
	select {
	case <-d.exited:
	case <-time.After(5 * time.Second):
	}
}

// Deliveries returns how many delivery attempts the database records.
func (d *Daemon) Deliveries(ctx context.Context) (int64, error) {
	var n int64
	err := d.view.QueryRowContext(ctx, `SELECT count(*) FROM deliveries`).Scan(&n)
	return n, err
}

// Pushes returns how many pushes the database records, and how many of
// them became events.
func (d *Daemon) Pushes(ctx context.Context) (recorded, done int64, err error) {
	err = d.view.QueryRowContext(ctx, `SELECT count(*), coalesce(sum(CASE WHEN state = 2 THEN 1 ELSE 0 END), 0) FROM pushes`).Scan(&recorded, &done)
	return recorded, done, err
}

// WaitDeliveries polls the database until it records at least n delivery
// attempts, and returns when it saw them.
func (d *Daemon) WaitDeliveries(n int64, limit time.Duration) (time.Time, error) {
	ctx, cancel := context.WithTimeout(context.Background(), limit)
	defer cancel()
	for {
		got, err := d.Deliveries(ctx)
		if err == nil && got >= n {
			return time.Now(), nil
		}
		select {
		case <-ctx.Done():
			return time.Time{}, fmt.Errorf("database records %d deliveries after %v, want %d (err %v)", got, limit, n, err)
		case <-time.After(2 * time.Millisecond):
		}
	}
}
