package bench

import (
	"bytes"
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
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
		Result:   fmt.Sprintf("%s vs %s = %.3f×", ms(withHook.Median()), ms(withNoop.Median()), r),
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
	// hookAlone runs forgehook post-receive, the no-op hook and, if built,
	// the post-receive-only binary, alternated.
	hookAlone := func() (fh, nh, oh Sample, err error) {
		for i := range runs + warm {
			a, err := e.runHook(hooked, line, e.Forgehook, "post-receive", "--db", db, "--repos", repos)
			if err != nil {
				return nil, nil, nil, err
			}
			b, err := e.runHook(noop, line, filepath.Join(noop, "hooks", "post-receive"))
			if err != nil {
				return nil, nil, nil, err
			}
			var c time.Duration
			if e.HookOnly != "" {
				if c, err = e.runHook(hooked, line, e.HookOnly, "post-receive", "--db", db, "--repos", repos); err != nil {
					return nil, nil, nil, err
				}
			}
			if i >= warm {
				fh, nh, oh = append(fh, a), append(nh, b), append(oh, c)
			}
		}
		return fh, nh, oh, nil
	}
	baseline := func(nh, oh Sample) string {
		s := "no-op hook script: " + ms(nh.Median())
		if e.HookOnly != "" {
			s += "; a post-receive-only binary: " + ms(oh.Median())
		}
		return s
	}
	e.logf("post-receive alone, daemon running: %d runs", runs)
	fh, nh, oh, err := hookAlone()
	if err != nil {
		return err
	}
	t.Add(Row{
		Name:     fmt.Sprintf("forgehook post-receive alone, daemon running (median of %d)", runs),
		Result:   fmt.Sprintf("%s (p90 %s)", ms(fh.Median()), ms(fh.Percentile(90))),
		Target:   "≤ 5 ms",
		Baseline: baseline(nh, oh),
		Verdict:  verdict(fh.Median() <= 5*time.Millisecond),
	})
	if err := e.benchStart(t, runs); err != nil {
		return err
	}

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
	if fh, nh, oh, err = hookAlone(); err != nil {
		return err
	}
	t.Add(Row{
		Name:     fmt.Sprintf("forgehook post-receive alone, daemon not running (median of %d)", runs),
		Result:   fmt.Sprintf("%s (p90 %s)", ms(fh.Median()), ms(fh.Percentile(90))),
		Baseline: baseline(nh, oh),
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

// benchStart measures the process start of the forgehook binary (forgehook
// version) against the post-receive-only binary (which exits at once without
// arguments), and the package initialization GODEBUG=inittrace=1 reports.
func (e *Env) benchStart(t *Table, runs int) error {
	if e.HookOnly == "" {
		return nil
	}
	var big, small Sample
	for range runs {
		a, err := e.runHook(e.Dir, "", e.Forgehook, "version")
		if err != nil {
			return err
		}
		b, err := e.runHook(e.Dir, "", e.HookOnly)
		if err != nil {
			return err
		}
		big, small = append(big, a), append(small, b)
	}
	var inits Sample
	for range 9 {
		d, err := initTrace(e.Forgehook)
		if err != nil {
			return err
		}
		inits = append(inits, d)
	}
	t.Add(Row{
		Name:     fmt.Sprintf("process start: forgehook version (median of %d)", runs),
		Result:   fmt.Sprintf("%s, of which package init %s (inittrace)", ms(big.Median()), ms(inits.Median())),
		Baseline: "the post-receive-only binary, starting and exiting: " + ms(small.Median()),
		Verdict:  Info,
	})
	return nil
}

// initTrace runs bin version with GODEBUG=inittrace=1 and returns the sum of
// the package initialization times it reports.
func initTrace(bin string) (time.Duration, error) {
	cmd := exec.Command(bin, "version")
	cmd.Env = append(os.Environ(), "GODEBUG=inittrace=1")
	var errb bytes.Buffer
	cmd.Stderr = &errb
	if err := cmd.Run(); err != nil {
		return 0, fmt.Errorf("%s version: %v", bin, err)
	}
	var total time.Duration
	for _, line := range strings.Split(errb.String(), "\n") {
		// init internal/bytealg @0.008 ms, 0 ms clock, 0 bytes, 0 allocs
		f := strings.Fields(line)
		if len(f) >= 7 && f[0] == "init" && f[5] == "ms" && f[6] == "clock," {
			v, err := strconv.ParseFloat(f[4], 64)
			if err != nil {
				return 0, fmt.Errorf("inittrace: %q: %w", line, err)
			}
			total += time.Duration(v * float64(time.Millisecond))
		}
	}
	return total, nil
}
