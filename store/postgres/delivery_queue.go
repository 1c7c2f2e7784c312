package postgres

import (
	"cmp"
	"context"
	"slices"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/forgehook/forgehook/hooks"
)

var _ hooks.DeliveryQueue = (*DB)(nil)

// jobLock is the advisory lock namespace of a hook's jobs (see ClaimJobs).
const jobLock = 0x6a62 // "jb"

// claimedJob is a jobs row as the claim returns it.
type claimedJob struct {
	id, eventID, hookID, runAt int64
	attempts                   int
	redelivery                 bool
	token                      int64
}

// ClaimJobs leases up to n jobs for owner until now+lease: jobs that are due
// and jobs whose lease expired, oldest due first, except jobs of the hooks in
// busy and of hooks with a job another owner holds a live lease on, as the
// SQLite store does: each hook's jobs are with one daemon at a time, which
// keeps them in order across daemons. Jobs of hooks whose breaker is open
// wait too. When fewer than n jobs are claimed, farewells (the meta events
// of deleted hooks) that are due fill the claim, after the jobs.
//
// Two statements make the claim. The first takes the advisory locks of the
// hooks with claimable jobs that no concurrent claim holds (skipping the
// others). The second, whose snapshot sees every lease committed before
// those locks were free, is the claim itself: one UPDATE … RETURNING of the
// jobs of those hooks, selected FOR UPDATE SKIP LOCKED. Each claim gets a
// new fencing token from a sequence.
func (db *DB) ClaimJobs(ctx context.Context, owner string, n int, busy []int64, lease time.Duration) ([]*hooks.Job, error) {
	if n <= 0 {
		return nil, nil
	}
	if busy == nil {
		busy = []int64{}
	}
	var (
		claimed   []claimedJob
		farewells []*hooks.Job
		until     time.Time
	)
	err := db.update(ctx, func(tx pgx.Tx) error {
		now := db.now()
		until = now.Add(lease)
		var err error
		if claimed, err = claimHookJobs(ctx, tx, owner, n, busy, now, until); err != nil {
			return err
		}
		farewells, err = db.claimFarewells(ctx, tx, owner, n-len(claimed), now, until)
		return err
	})
	if err != nil {
		return nil, wrap("claim jobs", err)
	}
	if len(claimed) == 0 {
		return farewells, nil
	}
	jobs, err := db.loadClaimed(ctx, owner, until, claimed)
	if err != nil {
		return nil, wrap("claim jobs", err)
	}
	return append(jobs, farewells...), nil
}

// claimHookJobs is the claim of hooks' jobs in tx: the two statements
// ClaimJobs describes.
func claimHookJobs(ctx context.Context, tx pgx.Tx, owner string, n int, busy []int64, now, until time.Time) ([]claimedJob, error) {
	rows, err := tx.Query(ctx, `WITH held AS (SELECT DISTINCT hook_id FROM jobs
				WHERE state = 1 AND lease_until >= $1 AND lease_owner <> $2),
			open AS (SELECT id AS hook_id FROM hooks WHERE breaker_until > $1),
			cand AS MATERIALIZED (SELECT DISTINCT hook_id FROM (
				(SELECT hook_id FROM jobs WHERE state = 0 AND run_at <= $1
					AND hook_id <> ALL($3) AND hook_id NOT IN (SELECT hook_id FROM held)
					AND hook_id NOT IN (SELECT hook_id FROM open)
					ORDER BY run_at, id LIMIT $4)
				UNION ALL
				(SELECT hook_id FROM jobs WHERE state = 1 AND lease_until < $1 AND hook_id <> ALL($3)
					AND hook_id NOT IN (SELECT hook_id FROM open)
					ORDER BY lease_until LIMIT $4)) j)
			SELECT hook_id FROM cand WHERE pg_try_advisory_xact_lock($5, (hook_id % 2147483647)::int)`,
		millis(now), owner, busy, 4*n, jobLock)
	if err != nil {
		return nil, err
	}
	hookIDs, err := pgx.CollectRows(rows, pgx.RowTo[int64])
	if err != nil || len(hookIDs) == 0 {
		return nil, err
	}
	rows, err = tx.Query(ctx, `WITH tok AS (SELECT nextval('lease_seq') AS t)
			UPDATE jobs j SET state = 1, lease_owner = $1, lease_token = tok.t, lease_until = $2,
				attempts = j.attempts + 1, updated_at = $3
			FROM tok
			WHERE j.id IN (SELECT id FROM jobs
				WHERE hook_id = ANY($5) AND (state = 0 AND run_at <= $3 OR state = 1 AND lease_until < $3)
					AND hook_id NOT IN (SELECT hook_id FROM jobs
						WHERE state = 1 AND lease_until >= $3 AND lease_owner <> $1)
				ORDER BY run_at, id LIMIT $4
				FOR UPDATE SKIP LOCKED)
			RETURNING j.id, j.event_id, j.hook_id, j.run_at, j.attempts, j.redelivery, j.lease_token`,
		owner, millis(until), millis(now), n, hookIDs)
	if err != nil {
		return nil, err
	}
	return pgx.CollectRows(rows, func(r pgx.CollectableRow) (claimedJob, error) {
		var c claimedJob
		err := r.Scan(&c.id, &c.eventID, &c.hookID, &c.runAt, &c.attempts, &c.redelivery, &c.token)
		return c, err
	})
}

// loadClaimed reads the events and hooks of the jobs claimed for owner
// until until, after the claim's commit, and returns the jobs in claim
// order. A job whose hook or event was deleted meanwhile is skipped.
func (db *DB) loadClaimed(ctx context.Context, owner string, until time.Time, claimed []claimedJob) ([]*hooks.Job, error) {
	sortClaimed(claimed)
	var eventIDs, hookIDs []int64
	for _, c := range claimed {
		eventIDs = append(eventIDs, c.eventID)
		hookIDs = append(hookIDs, c.hookID)
	}
	var (
		events    map[int64]*hooks.Event
		hooksByID map[int64]*hooks.Hook
	)
	err := db.view(ctx, func(tx pgx.Tx) error {
		var err error
		if events, err = loadEvents(ctx, tx, eventIDs); err != nil {
			return err
		}
		hooksByID, err = db.loadHooks(ctx, tx, hookIDs)
		return err
	})
	if err != nil {
		// The jobs stay leased and come back when the lease expires.
		return nil, err
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
	return jobs, nil
}

// loadEvents loads the events ids, payloads included, in one query.
func loadEvents(ctx context.Context, tx pgx.Tx, ids []int64) (map[int64]*hooks.Event, error) {
	rows, err := tx.Query(ctx, `SELECT `+eventColumns+` FROM events WHERE id = ANY($1)`, ids)
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

// loadHooks loads the hooks ids in one query.
func (db *DB) loadHooks(ctx context.Context, tx pgx.Tx, ids []int64) (map[int64]*hooks.Hook, error) {
	rows, err := tx.Query(ctx, `SELECT `+hookColumns+` FROM hooks WHERE id = ANY($1)`, ids)
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

// RecoverLeases makes every job, farewell and push leased by an owner other than owner
// due again at once and returns how many it freed. With several daemons on
// one database, only a daemon that knows the others are dead may call it.
func (db *DB) RecoverLeases(ctx context.Context, owner string) (int, error) {
	now := millis(db.now())
	var n int64
	err := db.update(ctx, func(tx pgx.Tx) error {
		n = 0
		tag, err := tx.Exec(ctx, `UPDATE jobs SET state = 0, lease_owner = NULL, lease_until = NULL, updated_at = $1
			WHERE state = 1 AND lease_owner IS DISTINCT FROM $2`, now, owner)
		if err != nil {
			return err
		}
		n += tag.RowsAffected()
		tag, err = tx.Exec(ctx, `UPDATE pushes SET state = 0, lease_owner = NULL, lease_until = NULL
			WHERE state = 1 AND lease_owner IS DISTINCT FROM $1`, owner)
		if err != nil {
			return err
		}
		n += tag.RowsAffected()
		tag, err = tx.Exec(ctx, `UPDATE farewells SET state = 0, lease_owner = NULL, lease_until = NULL
			WHERE state = 1 AND lease_owner IS DISTINCT FROM $1`, owner)
		if err != nil {
			return err
		}
		n += tag.RowsAffected()
		if n > 0 {
			return notify(ctx, tx, chanJobs)
		}
		return nil
	})
	if err != nil {
		return 0, wrap("recover leases", err)
	}
	return int(n), nil
}

// NextDue returns the earliest time a queued job, farewell or push (of
// db.Node: the only pushes this process claims) becomes due or a leased
// one's lease expires, or the zero time if there is none. The queued jobs of
// a hook whose breaker is open are due when it half-opens.
func (db *DB) NextDue(ctx context.Context) (time.Time, error) {
	var t *int64
	err := db.pool.QueryRow(ctx, `WITH open AS (SELECT id AS hook_id FROM hooks WHERE breaker_until > $1)
		SELECT least(
		(SELECT min(run_at) FROM jobs WHERE state = 0 AND hook_id NOT IN (SELECT hook_id FROM open)),
		(SELECT min(breaker_until) FROM hooks WHERE breaker_until > $1
			AND EXISTS (SELECT 1 FROM jobs WHERE hook_id = hooks.id AND state = 0)),
		(SELECT min(lease_until) FROM jobs WHERE state = 1),
		(SELECT min(run_at) FROM farewells WHERE state = 0),
		(SELECT min(lease_until) FROM farewells WHERE state = 1),
		(SELECT min(run_at) FROM pushes WHERE state = 0 AND node = $2),
		(SELECT min(lease_until) FROM pushes WHERE state = 1 AND node = $2))`, millis(db.now()), db.Node).Scan(&t)
	if err != nil {
		return time.Time{}, wrap("next due", err)
	}
	return nullMillis(t), nil
}

// sortClaimed puts a claim's jobs in claim order: due time, then id.
func sortClaimed(list []claimedJob) {
	slices.SortFunc(list, func(a, b claimedJob) int {
		return cmp.Or(cmp.Compare(a.runAt, b.runAt), cmp.Compare(a.id, b.id))
	})
}
