package sqlite

import (
	"cmp"
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"slices"
	"time"

	"github.com/forgehook/forgehook/hooks"
	"github.com/forgehook/forgehook/store/internal/outcome"
)

var _ hooks.PushQueue = (*DB)(nil)

// States of rows in pushes and jobs.
const (
	stateQueued = outcome.StateQueued
	stateLeased = outcome.StateLeased
	stateDone   = outcome.StateDone // succeeded
	stateFailed = outcome.StateFailed
)

// EnqueuePush records p, queued at once, in one transaction and sets its ID.
// A zero ReceivedAt is set to now. This is all the post-receive hook does.
func (db *DB) EnqueuePush(ctx context.Context, p *hooks.Push) error {
	now := db.now()
	err := db.update(ctx, func(tx *sql.Tx) error { return insertPush(ctx, tx, p, now) })
	return wrap("enqueue push", err)
}

// insertPush inserts p, queued at now, and sets its ID; a zero ReceivedAt
// becomes now.
func insertPush(ctx context.Context, tx *sql.Tx, p *hooks.Push, now time.Time) error {
	updates := p.Updates
	if updates == nil {
		updates = []hooks.RefUpdate{}
	}
	b, err := json.Marshal(updates)
	if err != nil {
		return err
	}
	if p.ReceivedAt.IsZero() {
		p.ReceivedAt = now
	}
	return tx.QueryRowContext(ctx, `INSERT INTO pushes (git_dir, pusher, updates, received_at,
		state, run_at, attempts) VALUES (?, ?, ?, ?, 0, ?, 0) RETURNING id`,
		p.GitDir, p.Pusher, string(b), millis(p.ReceivedAt), millis(now)).Scan(&p.ID)
}

// ClaimPushes leases up to n pushes that are due or whose lease expired, for
// owner until now+lease, round-robin between repositories (by git dir): a
// push is claimable only if every older unhandled push of its repository is
// too, and the claim takes the first claimable push of each repository (the
// one whose turn came first: the longest due), then the second ones, and so
// on. The list comes in that order. Each claim gets a new fencing token and
// counts as an attempt.
func (db *DB) ClaimPushes(ctx context.Context, owner string, n int, lease time.Duration) ([]*hooks.ClaimedPush, error) {
	if n <= 0 {
		return nil, nil
	}
	if ok, err := anyDue(ctx, db.read, "pushes", db.now()); err != nil || !ok {
		return nil, wrap("claim pushes", err)
	}
	var list []*hooks.ClaimedPush
	runAt := map[int64]int64{}
	err := db.update(ctx, func(tx *sql.Tx) error {
		list = list[:0]
		now := db.now() // the lock may have taken a while
		until := now.Add(lease)
		rows, err := tx.QueryContext(ctx, `UPDATE pushes
			SET state = 1, lease_owner = ?1, lease_token = (SELECT lease_seq + 1 FROM meta),
				lease_until = ?2, attempts = attempts + 1
			WHERE id IN (SELECT id FROM (
					SELECT id, run_at, row_number() OVER repo AS pos,
						min(CASE WHEN state = 0 AND run_at <= ?3 OR state = 1 AND lease_until < ?3
							THEN NULL ELSE id END) OVER whole AS blocked
					FROM pushes WHERE state IN (0, 1)
					WINDOW repo AS (PARTITION BY git_dir ORDER BY id), whole AS (PARTITION BY git_dir))
				WHERE blocked IS NULL OR id < blocked
				ORDER BY pos, run_at, id LIMIT ?4)
			RETURNING id, git_dir, pusher, updates, received_at, attempts, lease_token, next_ref, run_at`,
			owner, millis(until), millis(now), n)
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
		if err := dueRetries(ctx, tx, list, now); err != nil {
			return err
		}
		return bumpLeaseSeq(ctx, tx, len(list))
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
func dueRetries(ctx context.Context, tx *sql.Tx, list []*hooks.ClaimedPush, now time.Time) error {
	for _, p := range list {
		if p.Next == 0 {
			continue
		}
		rows, err := tx.QueryContext(ctx, `SELECT idx, attempts FROM push_refs
			WHERE push_id = ? AND state = 0 AND run_at <= ? ORDER BY idx`, p.ID, millis(now))
		if err != nil {
			return err
		}
		for rows.Next() {
			var r hooks.RefRetry
			if err := rows.Scan(&r.Index, &r.Attempts); err != nil {
				rows.Close()
				return err
			}
			p.Retry = append(p.Retry, r)
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return err
		}
	}
	return nil
}

// bumpLeaseSeq consumes the fencing token a claim of n rows used, if it
// claimed any; an empty claim writes nothing.
func bumpLeaseSeq(ctx context.Context, tx *sql.Tx, n int) error {
	if n == 0 {
		return nil
	}
	_, err := tx.ExecContext(ctx, `UPDATE meta SET lease_seq = lease_seq + 1`)
	return err
}

// CompletePushes stores, for each of done, its events with one queued job per
// target hook that still exists, and its progress, in one transaction: one
// commit (and fsync) for a batch of claimed pushes. A push whose every update
// was tried, none waiting for a retry, is done, with the updates that failed
// for good listed in its error, and its repository's ref state moves past it;
// the others are queued again, due at once or at their next retry, with their
// attempts reset. errs[i] is ECONFLICT, and nothing is stored for done[i], if
// its lease was lost; the others are stored and their events get IDs. If the
// transaction fails, err says why and nothing is stored.
func (db *DB) CompletePushes(ctx context.Context, done []hooks.PushEvents) ([]error, error) {
	now := db.now()
	errs := make([]error, len(done))
	err := db.update(ctx, func(tx *sql.Tx) error {
		for i, d := range done {
			errs[i] = nil // a retried transaction starts over
			res, err := tx.ExecContext(ctx, `UPDATE pushes SET next_ref = ?, attempts = 0,
				lease_owner = NULL, lease_until = NULL, error = NULL
				WHERE id = ? AND state = 1 AND lease_token = ?`,
				d.Next, d.Push.ID, d.Push.Lease.Token)
			if err := fenced(res, err, "push", d.Push.ID); err != nil {
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
			}
			if err := storeRefOutcomes(ctx, tx, d); err != nil {
				return err
			}
			if err := settlePush(ctx, tx, d, now); err != nil {
				return err
			}
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
func settlePush(ctx context.Context, tx *sql.Tx, d hooks.PushEvents, now time.Time) error {
	var retryAt sql.NullInt64
	if err := tx.QueryRowContext(ctx, `SELECT min(run_at) FROM push_refs WHERE push_id = ? AND state = 0`,
		d.Push.ID).Scan(&retryAt); err != nil {
		return err
	}
	if d.Next < len(d.Push.Updates) || retryAt.Valid {
		runAt := millis(now)
		if d.Next >= len(d.Push.Updates) {
			runAt = retryAt.Int64
		}
		_, err := tx.ExecContext(ctx, `UPDATE pushes SET state = 0, run_at = ? WHERE id = ?`, runAt, d.Push.ID)
		return err
	}
	if _, err := tx.ExecContext(ctx, `UPDATE pushes SET state = 2, error = (SELECT
			group_concat(ref || ': ' || error, '; ') FROM push_refs WHERE push_id = ?1 AND state = 3)
		WHERE id = ?1`, d.Push.ID); err != nil {
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
	err := db.update(ctx, func(tx *sql.Tx) error {
		res, err := tx.ExecContext(ctx, `UPDATE pushes SET state = ?, run_at = ?, error = ?,
			lease_owner = NULL, lease_until = NULL WHERE id = ? AND state = 1 AND lease_token = ?`,
			state, millis(retryAt), reason, p.ID, p.Lease.Token)
		return fenced(res, err, "push", p.ID)
	})
	return wrap("retry push", err)
}

// ReleasePush gives up the lease on p, untouched: it is claimable again at
// once, in its place, and the claim does not count as an attempt. It fails
// with ECONFLICT if p's lease was lost.
func (db *DB) ReleasePush(ctx context.Context, p *hooks.ClaimedPush) error {
	err := db.update(ctx, func(tx *sql.Tx) error {
		res, err := tx.ExecContext(ctx, `UPDATE pushes SET state = 0, attempts = attempts - 1,
			lease_owner = NULL, lease_until = NULL WHERE id = ? AND state = 1 AND lease_token = ?`,
			p.ID, p.Lease.Token)
		return fenced(res, err, "push", p.ID)
	})
	return wrap("release push", err)
}

// fenced checks the result of a write guarded by a lease token: no row
// changed means the lease was lost.
func fenced(res sql.Result, err error, what string, id int64) error {
	return changedRow(res, err, errLeaseLost(what, id))
}
