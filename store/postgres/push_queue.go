package postgres

import (
	"cmp"
	"context"
	"encoding/json"
	"fmt"
	"slices"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/forgehook/forgehook/hooks"
	"github.com/forgehook/forgehook/store/internal/outcome"
)

var _ hooks.PushQueue = (*DB)(nil)

// States of rows in pushes and jobs, as in the SQLite store.
const (
	stateQueued = outcome.StateQueued
	stateLeased = outcome.StateLeased
	stateDone   = outcome.StateDone // succeeded
	stateFailed = outcome.StateFailed
)

// repoLock is the advisory lock namespace of a repository's push queue: a
// claim holds the lock of every repository it may take pushes of, so that
// two daemons never take two pushes of one repository out of order.
const repoLock = 0x7270 // "rp"

// EnqueuePush records p, queued at once, in one transaction and sets its ID.
// A zero ReceivedAt is set to now. The push is recorded as of db.Node. This
// is all the post-receive hook does.
func (db *DB) EnqueuePush(ctx context.Context, p *hooks.Push) error {
	now := db.now()
	if p.ReceivedAt.IsZero() {
		p.ReceivedAt = now
	}
	err := db.update(ctx, func(tx pgx.Tx) error {
		if err := db.insertPush(ctx, tx, p, now); err != nil {
			return err
		}
		return notify(ctx, tx, chanPushes)
	})
	return wrap("enqueue push", err)
}

// insertPush inserts p, queued at now, as of db.Node, and sets its ID.
func (db *DB) insertPush(ctx context.Context, tx pgx.Tx, p *hooks.Push, now time.Time) error {
	updates := p.Updates
	if updates == nil {
		updates = []hooks.RefUpdate{}
	}
	b, err := json.Marshal(updates)
	if err != nil {
		return err
	}
	return tx.QueryRow(ctx, `INSERT INTO pushes (git_dir, pusher, updates, received_at,
		state, run_at, attempts, node) VALUES ($1, $2, $3, $4, 0, $5, 0, $6) RETURNING id`,
		p.GitDir, p.Pusher, string(b), millis(p.ReceivedAt), millis(now), db.Node).Scan(&p.ID)
}

// ClaimPushes leases up to n pushes that are due or whose lease expired, for
// owner until now+lease, round-robin between repositories, as the SQLite
// store does. Several daemons may claim at once: the claim first takes the
// advisory locks of the repositories with unhandled pushes that no other
// claim holds, then, in a statement whose snapshot sees every lease
// committed before those locks were free, takes the pushes of those
// repositories FOR UPDATE SKIP LOCKED. Only pushes recorded as of db.Node
// are claimed: the others' repositories cannot be read here.
func (db *DB) ClaimPushes(ctx context.Context, owner string, n int, lease time.Duration) ([]*hooks.ClaimedPush, error) {
	if n <= 0 {
		return nil, nil
	}
	var list []*hooks.ClaimedPush
	runAt := map[int64]int64{}
	err := db.update(ctx, func(tx pgx.Tx) error {
		now := db.now()
		until := now.Add(lease)
		rows, err := tx.Query(ctx, `SELECT git_dir FROM (SELECT DISTINCT git_dir FROM pushes
			WHERE node = $3 AND (state = 0 AND run_at <= $1 OR state = 1 AND lease_until < $1)) d
			WHERE pg_try_advisory_xact_lock($2, hashtext(git_dir))`, millis(now), repoLock, db.Node)
		if err != nil {
			return err
		}
		repos, err := pgx.CollectRows(rows, pgx.RowTo[string])
		if err != nil || len(repos) == 0 {
			return err
		}
		rows, err = tx.Query(ctx, `WITH tok AS (SELECT nextval('lease_seq') AS t)
			UPDATE pushes p SET state = 1, lease_owner = $1, lease_token = tok.t,
				lease_until = $2, attempts = p.attempts + 1
			FROM tok
			WHERE p.id IN (SELECT id FROM pushes WHERE id IN (
					SELECT id FROM (
						SELECT id, run_at, row_number() OVER repo AS pos,
							min(CASE WHEN state = 0 AND run_at <= $3 OR state = 1 AND lease_until < $3
								THEN NULL ELSE id END) OVER whole AS blocked
						FROM pushes WHERE state IN (0, 1) AND node = $6 AND git_dir = ANY($5)
						WINDOW repo AS (PARTITION BY git_dir ORDER BY id), whole AS (PARTITION BY git_dir)) q
					WHERE blocked IS NULL OR id < blocked
					ORDER BY pos, run_at, id LIMIT $4)
				FOR UPDATE SKIP LOCKED)
			RETURNING p.id, p.git_dir, p.pusher, p.updates, p.received_at, p.attempts, p.lease_token,
				p.next_ref, p.run_at`,
			owner, millis(until), millis(now), n, repos, db.Node)
		if err != nil {
			return err
		}
		defer rows.Close()
		for rows.Next() {
			p := &hooks.ClaimedPush{Lease: hooks.Lease{Owner: owner, Until: until}}
			var updates string
			var received, run int64
			if err := rows.Scan(&p.ID, &p.GitDir, &p.Pusher, &updates, &received, &p.Attempts,
				&p.Lease.Token, &p.Next, &run); err != nil {
				return err
			}
			if err := json.Unmarshal([]byte(updates), &p.Updates); err != nil {
				return fmt.Errorf("push %d: updates: %w", p.ID, err)
			}
			p.ReceivedAt = fromMillis(received)
			runAt[p.ID] = run
			list = append(list, p)
		}
		if err := rows.Err(); err != nil {
			return err
		}
		rows.Close()
		return dueRetries(ctx, tx, list, now)
	})
	if err != nil {
		return nil, wrap("claim pushes", err)
	}
	roundRobin(list, runAt)
	return list, nil
}

// roundRobin orders claimed pushes as ClaimPushes returns them: by their
// position in their repository's queue, then by when they became due.
func roundRobin(list []*hooks.ClaimedPush, runAt map[int64]int64) {
	slices.SortFunc(list, func(a, b *hooks.ClaimedPush) int { return cmp.Compare(a.ID, b.ID) })
	pos, seen := map[int64]int{}, map[string]int{}
	for _, p := range list {
		seen[p.GitDir]++
		pos[p.ID] = seen[p.GitDir]
	}
	slices.SortFunc(list, func(a, b *hooks.ClaimedPush) int {
		return cmp.Or(cmp.Compare(pos[a.ID], pos[b.ID]), cmp.Compare(runAt[a.ID], runAt[b.ID]), cmp.Compare(a.ID, b.ID))
	})
}

// dueRetries sets the Retry list of each claimed push that made progress
// before: its failed updates that are due for another attempt.
func dueRetries(ctx context.Context, tx pgx.Tx, list []*hooks.ClaimedPush, now time.Time) error {
	for _, p := range list {
		if p.Next == 0 {
			continue
		}
		rows, err := tx.Query(ctx, `SELECT idx, attempts FROM push_refs
			WHERE push_id = $1 AND state = 0 AND run_at <= $2 ORDER BY idx`, p.ID, millis(now))
		if err != nil {
			return err
		}
		p.Retry, err = pgx.CollectRows(rows, func(r pgx.CollectableRow) (hooks.RefRetry, error) {
			var x hooks.RefRetry
			err := r.Scan(&x.Index, &x.Attempts)
			return x, err
		})
		if err != nil {
			return err
		}
	}
	return nil
}

// CompletePushes stores, for each of done, its events with one queued job per
// target hook that still exists, and its progress, in one transaction, as
// the SQLite store does. errs[i] is ECONFLICT, and nothing is stored for
// done[i], if its lease was lost.
func (db *DB) CompletePushes(ctx context.Context, done []hooks.PushEvents) ([]error, error) {
	now := db.now()
	errs := make([]error, len(done))
	err := db.update(ctx, func(tx pgx.Tx) error {
		queued := false
		for i, d := range done {
			errs[i] = nil
			tag, err := tx.Exec(ctx, `UPDATE pushes SET next_ref = $1, attempts = 0,
				lease_owner = NULL, lease_until = NULL, error = NULL
				WHERE id = $2 AND state = 1 AND lease_token = $3`,
				d.Next, d.Push.ID, d.Push.Lease.Token)
			if err := fenced(tag, err, "push", d.Push.ID); err != nil {
				if hooks.ErrorCode(err) != hooks.ECONFLICT {
					return err
				}
				errs[i] = err
				continue
			}
			for _, e := range d.Events {
				if err := insertEvent(ctx, tx, e, now); err != nil {
					return err
				}
				queued = queued || len(e.Targets) > 0
			}
			if err := storeRefOutcomes(ctx, tx, d); err != nil {
				return err
			}
			if err := settlePush(ctx, tx, d, now); err != nil {
				return err
			}
		}
		if queued {
			return notify(ctx, tx, chanJobs)
		}
		return nil
	})
	for i, d := range done {
		if err != nil || errs[i] != nil {
			for _, e := range d.Events {
				e.ID = 0 // rolled back, or never stored
			}
		}
	}
	if err != nil {
		return nil, wrap("complete pushes", err)
	}
	return errs, nil
}

// settlePush marks the push of d done, or queues it again for its next
// chunk or retry.
func settlePush(ctx context.Context, tx pgx.Tx, d hooks.PushEvents, now time.Time) error {
	var retryAt *int64
	if err := tx.QueryRow(ctx, `SELECT min(run_at) FROM push_refs WHERE push_id = $1 AND state = 0`,
		d.Push.ID).Scan(&retryAt); err != nil {
		return err
	}
	if d.Next < len(d.Push.Updates) || retryAt != nil {
		runAt := millis(now)
		if d.Next >= len(d.Push.Updates) {
			runAt = *retryAt
		}
		_, err := tx.Exec(ctx, `UPDATE pushes SET state = 0, run_at = $1 WHERE id = $2`, runAt, d.Push.ID)
		return err
	}
	if _, err := tx.Exec(ctx, `UPDATE pushes SET state = 2, error = (SELECT
			string_agg(ref || ': ' || error, '; ' ORDER BY idx) FROM push_refs WHERE push_id = $1 AND state = 3)
		WHERE id = $1`, d.Push.ID); err != nil {
		return err
	}
	return advanceRefState(ctx, tx, &d.Push.Push)
}

// RetryPush gives up the lease on p after a failure: p becomes claimable
// again at retryAt (now if zero), or with final is marked failed. reason
// is kept either way. It fails with ECONFLICT if p's lease was lost.
func (db *DB) RetryPush(ctx context.Context, p *hooks.ClaimedPush, retryAt time.Time, reason string, final bool) error {
	state := stateQueued
	if final {
		state = stateFailed
	}
	if retryAt.IsZero() {
		retryAt = db.now()
	}
	tag, err := db.pool.Exec(ctx, `UPDATE pushes SET state = $1, run_at = $2, error = $3,
		lease_owner = NULL, lease_until = NULL WHERE id = $4 AND state = 1 AND lease_token = $5`,
		state, millis(retryAt), reason, p.ID, p.Lease.Token)
	return wrap("retry push", fenced(tag, err, "push", p.ID))
}

// ReleasePush gives up the lease on p, untouched: it is claimable again at
// once, in its place, and the claim does not count as an attempt. It fails
// with ECONFLICT if p's lease was lost.
func (db *DB) ReleasePush(ctx context.Context, p *hooks.ClaimedPush) error {
	tag, err := db.pool.Exec(ctx, `UPDATE pushes SET state = 0, attempts = attempts - 1,
		lease_owner = NULL, lease_until = NULL WHERE id = $1 AND state = 1 AND lease_token = $2`,
		p.ID, p.Lease.Token)
	return wrap("release push", fenced(tag, err, "push", p.ID))
}
