package sqlite_test

import (
	"context"
	"database/sql"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"

	"github.com/forgehook/forgehook/hooks"
	"github.com/forgehook/forgehook/store/sqlite"
	"github.com/forgehook/forgehook/store/storetest"
)

// schema1Rows fills a version 1 database: acme/widgets with a repository
// hook and an organization hook, events with jobs and deliveries, a push
// and a token. Each AUTOINCREMENT table's last row was deleted, so its
// counter is above its largest id.
const schema1Rows = `
INSERT INTO accounts (id, login, created_at) VALUES (1, 'acme', 10), (2, 'ada', 11), (3, 'gone', 12);
DELETE FROM accounts WHERE id = 3;
INSERT INTO repos (id, owner, name, created_at) VALUES (1, 'acme', 'widgets', 20), (2, 'acme', 'gone', 21);
DELETE FROM repos WHERE id = 2;
INSERT INTO hooks (id, owner, repo, name, events, active, url, content_type, secret, insecure_ssl,
  created_at, updated_at, last_code, last_status, last_message) VALUES
  (1, 'acme', 'widgets', 'web', '["push"]', 1, 'http://a.example/', 'json', 's1', 0, 30, 31, 200, 'active', 'OK'),
  (2, 'acme', '', 'web', '["*"]', 1, 'http://b.example/', 'form', 's2', 1, 32, 33, NULL, 'unused', NULL),
  (3, 'acme', 'widgets', 'web', '["push"]', 1, 'http://c.example/', 'json', '', 0, 34, 34, NULL, 'unused', NULL);
DELETE FROM hooks WHERE id = 3;
INSERT INTO events (id, guid, owner, repo, repo_id, owner_id, name, action, payload, created_at) VALUES
  (1, 'g1', 'acme', 'widgets', 1, 1, 'push', '', X'7b7d', 40),
  (2, 'g2', 'acme', 'widgets', 1, 1, 'ping', '', X'7b2278223a317d', 41),
  (3, 'g3', 'acme', 'widgets', 1, 1, 'push', '', X'', 42);
DELETE FROM events WHERE id = 3;
INSERT INTO jobs (id, event_id, hook_id, state, run_at, attempts, redelivery, lease_owner, lease_token,
  lease_until, created_at, updated_at) VALUES
  (1, 1, 1, 2, 50, 1, 0, NULL, NULL, NULL, 50, 51),
  (2, 1, 2, 1, 52, 1, 0, 'daemon', 7, 99, 52, 52),
  (3, 2, 1, 0, 53, 0, 0, NULL, NULL, NULL, 53, 53);
INSERT INTO deliveries (id, job_id, event_id, hook_id, guid, repo_id, event, action, redelivery, url,
  delivered_at, duration_ns, status, status_code, request_headers, response_headers, response_body) VALUES
  (1, 1, 1, 1, 'g1', 1, 'push', '', 0, 'http://a.example/', 60, 1000, 'OK', 200, '{}', '{}', 'ok'),
  (2, 2, 1, 2, 'g1', 1, 'push', '', 0, 'http://b.example/', 61, 2000, 'failed to connect', 0, '{}', NULL, '');
INSERT INTO pushes (id, git_dir, pusher, updates, received_at, state, run_at, attempts) VALUES
  (1, '/srv/git/acme/widgets.git', 'ada', '[]', 70, 0, 70, 0);
INSERT INTO tokens (id, hash, login, repos, created_at, last_used_at) VALUES
  (1, 'abc', 'ada', '["acme/widgets"]', 80, NULL);
UPDATE meta SET lease_seq = 7;
`

// MustSchema1DB creates a database at path with only migration 0001 applied,
// filled with schema1Rows.
func MustSchema1DB(tb testing.TB, path string) {
	tb.Helper()
	init, err := os.ReadFile(filepath.Join("migrations", "0001_init.sql"))
	if err != nil {
		tb.Fatal(err)
	}
	raw, err := sql.Open("sqlite3", "file:"+path+"?_foreign_keys=on&_journal_mode=WAL")
	if err != nil {
		tb.Fatal(err)
	}
	defer raw.Close()
	for _, q := range []string{string(init), schema1Rows, "PRAGMA user_version = 1"} {
		if _, err := raw.Exec(q); err != nil {
			tb.Fatal(err)
		}
	}
}

// laterColumns were added after version 1, with a default: snapshot leaves
// them out, so that a version 1 file and its migration compare equal.
var laterColumns = map[string]bool{"secret_sealed": true, "branch_filter": true, "headers": true, "signature": true, "template": true,
	"fail_streak": true, "failing_since": true, "breaker_until": true, "breaker_trips": true}

// laterTables were added after version 1: snapshot leaves them out too.
const laterTables = "'push_refs', 'ref_states', 'ref_state_refs', 'spooled_pushes', 'farewells'"

// snapshot is everything a migration must keep: every row of every table
// (in version 1's columns), the AUTOINCREMENT counters, the tables and
// indexes, and the foreign keys.
func snapshot(tb testing.TB, raw *sql.DB) []string {
	tb.Helper()
	var out []string
	for _, t := range []string{"meta", "accounts", "repos", "hooks", "pushes", "events", "jobs", "deliveries", "tokens"} {
		cols := "*"
		if t == "pushes" { // the columns of schema 1; later migrations add some
			cols = "id, git_dir, pusher, updates, received_at, state, run_at, attempts, lease_owner, lease_token, lease_until, error"
		}
		out = append(out, dumpRows(tb, raw, t, "SELECT "+cols+" FROM "+t+" ORDER BY rowid")...)
		out = append(out, dumpRows(tb, raw, t+" fk", "SELECT * FROM pragma_foreign_key_list('"+t+"')")...)
	}
	out = append(out, dumpRows(tb, raw, "sequence", "SELECT name, seq FROM sqlite_sequence ORDER BY name")...)
	return append(out, dumpRows(tb, raw, "schema",
		"SELECT type, name, tbl_name FROM sqlite_schema WHERE type IN ('table', 'index') AND tbl_name NOT IN ("+laterTables+")"+
			" AND name NOT IN ('pushes_repo_queue', 'hooks_breaker') ORDER BY name")...)
}

// dumpRows returns each row of query as one line, labelled.
func dumpRows(tb testing.TB, raw *sql.DB, label, query string) []string {
	tb.Helper()
	rows, err := raw.Query(query)
	if err != nil {
		tb.Fatal(err)
	}
	defer rows.Close()
	cols, err := rows.Columns()
	if err != nil {
		tb.Fatal(err)
	}
	var out []string
	for rows.Next() {
		vals := make([]any, len(cols))
		ptrs := make([]any, len(cols))
		for i := range vals {
			ptrs[i] = &vals[i]
		}
		if err := rows.Scan(ptrs...); err != nil {
			tb.Fatal(err)
		}
		line := label + ":"
		for i, v := range vals {
			if laterColumns[cols[i]] {
				continue
			}
			if b, ok := v.([]byte); ok {
				v = string(b)
			}
			line += fmt.Sprintf(" %s=%v", cols[i], v)
		}
		out = append(out, line)
	}
	if err := rows.Err(); err != nil {
		tb.Fatal(err)
	}
	return out
}

func TestMigrate_CaseSensitiveNames(t *testing.T) {
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "forgehook.db")
	MustSchema1DB(t, path)
	raw := mustRawDB(t, path)
	before := snapshot(t, raw)

	// The hook and the daemon may open the old file at once: one migrates.
	var wg sync.WaitGroup
	dbs := make([]*sqlite.DB, 4)
	errs := make([]error, len(dbs))
	for i := range dbs {
		wg.Go(func() { dbs[i], errs[i] = sqlite.Open(path) })
	}
	wg.Wait()
	for i, err := range errs {
		if err != nil {
			t.Fatalf("open %d: %v", i, err)
		}
		t.Cleanup(func() { dbs[i].Close() })
	}
	db := dbs[0]
	db.Secrets = testKeys()

	if after := snapshot(t, raw); !slices.Equal(after, before) {
		t.Fatalf("migration changed the data:\nbefore:\n%s\nafter:\n%s", strings.Join(before, "\n"), strings.Join(after, "\n"))
	}
	var v int
	var schema string
	if err := raw.QueryRow(`PRAGMA user_version`).Scan(&v); err != nil || v != sqlite.SchemaVersion() {
		t.Fatalf("user_version=%d (%v), want %d", v, err, sqlite.SchemaVersion())
	}
	if err := raw.QueryRow(`SELECT group_concat(sql, ';') FROM sqlite_schema`).Scan(&schema); err != nil {
		t.Fatal(err)
	}
	if strings.Contains(strings.ToUpper(schema), "NOCASE") {
		t.Fatalf("schema still compares with NOCASE:\n%s", schema)
	}
	for _, d := range dbs {
		if fk, err := d.WritePragma("foreign_keys"); err != nil || fk != "1" {
			t.Fatalf("foreign_keys on the write connection after migrating=%s (%v), want 1", fk, err)
		}
	}

	t.Run("CaseVariantsAreDistinct", func(t *testing.T) {
		old, _, err := db.EnsureRepo(ctx, "acme", "widgets")
		if err != nil || old != 1 {
			t.Fatalf("acme/widgets id=%d (%v), want its old id 1", old, err)
		}
		other, _, err := db.EnsureRepo(ctx, "Acme", "Widgets")
		if err != nil || other != 3 {
			t.Fatalf("Acme/Widgets id=%d (%v), want a new id 3 (2 was used and deleted)", other, err)
		}
		a, err := db.EnsureAccount(ctx, "Acme")
		if err != nil || a.ID != 4 || a.Org {
			t.Fatalf("account Acme=%+v (%v), want a new id 4 that is no organization", a, err)
		}
		// The "same" hook on Acme/Widgets is another repository's hook.
		h := storetest.MustCreateHook(t, db, "Acme", "Widgets", "http://a.example/", "push")
		if h.ID != 4 {
			t.Fatalf("new hook id=%d, want 4 (3 was used and deleted)", h.ID)
		}
		for _, tt := range []struct {
			owner, repo string
			want        []int64
		}{{"acme", "widgets", []int64{1, 2}}, {"Acme", "Widgets", []int64{h.ID}}} {
			got, err := db.HooksFor(ctx, tt.owner, tt.repo)
			if err != nil || !slices.Equal(storetest.HookIDs(got), tt.want) {
				t.Errorf("hooks for %s/%s=%v (%v), want %v", tt.owner, tt.repo, storetest.HookIDs(got), err, tt.want)
			}
		}
		e := &hooks.Event{Owner: "Acme", Repo: "Widgets", RepoID: other, OwnerID: a.ID, Name: hooks.EventPush,
			Payload: []byte(`{}`), Targets: []int64{h.ID}}
		if err := db.EnqueueEvent(ctx, e); err != nil || e.ID != 4 {
			t.Fatalf("new event id=%d (%v), want 4 (3 was used and deleted)", e.ID, err)
		}
		latest, err := db.LatestEvent(ctx, "acme", "widgets", hooks.EventPush)
		if err != nil || latest.ID != 1 {
			t.Fatalf("latest push of acme/widgets=%+v (%v), want event 1, not Acme/Widgets' event", latest, err)
		}
	})

	t.Run("ForeignKeysStillCascade", func(t *testing.T) {
		if err := db.DeleteHook(ctx, 1); err != nil {
			t.Fatal(err)
		}
		var jobs, deliveries int
		if err := raw.QueryRow(`SELECT (SELECT count(*) FROM jobs WHERE hook_id = 1),
			(SELECT count(*) FROM deliveries WHERE hook_id = 1)`).Scan(&jobs, &deliveries); err != nil {
			t.Fatal(err)
		}
		if jobs != 0 || deliveries != 0 {
			t.Fatalf("after deleting hook 1: %d jobs and %d deliveries left, want none", jobs, deliveries)
		}
	})
}

// TestMigrate_BrokenReferenceChangesNothing breaks a reference in a version
// 1 database: the migration's foreign key check refuses it, and the
// rollback leaves the file as it was.
func TestMigrate_BrokenReferenceChangesNothing(t *testing.T) {
	path := filepath.Join(t.TempDir(), "forgehook.db")
	MustSchema1DB(t, path)
	raw := mustRawDB(t, path)
	// foreign_keys is off on this connection: the dangling job goes in.
	if _, err := raw.Exec(`INSERT INTO jobs (id, event_id, hook_id, state, run_at, attempts, redelivery,
		created_at, updated_at) VALUES (9, 1, 99, 0, 0, 0, 0, 0, 0)`); err != nil {
		t.Fatal(err)
	}
	before := snapshot(t, raw)
	db, err := sqlite.Open(path)
	if err == nil {
		db.Close()
		t.Fatal("Open migrated a database with a dangling reference, want an error")
	}
	if !strings.Contains(err.Error(), "foreign key check: jobs row 9") {
		t.Fatalf("error=%q, want the foreign key check naming jobs row 9", err)
	}
	var v int
	if err := raw.QueryRow(`PRAGMA user_version`).Scan(&v); err != nil || v != 1 {
		t.Fatalf("user_version=%d (%v) after a failed migration, want 1", v, err)
	}
	if after := snapshot(t, raw); !slices.Equal(after, before) {
		t.Fatalf("a failed migration changed the file:\nbefore:\n%s\nafter:\n%s", strings.Join(before, "\n"), strings.Join(after, "\n"))
	}
}

// TestMigrate_OwnerAsOnDisk stores a repository hook and an event of
// acme/widgets under the owner spelled ACME, as 0001 could when the account
// was first seen as ACME: the migration gives them the repository's
// spelling, so they are not orphaned. Organization hooks keep theirs.
func TestMigrate_OwnerAsOnDisk(t *testing.T) {
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "forgehook.db")
	MustSchema1DB(t, path)
	raw := mustRawDB(t, path)
	if _, err := raw.Exec(`
		INSERT INTO hooks (id, owner, repo, name, events, active, url, content_type, secret, insecure_ssl,
		  created_at, updated_at, last_status) VALUES
		  (4, 'ACME', 'widgets', 'web', '["push"]', 1, 'http://d.example/', 'json', '', 0, 35, 35, 'unused'),
		  (5, 'Other', '', 'web', '["push"]', 1, 'http://e.example/', 'json', '', 0, 36, 36, 'unused');
		INSERT INTO events (id, guid, owner, repo, repo_id, owner_id, name, action, payload, created_at)
		  VALUES (4, 'g4', 'ACME', 'widgets', 1, 1, 'push', '', X'', 43)`); err != nil {
		t.Fatal(err)
	}
	db := MustOpenDBAt(t, path)
	got, err := db.HooksFor(ctx, "acme", "widgets")
	if err != nil || !slices.Equal(storetest.HookIDs(got), []int64{1, 2, 4}) {
		t.Fatalf("hooks for acme/widgets=%v (%v), want 1, 2 and 4", storetest.HookIDs(got), err)
	}
	if h, err := db.FindHookByID(ctx, 5); err != nil || h.Owner != "Other" {
		t.Fatalf("organization hook 5=%+v (%v), want owner Other as stored", h, err)
	}
	if e, err := db.LatestEvent(ctx, "acme", "widgets", hooks.EventPush); err != nil || e.ID != 4 || e.Owner != "acme" {
		t.Fatalf("latest push of acme/widgets=%+v (%v), want event 4 of acme", e, err)
	}
}
