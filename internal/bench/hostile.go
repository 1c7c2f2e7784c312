package bench

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"time"
)

// hostileHooks is how many hooks the hostile-receiver benchmark points at
// one receiver: GitHub's limit per event.
const hostileHooks = 20

// hostileRetries is how many times a failed delivery is retried there, the
// default schedule's count, with short waits, and without the circuit
// breaker, which would hold the retries back: the benchmark measures what
// every attempt costs.
var hostileRetries = []string{"--retry-schedule", "50ms,50ms,50ms,50ms,50ms,50ms,50ms", "--breaker-failures", "0"}

// hostile is what one push to hostileHooks hooks cost the daemon.
type hostile struct {
	deliveries int64
	peakRSS    int64 // VmHWM
	dbGrowth   int64 // database and WAL, after the push less before it
	maxHeaders int64 // the largest stored response headers, in bytes (JSON)
	stored     int64 // response headers and bodies stored, all attempts, in bytes
}

// benchHostile makes one push to 20 hooks whose receiver answers with huge
// headers (F2 of the security findings): even hooks get 9 MB of headers
// (the client stops reading at 64 KiB, the delivery fails and is retried 7
// times), odd ones 60 KiB (read, stored bounded). The baseline is the same
// push to a receiver answering a plain 200. The database's growth is shown
// for information: it is mostly WAL pages, one set per attempt.
func (e *Env) benchHostile(t *Table) error {
	polite, err := e.hostileRun("polite", 0)
	if err != nil {
		return err
	}
	bad, err := e.hostileRun("hostile", 9<<20)
	if err != nil {
		return err
	}
	e.logf("hostile receivers: %d deliveries, peak RSS %d MiB, database +%d KiB, %d KiB of responses stored, largest headers %d bytes",
		bad.deliveries, bad.peakRSS>>20, bad.dbGrowth>>10, bad.stored>>10, bad.maxHeaders)
	name := fmt.Sprintf("hostile receivers, 1 push to %d hooks answering 9 MB / 60 KiB of headers (%d attempts)",
		hostileHooks, bad.deliveries)
	base := fmt.Sprintf("polite receiver (%d attempts): ", polite.deliveries)
	t.Add(Row{Name: name + ": daemon peak RSS (VmHWM)", Result: fmt.Sprintf("%d MiB", bad.peakRSS>>20),
		Target: "≤ 150 MiB", Baseline: base + fmt.Sprintf("%d MiB", polite.peakRSS>>20), Verdict: verdict(bad.peakRSS <= 150<<20)})
	t.Add(Row{Name: name + ": response headers and bodies stored, all attempts", Result: fmt.Sprintf("%d KiB", bad.stored>>10),
		Target: "≤ 20 KiB per attempt", Baseline: base + fmt.Sprintf("%d KiB", polite.stored>>10),
		Verdict: verdict(bad.stored <= bad.deliveries*20<<10)})
	t.Add(Row{Name: name + ": database and WAL growth", Result: fmt.Sprintf("%d KiB", bad.dbGrowth>>10),
		Baseline: base + fmt.Sprintf("%d KiB", polite.dbGrowth>>10), Verdict: Info})
	t.Add(Row{Name: name + ": largest stored response headers", Result: fmt.Sprintf("%s bytes", thousands(bad.maxHeaders)),
		Target: "≤ 20 KiB (16 KiB + JSON)", Baseline: base + fmt.Sprintf("%d bytes", polite.maxHeaders),
		Verdict: verdict(bad.maxHeaders <= 20<<10)})
	return nil
}

// hostileRun runs the push against a receiver answering headerBytes of
// headers to even hooks and 60 KiB to odd ones, or a plain 200 if 0.
func (e *Env) hostileRun(name string, headerBytes int) (*hostile, error) {
	dir := filepath.Join(e.Dir, "hostile-"+name)
	repos, db := filepath.Join(dir, "repos"), filepath.Join(dir, "forgehook.db")
	recv, err := startHeaderReceiver(headerBytes)
	if err != nil {
		return nil, err
	}
	defer recv.Close()
	gitDir, err := e.InitBare(repos, "bench", "hostile")
	if err != nil {
		return nil, err
	}
	d, err := e.StartDaemon(db, repos, hostileRetries...)
	if err != nil {
		return nil, err
	}
	defer d.Kill()
	if err := e.Install(db, repos, gitDir); err != nil {
		return nil, err
	}
	if err := AddHooks(db, "bench", "hostile", "http://"+recv.Addr().String(), hostileHooks); err != nil {
		return nil, err
	}
	c, err := e.NewClone(gitDir, filepath.Join(dir, "clone"))
	if err != nil {
		return nil, err
	}
	if _, err := c.Commit(); err != nil {
		return nil, err
	}
	r := &hostile{}
	before := dbSize(db)
	if _, _, err := c.Push("main"); err != nil {
		return nil, err
	}
	if r.deliveries, err = settled(d, 3*time.Minute); err != nil {
		return nil, err
	}
	r.dbGrowth = dbSize(db) - before
	if r.peakRSS, err = PeakRSS(d.PID()); err != nil {
		return nil, err
	}
	err = d.view.QueryRowContext(context.Background(), `SELECT coalesce(max(length(response_headers)), 0),
		coalesce(sum(length(response_headers) + length(response_body)), 0) FROM deliveries`).Scan(&r.maxHeaders, &r.stored)
	return r, err
}

// settled waits until every hook has a delivery that succeeded or has used
// up its retries, and returns how many attempts were made.
func settled(d *Daemon, limit time.Duration) (int64, error) {
	attempts := int64(1 + len(strings.Split(hostileRetries[1], ",")))
	ctx, cancel := context.WithTimeout(context.Background(), limit)
	defer cancel()
	for {
		var done, n int64
		err := d.view.QueryRowContext(ctx, `SELECT count(*), coalesce(sum(n), 0) FROM (SELECT count(*) AS n,
			sum(status_code BETWEEN 200 AND 299) AS ok FROM deliveries GROUP BY hook_id) WHERE ok > 0 OR n >= ?`,
			attempts).Scan(&done, &n)
		if err == nil && done == hostileHooks {
			return n, nil
		}
		select {
		case <-ctx.Done():
			return 0, fmt.Errorf("%d of %d hooks settled after %v (err %v): %s", done, hostileHooks, limit, err, d.Log())
		case <-time.After(10 * time.Millisecond):
		}
	}
}

// dbSize is the size of a SQLite database with its WAL, in bytes.
func dbSize(db string) int64 {
	var n int64
	for _, f := range []string{db, db + "-wal"} {
		if st, err := os.Stat(f); err == nil {
			n += st.Size()
		}
	}
	return n
}

// startHeaderReceiver listens on a loopback port and answers every request
// 200 with headerBytes of headers on even hook paths (/h/0, /h/2, ...) and
// 60 KiB on odd ones, or with no extra headers if headerBytes is 0. It writes
// the response itself, as a hostile receiver would, so that the size is not
// limited by Go's server.
func startHeaderReceiver(headerBytes int) (net.Listener, error) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return nil, err
	}
	huge, large := headerBlock(headerBytes), headerBlock(60<<10)
	srv := &http.Server{ReadHeaderTimeout: 10 * time.Second, Handler: http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		_, _ = io.Copy(io.Discard, r.Body)
		if headerBytes == 0 {
			w.WriteHeader(http.StatusOK)
			return
		}
		block := huge
		if strings.ContainsAny(r.URL.Path[len(r.URL.Path)-1:], "13579") {
			block = large
		}
		conn, bw, err := http.NewResponseController(w).Hijack()
		if err != nil {
			return
		}
		defer conn.Close()
		_, _ = bw.WriteString("HTTP/1.1 200 OK\r\nContent-Length: 0\r\nConnection: close\r\n")
		_, _ = bw.Write(block)
		_, _ = bw.WriteString("\r\n")
		_ = bw.Flush()
	})}
	go func() { _ = srv.Serve(ln) }()
	return ln, nil
}

// headerBlock is n bytes of header lines, "X-Pad-00000: vvv...\r\n".
func headerBlock(n int) []byte {
	var b bytes.Buffer
	for i := 0; b.Len() < n; i++ {
		fmt.Fprintf(&b, "X-Pad-%05d: %s\r\n", i, strings.Repeat("v", 1000))
	}
	return b.Bytes()
}
