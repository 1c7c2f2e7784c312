package sqlite

import (
	"cmp"
	"context"
	"database/sql"
	"encoding/json"
	"slices"
	"time"

	"github.com/forgehook/forgehook/hooks"
)

var _ hooks.DeliveryQueue = (*DB)(nil)

// EnqueueEvent stores e, sets its ID (and GUID and CreatedAt when unset), and
// queues one job, due now, per target hook that exists.
func (db *DB) EnqueueEvent(ctx context.Context, e *hooks.Event) error {
	now := db.now()
	err := db.update(ctx, func(tx *sql.Tx) error { return insertEvent(ctx, tx, e, now) })
	if err != nil {
		e.ID = 0 // rolled back
	}
	return wrap("enqueue event", err)
}

// claimedJob is a jobs row as the claim returns it.
type claimedJob struct {
	id, eventID, hookID, runAt int64
	attempts                   int
	redelivery                 bool
	token                      int64
}

// ClaimJobs leases up to n jobs for owner until now+lease: jobs that are due
// and jobs whose lease expired, oldest due first, except jobs of the hooks in
// busy and of hooks with a job another owner holds a live lease on: each
// hook's jobs are with one daemon at a time, whose lanes keep them in order
// (--hook-concurrency 1 holds across daemons sharing a queue). Each claim gets a new fencing token and counts as an attempt. Jobs of
// one event share one *hooks.Event, and jobs of one hook one *hooks.Hook.
func (db *DB) ClaimJobs(ctx context.Context, owner string, n int, busy []int64, lease time.Duration) ([]*hooks.Job, error) {
	if n <= 0 {
		return nil, nil
	}
	if busy == nil {
		busy = []int64{}
	}
	busyJSON, err := json.Marshal(busy)
	if err != nil {
		return nil, wrap("claim jobs", err)
	}
	// Polling an idle queue must not take the write lock, which the
	// post-receive hook may be waiting for.
	if ok, err := anyJobDue(ctx, db.read, db.now()); err != nil || !ok {
		return nil, wrap("claim jobs", err)
	}
	var (
		claimed   []claimedJob
		farewells []*hooks.Job
		until     time.Time
	)
	err = db.update(ctx, func(tx *sql.Tx) error {
		now := db.now() // the lock may have taken a while
		until = now.Add(lease)
		var err error
		if claimed, err = claimJobs(ctx, tx, owner, n, string(busyJSON), now, until); err != nil {
			return err
		}
		if err := bumpLeaseSeq(ctx, tx, len(claimed)); err != nil {
			return err
		}
		if farewells, err = db.claimFarewells(ctx, tx, owner, n-len(claimed), now, until); err != nil {
			return err
		}
		return bumpLeaseSeq(ctx, tx, len(farewells))
	})
	if err != nil {
		return nil, wrap("claim jobs", err)
	}
	if len(claimed) == 0 {
		return farewells, nil
	}
	// Events and hooks are read after the commit, without holding the write
	// lock. A job whose hook or event was deleted meanwhile was deleted with
	// it (the foreign keys cascade): it is skipped.
	var eventIDs, hookIDs []int64
	for _, c := range claimed {
		eventIDs = append(eventIDs, c.eventID)
		hookIDs = append(hookIDs, c.hookID)
	}
	var (
		events    map[int64]*hooks.Event
		hooksByID map[int64]*hooks.Hook
	)
	err = db.view(ctx, func(tx *sql.Tx) error {
		var err error
		if events, err = loadEvents(ctx, tx, eventIDs); err != nil {
			return err
		}
		hooksByID, err = db.loadHooks(ctx, tx, hookIDs)
		return err
	})
	if err != nil {
		// The jobs stay leased and come back when the lease expires.
		return nil, wrap("claim jobs", err)
	}
	jobs := make([]*hooks.Job, 0, len(claimed))
	for _, c := range claimed {
		e, h := events[c.eventID], hooksByID[c.hookID]
		if e == nil || h == nil {
			continue
		}
		jobs = append(jobs, &hooks.Job{ID: c.id, Event: e, Hook: h, Attempt: c.attempts,
			Redelivery: c.redelivery, Lease: hooks.Lease{Owner: owner, Token: c.token, Until: until}})
	}
	return append(jobs, farewells...), nil
}

// claimJobs is the claim itself: one UPDATE ... RETURNING. Its result is in
// claim order: due time, then id.
func claimJobs(ctx context.Context, tx *sql.Tx, owner string, n int, busy string, now, until time.Time) ([]claimedJob, error) {
	// A hook with a live lease of another owner is busy too: its jobs go to
	// one daemon at a time, which keeps them in order (see ClaimJobs). Jobs
	// of hooks whose breaker is open wait as well.
	rows, err := tx.QueryContext(ctx, `WITH busy (hook_id) AS (SELECT value FROM json_each(?5)
			UNION SELECT hook_id FROM jobs WHERE state = 1 AND lease_until >= ?3 AND lease_owner IS NOT ?1
			UNION SELECT id FROM hooks WHERE breaker_until > ?3)
		UPDATE jobs
		SET state = 1, lease_owner = ?1, lease_token = (SELECT lease_seq + 1 FROM meta),
			lease_until = ?2, attempts = attempts + 1, updated_at = ?3
		WHERE id IN (SELECT id FROM (
				SELECT id, run_at FROM jobs
				WHERE state = 0 AND run_at <= ?3 AND hook_id NOT IN busy
				UNION ALL
				SELECT id, run_at FROM jobs
				WHERE state = 1 AND lease_until < ?3 AND hook_id NOT IN busy
				ORDER BY run_at, id LIMIT ?4))
		RETURNING id, event_id, hook_id, run_at, attempts, redelivery, lease_token`,
		owner, millis(until), millis(now), n, busy)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var list []claimedJob
	for rows.Next() {
		var c claimedJob
		if err := rows.Scan(&c.id, &c.eventID, &c.hookID, &c.runAt, &c.attempts, &c.redelivery, &c.token); err != nil {
			return nil, err
		}
		list = append(list, c)
	}
	if err := rows.Err(); err != nil {
		return nil, err
	}
	slices.SortFunc(list, func(a, b claimedJob) int {
		return cmp.Or(cmp.Compare(a.runAt, b.runAt), cmp.Compare(a.id, b.id))
	})
	return list, nil
}

// loadEvents loads the events ids (duplicates allowed), payloads included,
// in one query.
func loadEvents(ctx context.Context, tx *sql.Tx, ids []int64) (map[int64]*hooks.Event, error) {
	rows, err := tx.QueryContext(ctx, `SELECT `+eventColumns+` FROM events
		WHERE id IN (SELECT value FROM json_each(?))`, jsonIDs(ids))
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	m := make(map[int64]*hooks.Event)
	for rows.Next() {
		e, err := scanEvent(rows)
		if err != nil {
			return nil, err
		}
		m[e.ID] = e
	}
	return m, rows.Err()
}

// loadHooks loads the hooks ids (duplicates allowed) in one query.
func (db *DB) loadHooks(ctx context.Context, tx *sql.Tx, ids []int64) (map[int64]*hooks.Hook, error) {
	rows, err := tx.QueryContext(ctx, `SELECT `+hookColumns+` FROM hooks
		WHERE id IN (SELECT value FROM json_each(?))`, jsonIDs(ids))
	if err != nil {
		return nil, err
	}
	list, err := db.scanHooks(rows)
	if err != nil {
		return nil, err
	}
	m := make(map[int64]*hooks.Hook, len(list))
	for _, h := range list {
		m[h.ID] = h
	}
	return m, nil
}

// anyDue reports whether table (jobs or pushes) has a row that is due at now
// or whose lease expired, without taking the write lock.
func anyDue(ctx context.Context, q queryRower, table string, now time.Time) (bool, error) {
	var ok bool
	err := q.QueryRowContext(ctx, `SELECT EXISTS (SELECT 1 FROM `+table+` WHERE state = 0 AND run_at <= ?1)
		OR EXISTS (SELECT 1 FROM `+table+` WHERE state = 1 AND lease_until < ?1)`, millis(now)).Scan(&ok)
	return ok, err
}

// anyJobDue reports whether a job or farewell is due at now or its lease
// expired, leaving out the jobs of hooks whose breaker is open, without
// taking the write lock.
func anyJobDue(ctx context.Context, q queryRower, now time.Time) (bool, error) {
	if ok, err := anyDue(ctx, q, "farewells", now); err != nil || ok {
		return ok, err
	}
	var ok bool
	err := q.QueryRowContext(ctx, `WITH open (hook_id) AS (SELECT id FROM hooks WHERE breaker_until > ?1)
		SELECT EXISTS (SELECT 1 FROM jobs WHERE state = 0 AND run_at <= ?1 AND hook_id NOT IN open)
		OR EXISTS (SELECT 1 FROM jobs WHERE state = 1 AND lease_until < ?1 AND hook_id NOT IN open)`, millis(now)).Scan(&ok)
	return ok, err
}

// jsonIDs returns ids as a JSON array, for json_each.
func jsonIDs(ids []int64) string {
	b, _ := json.Marshal(ids) // []int64 always marshals
	return string(b)
}

// RecoverLeases makes every job and push leased by an owner other than owner
// due again at once (a daemon calls it when it starts, when every other
// lease is dead) and returns how many it freed.
func (db *DB) RecoverLeases(ctx context.Context, owner string) (int, error) {
	now := millis(db.now())
	var n int64
	err := db.update(ctx, func(tx *sql.Tx) error {
		for _, q := range []struct {
			sql  string
			args []any
		}{
			{`UPDATE jobs SET state = 0, lease_owner = NULL, lease_until = NULL, updated_at = ?
				WHERE state = 1 AND lease_owner IS NOT ?`, []any{now, owner}},
			{`UPDATE pushes SET state = 0, lease_owner = NULL, lease_until = NULL
				WHERE state = 1 AND lease_owner IS NOT ?`, []any{owner}},
			{`UPDATE farewells SET state = 0, lease_owner = NULL, lease_until = NULL
				WHERE state = 1 AND lease_owner IS NOT ?`, []any{owner}},
		} {
			res, err := tx.ExecContext(ctx, q.sql, q.args...)
			if err != nil {
				return err
			}
			k, err := res.RowsAffected()
			if err != nil {
				return err
			}
			n += k
		}
		return nil
	})
	if err != nil {
		return 0, wrap("recover leases", err)
	}
	return int(n), nil
}

// NextDue returns the earliest time a queued job, farewell or push becomes
// due or a leased one's lease expires, or the zero time if there is none. The
// queued jobs of a hook whose breaker is open are due when it half-opens.
func (db *DB) NextDue(ctx context.Context) (time.Time, error) {
	var t sql.NullInt64
	err := db.read.QueryRowContext(ctx, `WITH open (hook_id) AS (SELECT id FROM hooks WHERE breaker_until > ?1)
		SELECT min(t) FROM (
		SELECT min(run_at) AS t FROM jobs WHERE state = 0 AND hook_id NOT IN open
		UNION ALL SELECT min(breaker_until) FROM hooks WHERE breaker_until > ?1
			AND EXISTS (SELECT 1 FROM jobs WHERE hook_id = hooks.id AND state = 0)
		UNION ALL SELECT min(lease_until) FROM jobs WHERE state = 1
		UNION ALL SELECT min(run_at) FROM farewells WHERE state = 0
		UNION ALL SELECT min(lease_until) FROM farewells WHERE state = 1
		UNION ALL SELECT min(run_at) FROM pushes WHERE state = 0
		UNION ALL SELECT min(lease_until) FROM pushes WHERE state = 1)`, millis(db.now())).Scan(&t)
	if err != nil {
		return time.Time{}, wrap("next due", err)
	}
	return nullMillis(t), nil
}
