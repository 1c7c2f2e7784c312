package bench

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"time"
)

// benchConcurrent makes 50 pushes at once into 10 repositories, each with
// one hook, and checks that every push is recorded and delivered and none
// fails. The installed hooks are timed by forgebench time-hook.
func (e *Env) benchConcurrent(t *Table) error {
	const repoCount, perRepo = 10, 5
	dir := filepath.Join(e.Dir, "concurrent")
	repos, db := filepath.Join(dir, "repos"), filepath.Join(dir, "forgehook.db")
	timesLog := filepath.Join(dir, "hook-times.log")
	recv, err := StartReceiver()
	if err != nil {
		return err
	}
	defer recv.Close()
	var gitDirs []string
	for i := range repoCount {
		g, err := e.InitBare(repos, "bench", fmt.Sprintf("c%d", i))
		if err != nil {
			return err
		}
		gitDirs = append(gitDirs, g)
	}
	d, err := e.StartDaemon(db, repos)
	if err != nil {
		return err
	}
	defer d.Kill()
	if err := e.Install(db, repos, gitDirs...); err != nil {
		return err
	}
	for i, g := range gitDirs {
		if err := AddHooks(db, "bench", fmt.Sprintf("c%d", i), recv.URL, 1); err != nil {
			return err
		}
		if err := e.wrapHook(g, timesLog); err != nil {
			return err
		}
	}
	// Give each repository a main branch, then make the clones that push.
	e.logf("concurrent pushes: %d clones", repoCount*perRepo)
	var clones []*Clone
	for i, g := range gitDirs {
		seed, err := e.NewClone(g, filepath.Join(dir, fmt.Sprintf("seed%d", i)))
		if err != nil {
			return err
		}
		if _, err := seed.Commit(); err != nil {
			return err
		}
		if _, _, err := seed.Push("main"); err != nil {
			return err
		}
		for j := range perRepo {
			c := &Clone{env: e, Dir: filepath.Join(dir, fmt.Sprintf("clone%d-%d", i, j))}
			if _, err := e.Git(dir, "clone", "--quiet", g, c.Dir); err != nil {
				return err
			}
			if _, err := e.Git(c.Dir, "commit", "--quiet", "--allow-empty", "-m", fmt.Sprintf("push %d", j)); err != nil {
				return err
			}
			clones = append(clones, c)
		}
	}
	seeded := int64(repoCount)
	if _, err := d.WaitDeliveries(seeded, time.Minute); err != nil {
		return err
	}
	if err := os.Remove(timesLog); err != nil {
		return err
	}

	all := recv.Expect(recv.Count() + int64(len(clones)))
	var (
		wg     sync.WaitGroup
		mu     sync.Mutex
		pushes Sample
		failed []string
	)
	start := make(chan struct{})
	for i, c := range clones {
		wg.Go(func() {
			<-start
			took, stderr, err := c.Push(fmt.Sprintf("HEAD:refs/heads/p%d", i))
			mu.Lock()
			defer mu.Unlock()
			pushes = append(pushes, took)
			if err != nil {
				failed = append(failed, err.Error())
			} else if strings.Contains(stderr, "forgehook:") {
				failed = append(failed, stderr)
			}
		})
	}
	close(start)
	wg.Wait()
	want := seeded + int64(len(clones))
	var delivered int64
	if _, err := waitFor(all, time.Minute, "the receiver having every concurrent push"); err == nil {
		if _, err := d.WaitDeliveries(want, time.Minute); err != nil {
			return err
		}
	}
	recorded, done, err := d.Pushes(context.Background())
	if err != nil {
		return err
	}
	if delivered, err = d.Deliveries(context.Background()); err != nil {
		return err
	}
	hookTimes, err := readHookTimes(timesLog)
	if err != nil {
		return err
	}
	ok := len(failed) == 0 && recorded == want && done == want && delivered == want && len(hookTimes) == len(clones)
	for _, f := range failed {
		e.logf("concurrent push failed: %s", f)
	}
	t.Add(Row{
		Name: fmt.Sprintf("%d pushes at once into %d repos: failed, recorded, delivered", len(clones), repoCount),
		Result: fmt.Sprintf("%d failed; %d/%d recorded; %d/%d delivered", len(failed),
			recorded-seeded, len(clones), delivered-seeded, len(clones)),
		Target:  "none fails, every one recorded",
		Verdict: verdict(ok),
	})
	t.Add(Row{
		Name:     fmt.Sprintf("%d pushes at once: hook time p50 / p99 / max", len(clones)),
		Result:   fmt.Sprintf("%s / %s / %s", ms(hookTimes.Median()), ms(hookTimes.Percentile(99)), ms(hookTimes.Percentile(100))),
		Baseline: fmt.Sprintf("whole git push p50 %s, p99 %s", ms(pushes.Median()), ms(pushes.Percentile(99))),
		Verdict:  Info,
	})
	if n := d.Errors(); n > 0 {
		return fmt.Errorf("the daemon logged %d errors:\n%s", n, d.Log())
	}
	return d.Stop()
}
