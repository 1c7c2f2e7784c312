package bench

import (
	"bytes"
	"context"
	"fmt"
	"os/exec"
	"path/filepath"
	"strings"
	"time"
)

// benchPush measures push overhead, the hook alone (with and without a
// running daemon) and push to delivery latency.
func (e *Env) benchPush(t *Table) error {
	dir := filepath.Join(e.Dir, "push")
	repos, db := filepath.Join(dir, "repos"), filepath.Join(dir, "forgehook.db")
	recv, err := StartReceiver()
	if err != nil {
		return err
	}
	defer recv.Close()
	hooked, err := e.InitBare(repos, "bench", "hooked")
	if err != nil {
		return err
	}
	noop, err := e.InitBare(repos, "bench", "noop")
	if err != nil {
		return err
	}
	latency, err := e.InitBare(repos, "bench", "latency")
	if err != nil {
		return err
	}
	d, err := e.StartDaemon(db, repos)
	if err != nil {
		return err
	}
	defer d.Kill()
	for _, r := range []string{"hooked", "latency"} {
		if err := AddHooks(db, "bench", r, recv.URL, 1); err != nil {
			return err
		}
	}
	if err := e.Install(db, repos, hooked, latency); err != nil {
		return err
	}
	if err := InstallNoop(noop); err != nil {
		return err
	}

	// Push overhead: the same one-commit push into the two repositories,
	// alternating which goes first.
	n, warm := 40, 3
	if e.Quick {
		n = 8
	}
	ca, err := e.NewClone(hooked, filepath.Join(dir, "hooked"))
	if err != nil {
		return err
	}
	cb, err := e.NewClone(noop, filepath.Join(dir, "noop"))
	if err != nil {
		return err
	}
	e.logf("push overhead: %d pushes each, alternated", n)
	var withHook, withNoop Sample
	for i := range warm + n {
		if _, err := ca.Commit(); err != nil {
			return err
		}
		if _, err := cb.Commit(); err != nil {
			return err
		}
		first, second := ca, cb
		if i%2 == 1 {
			first, second = cb, ca
		}
		times := map[*Clone]time.Duration{}
		for _, c := range []*Clone{first, second} {
			took, stderr, err := c.Push("main")
			if err != nil {
				return err
			}
			if strings.Contains(stderr, "forgehook:") {
				return fmt.Errorf("the hook complained: %s", stderr)
			}
			times[c] = took
		}
		if i >= warm {
			withHook, withNoop = append(withHook, times[ca]), append(withNoop, times[cb])
		}
	}
	r := float64(withHook.Median()) / float64(withNoop.Median())
	t.Add(Row{
		Name:     fmt.Sprintf("git push of 1 commit, forgehook hook vs no-op hook (medians of %d, alternated)", n),
		Result:   fmt.Sprintf("%s vs %s = %.2f×", ms(withHook.Median()), ms(withNoop.Median()), r),
		Target:   "≤ 1.20×",
		Baseline: "no-op hook (cat >/dev/null): " + ms(withNoop.Median()),
		Verdict:  verdict(r <= 1.20),
	})

	// The hook alone, daemon running: the binary with one ref-update line,
	// as git runs it, against the no-op hook script.
	head, err := ca.env.Git(ca.Dir, "rev-parse", "HEAD~1", "HEAD")
	if err != nil {
		return err
	}
	ids := strings.Fields(head)
	line := ids[0] + " " + ids[1] + " refs/heads/main\n"
	runs := 60
	if e.Quick {
		runs = 10
	}
	hookAlone := func() (Sample, Sample, error) {
		var fh, nh Sample
		for i := range runs + warm {
			a, err := e.runHook(hooked, line, e.Forgehook, "post-receive", "--db", db, "--repos", repos)
			if err != nil {
				return nil, nil, err
			}
			b, err := e.runHook(noop, line, filepath.Join(noop, "hooks", "post-receive"))
			if err != nil {
				return nil, nil, err
			}
			if i >= warm {
				fh, nh = append(fh, a), append(nh, b)
			}
		}
		return fh, nh, nil
	}
	e.logf("post-receive alone, daemon running: %d runs", runs)
	fh, nh, err := hookAlone()
	if err != nil {
		return err
	}
	t.Add(Row{
		Name:     fmt.Sprintf("forgehook post-receive alone, daemon running (median of %d)", runs),
		Result:   fmt.Sprintf("%s (p90 %s)", ms(fh.Median()), ms(fh.Percentile(90))),
		Target:   "≤ 5 ms",
		Baseline: "no-op hook script: " + ms(nh.Median()),
		Verdict:  verdict(fh.Median() <= 5*time.Millisecond),
	})

	// Push to delivery latency.
	pushes := 200
	if e.Quick {
		pushes = 20
	}
	e.logf("push to delivery latency: %d pushes", pushes)
	cl, err := e.NewClone(latency, filepath.Join(dir, "latency"))
	if err != nil {
		return err
	}
	var lat Sample
	early := 0
	for i := range pushes + warm {
		id, err := cl.Commit()
		if err != nil {
			return err
		}
		arrived := recv.WaitPush(id)
		if _, _, err := cl.Push("main"); err != nil {
			return err
		}
		returned := time.Now()
		at, err := waitFor(arrived, 10*time.Second, "delivery of push "+id)
		if err != nil {
			recv.Forget(id)
			return fmt.Errorf("%w\n%s", err, d.Log())
		}
		if i < warm {
			continue
		}
		l := at.Sub(returned)
		if l < 0 {
			early++
			l = 0
		}
		lat = append(lat, l)
	}
	note := ""
	if early > 0 {
		note = fmt.Sprintf("; %d of %d arrived before git push returned (counted as 0)", early, pushes)
	}
	t.Add(Row{Name: fmt.Sprintf("push → delivery latency p50 (%d pushes)", pushes), Result: ms(lat.Median()),
		Target: "≤ 10 ms", Baseline: "from git push returning to the receiver having the request" + note,
		Verdict: verdict(lat.Median() <= 10*time.Millisecond)})
	t.Add(Row{Name: fmt.Sprintf("push → delivery latency p99 (%d pushes)", pushes), Result: ms(lat.Percentile(99)),
		Target: "≤ 50 ms", Verdict: verdict(lat.Percentile(99) <= 50*time.Millisecond)})

	if n := d.Errors(); n > 0 {
		return fmt.Errorf("the daemon logged %d errors:\n%s", n, d.Log())
	}
	if err := d.Stop(); err != nil {
		return err
	}

	// The hook alone with no daemon: it is then the last connection to
	// close, which checkpoints the WAL.
	e.logf("post-receive alone, daemon stopped: %d runs", runs)
	fh, nh, err = hookAlone()
	if err != nil {
		return err
	}
	t.Add(Row{
		Name:     fmt.Sprintf("forgehook post-receive alone, daemon not running (median of %d)", runs),
		Result:   fmt.Sprintf("%s (p90 %s)", ms(fh.Median()), ms(fh.Percentile(90))),
		Baseline: "no-op hook script: " + ms(nh.Median()),
		Verdict:  Info,
	})
	return nil
}

// runHook runs a post-receive hook as git does (in the bare repository,
// GIT_DIR=.) with input on stdin, and returns how long it took. Output on
// stderr is an error: forgehook only prints when it could not record.
func (e *Env) runHook(gitDir, input, name string, args ...string) (time.Duration, error) {
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	cmd := exec.CommandContext(ctx, name, args...)
	cmd.Dir = gitDir
	cmd.Env = append(append([]string{}, e.gitEnv...), "GIT_DIR=.")
	cmd.Stdin = strings.NewReader(input)
	var errb bytes.Buffer
	cmd.Stderr = &errb
	start := time.Now()
	err := cmd.Run()
	took := time.Since(start)
	if err != nil || errb.Len() > 0 {
		return took, fmt.Errorf("%s %s: %v: %s", name, strings.Join(args, " "), err, errb.String())
	}
	return took, nil
}
