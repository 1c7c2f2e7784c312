package bench

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/forgehook/forgehook/internal/pgcluster"
)

// benchPostgres drains one backlog with 1, 2 and 3 daemons sharing one
// PostgreSQL database (a cluster this benchmark starts), and with one
// daemon on SQLite in the same run, and times pushes to every hook on each.
func (e *Env) benchPostgres(t *Table) error {
	cluster, err := pgcluster.Start()
	if err != nil {
		t.Add(Row{Name: "PostgreSQL: not run", Result: strings.SplitN(err.Error(), "\n", 2)[0], Verdict: Info})
		return nil
	}
	defer cluster.Stop()
	recv, err := StartReceiver()
	if err != nil {
		return err
	}
	defer recv.Close()
	scale, pushes := 1, 5
	if e.Quick {
		scale, pushes = 10, 2
	}
	// 20 hooks: GitHub's limit per event, which the stores enforce.
	f := fanout{hooks: 20, pushes: 500 / scale}
	type run struct {
		label string
		r     *shared
	}
	var runs []run
	r, err := e.drainShared("shared-sqlite", f, recv, "", nil, 1, pushes)
	if err != nil {
		return fmt.Errorf("sqlite: %w", err)
	}
	runs = append(runs, run{"SQLite, 1 daemon", r})
	for n := 1; n <= 3; n++ {
		name := fmt.Sprintf("bench_%d", n)
		if err := cluster.Exec(context.Background(), "CREATE DATABASE "+name); err != nil {
			return err
		}
		r, err := e.drainShared("shared-pg-"+name, f, recv, cluster.DSN(name), cluster, n, pushes)
		if err != nil {
			return fmt.Errorf("postgres, %d daemons: %w", n, err)
		}
		runs = append(runs, run{fmt.Sprintf("PostgreSQL, %s", plural(n, "daemon", "daemons")), r})
	}
	for _, x := range runs {
		e.logf("%s: %s recorded, %v daemon CPU, %v server CPU", x.label, perSec(x.r.rate()), x.r.cpu, x.r.serverCPU)
	}
	sqlite := runs[0].r.rate()
	for _, x := range runs {
		r := x.r
		note := ""
		if r.extra != 0 {
			note = fmt.Sprintf("; %d requests beyond one per delivery", r.extra)
		}
		cpu := fmt.Sprintf("daemons' CPU %.0f µs/delivery", perDelivery(r.cpu, r.deliveries))
		if r.serverCPU > 0 {
			cpu += fmt.Sprintf(" + server's %.0f µs", perDelivery(r.serverCPU, r.deliveries))
		}
		t.Add(Row{
			Name: fmt.Sprintf("shared queue, backlog of %s deliveries (%s): %s (recorded/s)",
				thousands(int64(r.deliveries)), f, x.label),
			Result:   fmt.Sprintf("%s = %s SQLite; %s%s", perSec(r.rate()), ratio(r.rate(), sqlite), cpu, note),
			Baseline: "SQLite, 1 daemon, same backlog: " + perSec(sqlite),
			Verdict:  Info,
		})
	}
	for _, x := range runs {
		p := x.r.latency
		t.Add(Row{
			Name: fmt.Sprintf("1 push to %d hooks, %s: git push returned → last delivery (median of %d)",
				f.hooks, x.label, len(p)),
			Result:  fmt.Sprintf("%s (max %s)", ms(p.Median()), ms(p.Percentile(100))),
			Verdict: Info,
		})
	}
	return nil
}

// perDelivery returns d per delivery, in microseconds.
func perDelivery(d time.Duration, deliveries int) float64 {
	return float64(d.Microseconds()) / float64(max(deliveries, 1))
}
