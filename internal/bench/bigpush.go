package bench

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"os/exec"
	"path/filepath"
	"strconv"
	"time"

	"github.com/forgehook/forgehook/git"
	"github.com/forgehook/forgehook/hooks"
	"github.com/forgehook/forgehook/internal/gitgen"
)

// bigPush is one big push: the last n first-parent commits of main of a
// generated history (merges included, so the range holds more commits).
type bigPush struct {
	h gitgen.History
	n int
}

// benchBigPush times building the payload of big pushes (read the commits
// with a new git.Reader, as for objects never seen before, build the
// payload, encode it) against git log --name-status --no-renames over the
// same range, capped at the 2,048 commits a payload carries, alternated.
func (e *Env) benchBigPush(t *Table) error {
	runs := 7
	if e.Quick {
		runs = 2
	}
	for _, bp := range []bigPush{
		{gitgen.History{Commits: 3000, Dirs: 300, FilesPerDir: 10, MergeEvery: 500}, 2048},
		{gitgen.History{Commits: 12000, Dirs: 300, FilesPerDir: 10, MergeEvery: 500}, 10000},
	} {
		gitDir, err := e.InitBare(filepath.Join(e.Dir, "big"), "bench", "big"+strconv.Itoa(bp.n))
		if err != nil {
			return err
		}
		e.logf("big push of %d commits: generating %d commits", bp.n, bp.h.Commits)
		if _, err := e.GitInput(gitDir, gitgen.FastImport(bp.h), "fast-import", "--quiet", "--force"); err != nil {
			return err
		}
		if _, err := e.Git(gitDir, "repack", "-a", "-d", "-f", "-q", "--depth=50", "--window=10"); err != nil {
			return err
		}
		before, err := e.Git(gitDir, "rev-parse", "main~"+strconv.Itoa(bp.n))
		if err != nil {
			return err
		}
		after, err := e.Git(gitDir, "rev-parse", "main")
		if err != nil {
			return err
		}
		up := hooks.RefUpdate{Before: before, After: after, Ref: "refs/heads/main"}
		var build, log Sample
		var size, total int
		for i := range runs + 1 {
			took, n, commits, err := buildPayload(gitDir, up)
			if err != nil {
				return err
			}
			size, total = n, commits
			gl, err := e.gitLog(gitDir, before, after)
			if err != nil {
				return err
			}
			if i > 0 { // the first run warms the page cache
				build, log = append(build, took), append(log, gl)
			}
		}
		r := float64(build.Median()) / float64(log.Median())
		t.Add(Row{
			Name: fmt.Sprintf("payload of a %s-commit push (%s commits in range, %s KiB of JSON; median of %d)",
				thousands(int64(bp.n)), thousands(int64(total)), thousands(int64(size>>10)), runs),
			Result:   fmt.Sprintf("%s = %.2f× git log", ms(build.Median()), r),
			Target:   "≤ 2× git log",
			Baseline: "git log --name-status --no-renames -n 2048: " + ms(log.Median()),
			Verdict:  verdict(r <= 2),
		})
	}
	return nil
}

// buildPayload reads up with a new Reader, builds its push payload and
// encodes it, and returns how long that took, the payload's size and the
// number of commits the push brought.
func buildPayload(gitDir string, up hooks.RefUpdate) (time.Duration, int, int, error) {
	start := time.Now()
	rd := git.NewReader()
	defer rd.Close()
	ch, err := rd.ReadRefChange(context.Background(), gitDir, []hooks.RefUpdate{up}, 0)
	if err != nil {
		return 0, 0, 0, err
	}
	repo := &hooks.Repository{ID: 1, Owner: hooks.Account{ID: 1, Login: "bench"}, Name: "big",
		GitDir: gitDir, DefaultBranch: "main", CreatedAt: start, PushedAt: start}
	p := hooks.NewPushPayload(hooks.NewURLs("http://127.0.0.1:8080", ""),
		hooks.PushInput{Repo: repo, Update: up, Change: ch, Pusher: repo.Owner})
	b, err := json.Marshal(p)
	if err != nil {
		return 0, 0, 0, err
	}
	took := time.Since(start)
	if len(ch.Commits) != hooks.MaxPushCommits {
		return 0, 0, 0, fmt.Errorf("payload has %d commits, want %d", len(ch.Commits), hooks.MaxPushCommits)
	}
	return took, len(b), ch.TotalCommits, nil
}

// gitLog times git log --name-status --no-renames over the range, capped
// like the payload, its output read and dropped.
func (e *Env) gitLog(gitDir, before, after string) (time.Duration, error) {
	cmd := exec.Command("git", "log", "--name-status", "--no-renames", "-n", strconv.Itoa(hooks.MaxPushCommits), before+".."+after)
	var errb bytes.Buffer
	cmd.Dir, cmd.Env, cmd.Stdout, cmd.Stderr = gitDir, e.gitEnv, io.Discard, &errb
	start := time.Now()
	if err := cmd.Run(); err != nil {
		return 0, fmt.Errorf("git log: %v: %s", err, errb.String())
	}
	return time.Since(start), nil
}
