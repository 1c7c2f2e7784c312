package bench

import (
	"bytes"
	"context"
	"database/sql"
	"fmt"
	"io"
	"net/http"
	"strconv"
	"sync"
	"sync/atomic"
	"time"

	"github.com/forgehook/forgehook/hooks"
)

// bareLoop posts n signed bodies to recv with conc requests in flight over
// keep-alive connections, with no storage, and returns how long it took.
// With a non-nil record, each request is followed by a call of it.
func bareLoop(recv *Receiver, bodies [][]byte, n, hookCount, conc int, record func(i int) error) (time.Duration, error) {
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
				if err := post(client, recv.URL, bodies[i%len(bodies)], i, hookCount); err != nil {
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
