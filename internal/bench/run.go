package bench

import (
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strings"
	"time"
)

// Benchmarks lists the benchmark groups Run knows, in the order it runs them.
var Benchmarks = []string{"push", "throughput", "big", "manyrefs", "concurrent", "hostile", "postgres"}

// Run runs the benchmark groups in only (all of them if empty) and returns
// the table. It stops at the first group that fails to run; a missed target
// is not a failure.
func (e *Env) Run(only []string) (*Table, error) {
	if err := e.Init(); err != nil {
		return nil, err
	}
	t := &Table{Machine: Machine()}
	groups := map[string]func(*Table) error{
		"push": e.benchPush, "throughput": e.benchThroughput, "big": e.benchBigPush, "manyrefs": e.benchManyRefs, "concurrent": e.benchConcurrent,
		"hostile": e.benchHostile, "postgres": e.benchPostgres,
	}
	for _, name := range Benchmarks {
		if len(only) > 0 && !contains(only, name) {
			continue
		}
		start := time.Now()
		if err := groups[name](t); err != nil {
			return t, fmt.Errorf("%s: %w", name, err)
		}
		e.logf("%s: done in %v", name, time.Since(start).Round(100*time.Millisecond))
	}
	return t, nil
}

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}

// Machine describes this machine: CPUs, CPU model, kernel, Go and git versions.
func Machine() string {
	model := "unknown CPU"
	if b, err := os.ReadFile("/proc/cpuinfo"); err == nil {
		for _, line := range strings.Split(string(b), "\n") {
			if k, v, ok := strings.Cut(line, ":"); ok && strings.TrimSpace(k) == "model name" {
				model = strings.TrimSpace(v)
				break
			}
		}
	}
	kernel := "unknown kernel"
	if b, err := os.ReadFile("/proc/sys/kernel/osrelease"); err == nil {
		kernel = "Linux " + strings.TrimSpace(string(b))
	}
	gitVersion := "git ?"
	if out, err := exec.Command("git", "version").Output(); err == nil {
		gitVersion = strings.TrimSpace(string(out))
	}
	return fmt.Sprintf("nproc %d, %s, %s, %s, %s", runtime.NumCPU(), model, kernel, runtime.Version(), gitVersion)
}

// benchThroughput drains three backlogs of 10,000 deliveries and runs the
// two baselines with the same bodies.
func (e *Env) benchThroughput(t *Table) error {
	recv, err := StartReceiver()
	if err != nil {
		return err
	}
	defer recv.Close()
	scale := 1
	if e.Quick {
		scale = 10
	}
	backlogs := []fanout{{hooks: 1000, pushes: 10 / min(scale, 10)}, {hooks: 100, pushes: 100 / scale}, {hooks: 1, pushes: 10000 / scale}}
	results := make([]*drained, len(backlogs))
	pushToAll := 5
	if e.Quick {
		pushToAll = 2
	}
	for i, f := range backlogs {
		n := 0
		if f.hooks == 1000 {
			n = pushToAll
		}
		r, err := e.drain(f, recv, n)
		if err != nil {
			return err
		}
		e.logf("%s: %s recorded (receiver had them after %v), %v CPU, peak RSS %d MiB",
			f, perSec(r.rate()), r.received.Round(time.Millisecond), r.cpu, r.peakRSS>>20)
		results[i] = r
	}

	// The baselines: the same signed bodies (the 100-hook backlog's), as many
	// requests, as many in flight as the daemon's default --concurrency, from
	// a process of their own as the daemon's are.
	n, conc := 10000/scale, 64
	bodies := results[1].bodies
	e.logf("baselines: bare loop and bare loop + SQLite, %d requests each", n)
	bare, err := e.postLoop(recv.URL, bodies, n, conc, 100, "")
	if err != nil {
		return err
	}
	withDB, err := e.postLoop(recv.URL, bodies, n, conc, 100, filepath.Join(e.Dir, "baseline.db"))
	if err != nil {
		return err
	}
	bareRate, dbRate := Rate(n, bare), Rate(n, withDB)
	t.Add(Row{Name: fmt.Sprintf("baseline: bare Go loop (own process), %s signed POSTs, %d in flight, no storage", thousands(int64(n)), conc),
		Result: perSec(bareRate), Verdict: Info})
	t.Add(Row{Name: "baseline: the same + 1 SQLite insert per request (WAL, synchronous=FULL)",
		Result: perSec(dbRate), Verdict: Info})

	for i, f := range backlogs {
		r := results[i]
		note := ""
		if r.extra != 0 {
			note = fmt.Sprintf("; %d requests beyond one per delivery", r.extra)
		}
		t.Add(Row{
			Name: fmt.Sprintf("throughput, backlog of %s deliveries: %s (recorded/s)", thousands(int64(r.deliveries)), f),
			Result: fmt.Sprintf("%s = %s bare (receiver had all after %s)%s", perSec(r.rate()),
				ratio(r.rate(), bareRate), ms(r.received), note),
			Target:   "≥ 5,000/s and ≥ 0.5× bare",
			Baseline: "bare loop " + perSec(bareRate) + "; + SQLite " + perSec(dbRate),
			Verdict:  verdict(r.rate() >= 5000 && r.rate() >= bareRate/2 && r.extra == 0),
		})
	}
	var cpu, rss, anon []string
	var peak int64
	for i := range backlogs {
		r := results[i]
		cpu = append(cpu, fmt.Sprintf("%.0f µs", float64(r.cpu.Microseconds())/float64(r.deliveries)))
		rss = append(rss, fmt.Sprintf("%d", r.peakRSS>>20))
		anon = append(anon, fmt.Sprintf("%d", r.peakAnon>>20))
		peak = max(peak, r.peakRSS)
	}
	names := fmt.Sprintf("%s / %s / %s", backlogs[0], backlogs[1], backlogs[2])
	t.Add(Row{Name: "daemon CPU (user+sys) per delivery: " + names, Result: strings.Join(cpu, " / "), Verdict: Info})
	t.Add(Row{Name: "daemon peak RSS (VmHWM): " + names, Result: strings.Join(rss, " / ") + " MiB",
		Target: "≤ 150 MiB", Baseline: "of which anonymous memory at most " + strings.Join(anon, " / ") +
			" MiB; the rest is mapped files (git packs, SQLite)", Verdict: verdict(peak <= 150<<20)})
	p := results[0].pushToAll
	t.Add(Row{
		Name:   fmt.Sprintf("1 push to 1,000 hooks, daemon running: git push returned → last delivery (median of %d)", len(p)),
		Result: fmt.Sprintf("%s (max %s)", ms(p.Median()), ms(p.Percentile(100))),
		Target: "≤ 250 ms", Baseline: fmt.Sprintf("bare loop: 1,000 requests take %s", ms(bare*1000/time.Duration(n))),
		Verdict: verdict(p.Median() <= 250*time.Millisecond),
	})
	return nil
}
