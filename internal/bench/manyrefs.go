package bench

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"time"
)

// benchManyRefs pushes 5,000 tags, then 5,000 branches, on one commit in one
// push (with --max-tags-per-push 0, so that every tag gets its events), and
// times how long the daemon takes to store their events and how long a
// one-commit push to another repository, made right after, waits for its
// delivery, against the same push with nothing else going on.
func (e *Env) benchManyRefs(t *Table) error {
	n := 5000
	if e.Quick {
		n = 500
	}
	for _, kind := range []string{"tag", "branch"} {
		if err := e.manyRefs(t, kind, n); err != nil {
			return err
		}
	}
	return nil
}

func (e *Env) manyRefs(t *Table, kind string, n int) error {
	dir := filepath.Join(e.Dir, "manyrefs-"+kind)
	repos, db := filepath.Join(dir, "repos"), filepath.Join(dir, "forgehook.db")
	bigRecv, err := StartReceiver()
	if err != nil {
		return err
	}
	defer bigRecv.Close()
	smallRecv, err := StartReceiver()
	if err != nil {
		return err
	}
	defer smallRecv.Close()
	big, err := e.InitBare(repos, "bench", "big")
	if err != nil {
		return err
	}
	small, err := e.InitBare(repos, "bench", "small")
	if err != nil {
		return err
	}
	d, err := e.StartDaemon(db, repos, "--max-tags-per-push", "0")
	if err != nil {
		return err
	}
	defer d.Kill()
	if err := AddHooks(db, "bench", "big", bigRecv.URL, 1); err != nil {
		return err
	}
	if err := AddHooks(db, "bench", "small", smallRecv.URL, 1); err != nil {
		return err
	}
	if err := e.Install(db, repos, big, small); err != nil {
		return err
	}
	bc, err := e.NewClone(big, filepath.Join(dir, "big"))
	if err != nil {
		return err
	}
	sc, err := e.NewClone(small, filepath.Join(dir, "small"))
	if err != nil {
		return err
	}
	if _, err := bc.Commit(); err != nil {
		return err
	}
	if _, _, err := bc.Push("main"); err != nil {
		return err
	}
	// The baseline: the small push alone.
	var alone Sample
	for range 7 {
		lat, err := e.smallPush(sc, smallRecv)
		if err != nil {
			return err
		}
		alone = append(alone, lat)
	}
	tip, err := bc.Commit() // a new commit, on every branch or tag of the big push
	if err != nil {
		return err
	}
	prefix, refspec := "refs/tags/t", "refs/tags/*:refs/tags/*"
	if kind == "branch" {
		prefix, refspec = "refs/heads/b", "refs/heads/*:refs/heads/*" // main moves to tip too
	}
	var refs strings.Builder // as packed refs: n git tag runs would take long
	for i := range n {
		fmt.Fprintf(&refs, "%s %s%04d\n", tip, prefix, i)
	}
	if err := appendFile(filepath.Join(bc.Dir, ".git", "packed-refs"), refs.String()); err != nil {
		return err
	}
	e.logf("many refs: a push of %d %ss", n, kind)
	recorded, _, err := d.Pushes(context.Background())
	if err != nil {
		return err
	}
	if _, _, err := bc.Push(refspec); err != nil {
		return err
	}
	bigPushed := time.Now()
	delay, err := e.smallPush(sc, smallRecv)
	if err != nil {
		return err
	}
	smallAt := time.Now()
	if now, _, err := d.Pushes(context.Background()); err != nil || now != recorded+2 {
		return fmt.Errorf("%d pushes recorded, want %d (%v)", now, recorded+2, err)
	}
	bigDone, err := d.waitPushesDone(2 * time.Minute)
	if err != nil {
		return err
	}
	took := bigDone.Sub(bigPushed)
	before := "before"
	if smallAt.After(bigDone) {
		before = "after"
	}
	t.Add(Row{
		Name: fmt.Sprintf("one push of %s %s on one new commit (one push event each): git push returned → every event stored",
			thousands(int64(n)), map[string]string{"tag": "tags", "branch": "branches"}[kind]),
		Result:   ms(took),
		Target:   "≤ 1 s",
		Baseline: "was ~310 s for 5,000 tags (issue 10)",
		Verdict:  verdict(took <= time.Second),
	})
	t.Add(Row{
		Name:     "… a one-commit push to another repository right after it: git push returned → delivered",
		Result:   fmt.Sprintf("%s (delivered %s the big push was done)", ms(delay), before),
		Target:   "≤ 250 ms",
		Baseline: fmt.Sprintf("the same push alone: %s (median of %d)", ms(alone.Median()), len(alone)),
		Verdict:  verdict(delay <= 250*time.Millisecond),
	})
	if n := d.Errors(); n > 0 {
		return fmt.Errorf("the daemon logged %d errors:\n%s", n, d.Log())
	}
	return d.Stop()
}

// smallPush pushes one commit of c and returns how long after git push
// returned the receiver had it (0 if before).
func (e *Env) smallPush(c *Clone, recv *Receiver) (time.Duration, error) {
	after, err := c.Commit()
	if err != nil {
		return 0, err
	}
	ch := recv.WaitPush(after)
	defer recv.Forget(after)
	if _, _, err := c.Push("main"); err != nil {
		return 0, err
	}
	pushed := time.Now()
	at, err := waitFor(ch, 2*time.Minute, "the one-commit push")
	if err != nil {
		return 0, err
	}
	return max(0, at.Sub(pushed)), nil
}

// waitPushesDone polls the database until every recorded push became events,
// and returns when it saw that.
func (d *Daemon) waitPushesDone(limit time.Duration) (time.Time, error) {
	deadline := time.Now().Add(limit)
	for {
		recorded, done, err := d.Pushes(context.Background())
		if err == nil && recorded == done {
			return time.Now(), nil
		}
		if time.Now().After(deadline) {
			return time.Time{}, fmt.Errorf("%d of %d pushes done after %v (err %v)", done, recorded, limit, err)
		}
		time.Sleep(2 * time.Millisecond)
	}
}

func appendFile(path, s string) error {
	f, err := os.OpenFile(path, os.O_APPEND|os.O_CREATE|os.O_WRONLY, 0o644)
	if err != nil {
		return err
	}
	if _, err := f.WriteString(s); err != nil {
		f.Close()
		return err
	}
	return f.Close()
}
