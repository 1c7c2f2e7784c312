package git

import (
	"context"
	"fmt"
	"runtime"
	"sync"
	"sync/atomic"

	"github.com/go-git/go-git/v5/plumbing"

	"github.com/forgehook/forgehook/hooks"
)

const (
	maxDiffWorkers = 4   // goroutines that decode the commits of one update
	minDiffChunk   = 128 // commits below which another goroutine is not worth it
)

// pushCommits decodes sorted with the paths each changed against its first
// parent. Long lists are split into contiguous runs, decoded in parallel.
func pushCommits(ctx context.Context, store *objectStore, sorted []*commitNode) ([]hooks.Commit, error) {
	out := make([]hooks.Commit, len(sorted))
	workers := max(1, min(runtime.GOMAXPROCS(0), maxDiffWorkers, len(sorted)/minDiffChunk))
	chunk := (len(sorted) + workers - 1) / workers
	errs := make([]error, workers)
	var failed atomic.Bool
	var wg sync.WaitGroup
	for w := range workers {
		lo, hi := w*chunk, min((w+1)*chunk, len(sorted))
		wg.Go(func() {
			d := newDiffer(store)
			for i := lo; i < hi; i++ {
				if (i-lo)%64 == 0 && (failed.Load() || ctx.Err() != nil) {
					errs[w] = ctx.Err()
					return
				}
				if err := fillCommit(d, sorted[i], &out[i]); err != nil {
					errs[w] = err
					failed.Store(true)
					return
				}
			}
		})
	}
	wg.Wait()
	for _, err := range errs {
		if err != nil {
			return nil, err
		}
	}
	return out, nil
}

// fillCommit decodes n into c, with the paths it changed against its first
// parent.
func fillCommit(d *differ, n *commitNode, c *hooks.Commit) error {
	*c = n.toCommit()
	var from plumbing.Hash
	if len(n.parents) > 0 {
		if len(n.parentN) > 0 {
			from = n.parentN[0].tree
		} else {
			obj, err := d.store.read(n.parents[0])
			if err != nil {
				return fmt.Errorf("parent of %s: %w", n.hash, err)
			}
			if obj.typ != plumbing.CommitObject {
				return fmt.Errorf("%w: parent of %s is a %s", errCorrupt, n.hash, obj.typ)
			}
			p, err := parseCommitNode(n.parents[0], obj.data)
			if err != nil {
				return err
			}
			from = p.tree
		}
	}
	if err := d.diff(from, n.tree, c); err != nil {
		return fmt.Errorf("diff %s: %w", n.hash, err)
	}
	return nil
}
