package bench

import (
	"bytes"
	"context"
	"database/sql"
	"flag"
	"fmt"
	"io"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/forgehook/forgehook/hooks"
)

// bareLoop posts n signed bodies to the receiver at url with conc requests
// in flight over keep-alive connections, with no storage, and returns how
// long it took. With a non-nil record, each request is followed by a call
// of it.
func bareLoop(url string, bodies [][]byte, n, hookCount, conc int, record func(i int) error) (time.Duration, error) {
	if len(bodies) == 0 {
		return 0, fmt.Errorf("no bodies to post")
	}
	client := &http.Client{Timeout: 10 * time.Second, Transport: &http.Transport{
		MaxIdleConns: conc, MaxIdleConnsPerHost: conc, MaxConnsPerHost: conc, IdleConnTimeout: time.Minute}}
	defer client.CloseIdleConnections()
	var (
		next    atomic.Int64
		wg      sync.WaitGroup
		errOnce sync.Once
		first   error
		failed  atomic.Bool
	)
	fail := func(err error) { errOnce.Do(func() { first = err; failed.Store(true) }) }
	start := time.Now()
	for range conc {
		wg.Go(func() {
			for {
				i := int(next.Add(1) - 1)
				if i >= n || failed.Load() {
					return
				}
				if err := post(client, url, bodies[i%len(bodies)], i, hookCount); err != nil {
					fail(err)
					return
				}
				if record != nil {
					if err := record(i); err != nil {
						fail(err)
						return
					}
				}
			}
		})
	}
	wg.Wait()
	return time.Since(start), first
}

// post sends one delivery the way the daemon does: JSON body, GitHub's
// headers, both signatures.
func post(client *http.Client, url string, body []byte, i, hookCount int) error {
	req, err := http.NewRequestWithContext(context.Background(), http.MethodPost,
		url+"/h/"+strconv.Itoa(i%hookCount), bytes.NewReader(body))
	if err != nil {
		return err
	}
	req.Header = http.Header{
		"Accept": {"*/*"}, "Content-Type": {"application/json"}, "User-Agent": {hooks.UserAgent},
		"X-GitHub-Event": {"push"}, "X-GitHub-Delivery": {hooks.NewGUID()},
		"X-GitHub-Hook-ID": {strconv.Itoa(i % hookCount)},
	}
	for k, v := range hooks.Sign(hookSecret, body) {
		req.Header[k] = v
	}
	resp, err := client.Do(req)
	if err != nil {
		return err
	}
	_, _ = io.Copy(io.Discard, resp.Body)
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return fmt.Errorf("receiver answered %d", resp.StatusCode)
	}
	return nil
}

// sqliteRecorder returns a record function for bareLoop that inserts one row
// per request into a SQLite file at path, in its own transaction, with
// forgehook's settings (WAL, synchronous=FULL), and a function to close it.
func sqliteRecorder(path string) (func(i int) error, func() error, error) {
	db, err := sql.Open("sqlite3", "file:"+path+"?_journal_mode=WAL&_synchronous=FULL&_busy_timeout=5000")
	if err != nil {
		return nil, nil, err
	}
	db.SetMaxOpenConns(1)
	if _, err := db.Exec(`CREATE TABLE IF NOT EXISTS deliveries (id INTEGER PRIMARY KEY, guid TEXT NOT NULL,
		hook_id INTEGER NOT NULL, delivered_at INTEGER NOT NULL, status TEXT NOT NULL, status_code INTEGER NOT NULL)`); err != nil {
		db.Close()
		return nil, nil, err
	}
	record := func(i int) error {
		_, err := db.Exec(`INSERT INTO deliveries (guid, hook_id, delivered_at, status, status_code)
			VALUES (?, ?, ?, 'OK', 200)`, hooks.NewGUID(), i, time.Now().UnixMilli())
		return err
	}
	return record, db.Close, nil
}

// PostLoop is forgebench post-loop: the baselines in a process of their own,
// apart from the receiver, as the daemon is. It posts -n bodies read from
// the files in -bodies to -url, optionally recording each in SQLite, and
// prints how long that took in nanoseconds.
func PostLoop(args []string, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("forgebench post-loop", flag.ContinueOnError)
	fs.SetOutput(stderr)
	url := fs.String("url", "", "receiver base `URL`")
	dir := fs.String("bodies", "", "`directory` of bodies to post")
	n := fs.Int("n", 10000, "requests")
	conc := fs.Int("c", 64, "requests in flight")
	hookCount := fs.Int("hooks", 100, "hooks to spread the requests over")
	sqlitePath := fs.String("sqlite", "", "record each request in this SQLite `file`")
	if err := fs.Parse(args); err != nil {
		return 2
	}
	entries, err := os.ReadDir(*dir)
	if err != nil {
		fmt.Fprintln(stderr, "post-loop:", err)
		return 1
	}
	var bodies [][]byte
	for _, e := range entries {
		b, err := os.ReadFile(filepath.Join(*dir, e.Name()))
		if err != nil {
			fmt.Fprintln(stderr, "post-loop:", err)
			return 1
		}
		bodies = append(bodies, b)
	}
	var record func(int) error
	if *sqlitePath != "" {
		rec, closeDB, err := sqliteRecorder(*sqlitePath)
		if err != nil {
			fmt.Fprintln(stderr, "post-loop:", err)
			return 1
		}
		defer closeDB()
		record = rec
	}
	took, err := bareLoop(*url, bodies, *n, *hookCount, *conc, record)
	if err != nil {
		fmt.Fprintln(stderr, "post-loop:", err)
		return 1
	}
	fmt.Fprintln(stdout, int64(took))
	return 0
}

// postLoop runs forgebench post-loop with the bodies and returns the time
// it measured.
func (e *Env) postLoop(url string, bodies [][]byte, n, conc, hookCount int, sqlitePath string) (time.Duration, error) {
	dir, err := os.MkdirTemp(e.Dir, "bodies-")
	if err != nil {
		return 0, err
	}
	defer os.RemoveAll(dir)
	for i, b := range bodies {
		if err := os.WriteFile(filepath.Join(dir, fmt.Sprintf("%04d.json", i)), b, 0o644); err != nil {
			return 0, err
		}
	}
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
	defer cancel()
	args := []string{"post-loop", "-url", url, "-bodies", dir, "-n", strconv.Itoa(n), "-c", strconv.Itoa(conc),
		"-hooks", strconv.Itoa(hookCount)}
	if sqlitePath != "" {
		args = append(args, "-sqlite", sqlitePath)
	}
	var out, errb bytes.Buffer
	cmd := exec.CommandContext(ctx, e.Self, args...)
	cmd.Stdout, cmd.Stderr = &out, &errb
	if err := cmd.Run(); err != nil {
		return 0, fmt.Errorf("post-loop: %v: %s", err, errb.String())
	}
	ns, err := strconv.ParseInt(strings.TrimSpace(out.String()), 10, 64)
	if err != nil {
		return 0, fmt.Errorf("post-loop: %q: %w", out.String(), err)
	}
	return time.Duration(ns), nil
}
