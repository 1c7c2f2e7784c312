package postgres_test

import (
	"context"
	"slices"
	"testing"
	"time"

	"github.com/forgehook/forgehook/hooks"
	"github.com/forgehook/forgehook/internal/pgtest"
	"github.com/forgehook/forgehook/store/dump"
	"github.com/forgehook/forgehook/store/storetest"
)

// TestImport_CoversSchema holds package dump to this store's schema: every
// table it has (but the migrations' own) is one of dump.Tables, with the
// same columns, so a copy from SQLite leaves nothing behind.
func TestImport_CoversSchema(t *testing.T) {
	db := MustOpen(t, pgtest.MustDSN(t))
	ctx := context.Background()
	got := map[string][]string{}
	rows, err := db.Pool().Query(ctx, `SELECT table_name, column_name FROM information_schema.columns
		WHERE table_schema = 'public' AND table_name <> 'schema_migrations' ORDER BY table_name, column_name`)
	if err != nil {
		t.Fatal(err)
	}
	for rows.Next() {
		var table, col string
		if err := rows.Scan(&table, &col); err != nil {
			t.Fatal(err)
		}
		got[table] = append(got[table], col)
	}
	if err := rows.Err(); err != nil {
		t.Fatal(err)
	}
	// What only this store has, and a copy from SQLite fills in: the live
	// daemons (none, on a copy), and the node a push was recorded on
	// (Import sets it to DB.Node).
	delete(got, "daemons")
	got["pushes"] = slices.DeleteFunc(got["pushes"], func(c string) bool { return c == "node" })
	for _, tb := range dump.Tables {
		want := slices.Sorted(slices.Values(tb.ColumnNames()))
		if !slices.Equal(got[tb.Name], want) {
			t.Errorf("table %s: columns %v, want %v", tb.Name, got[tb.Name], want)
		}
		delete(got, tb.Name)
	}
	for table := range got {
		t.Errorf("table %s is not in dump.Tables: migrate-db would not copy it", table)
	}
}

// fakeSource is a dump.Source of fixed rows.
type fakeSource struct {
	rows     map[string][][]any
	counters dump.Counters
}

func (s fakeSource) Count(_ context.Context, t dump.Table) (int64, error) {
	return int64(len(s.rows[t.Name])), nil
}

func (s fakeSource) Rows(_ context.Context, t dump.Table, fn func([]any) error) error {
	for _, r := range s.rows[t.Name] {
		if err := fn(r); err != nil {
			return err
		}
	}
	return nil
}

func (s fakeSource) Counters(context.Context) (dump.Counters, error) { return s.counters, nil }

func TestImport(t *testing.T) {
	ctx := context.Background()
	// Hook 5 and its leased job 9 of event 4, the leased farewell 3 of a
	// deleted hook 2; ids up to 12 and lease 40 handed out.
	src := fakeSource{rows: map[string][][]any{
		"hooks": {{int64(5), "o", "r", "web", `["push"]`, true, "http://127.0.0.1:1/", "json", "", false, false,
			int64(1), int64(1), nil, "unused", nil, "", "", "", "", int64(0), nil, nil, int64(0)}},
		"events": {{int64(4), "guid-4", "o", "r", int64(7), int64(3), "push", "", []byte(`{"ref":"x"}`), int64(1)}},
		"jobs": {{int64(9), int64(4), int64(5), int64(1), int64(1), int64(1), false, "gone", int64(40), int64(2),
			int64(1), int64(1)}},
		"farewells": {{int64(3), int64(2), "o", "r", int64(7), int64(3), "http://127.0.0.1:1/", "json", "", false, false,
			"guid-3", "meta", "deleted", []byte(`{"action":"deleted"}`), int64(1), int64(1), int64(1), "gone", int64(39),
			int64(2)}},
	}, counters: dump.Counters{LastIDs: map[string]int64{"hooks": 12, "jobs": 9, "events": 4, "farewells": 3}, LeaseSeq: 40}}

	t.Run("ids kept, leases queued again, counters advanced", func(t *testing.T) {
		c := storetest.NewClock()
		db := configure(MustOpen(t, pgtest.MustDSN(t)), storetest.Config{Now: c.Now})
		counts, err := db.Import(ctx, src, nil)
		if err != nil {
			t.Fatal(err)
		}
		if counts["hooks"] != 1 || counts["jobs"] != 1 || counts["deliveries"] != 0 {
			t.Fatalf("counts %v, want 1 hook, 1 job, 0 deliveries", counts)
		}
		h, err := db.FindHookByID(ctx, 5)
		if err != nil || h.Owner != "o" || h.Repo != "r" {
			t.Fatalf("hook 5: %+v, %v", h, err)
		}
		jobs, err := db.ClaimJobs(ctx, "new", 10, nil, time.Minute)
		if err != nil || len(jobs) != 2 || jobs[0].Event.GUID != "guid-4" || jobs[0].Hook.ID != 5 ||
			!jobs[1].Farewell || jobs[1].Event.GUID != "guid-3" || jobs[1].Hook.ID != 2 {
			t.Fatalf("claimed %+v (%v), want job of event guid-4 for hook 5, then farewell guid-3 of hook 2", jobs, err)
		}
		if jobs[0].Lease.Token <= 40 {
			t.Fatalf("lease token %d, want past the source's 40", jobs[0].Lease.Token)
		}
		h2 := storetest.MustCreateHook(t, db, "o", "r", "http://127.0.0.1:2/", hooks.EventPush)
		if h2.ID <= 12 {
			t.Fatalf("new hook id %d, want past the source's 12", h2.ID)
		}
	})

	t.Run("a target with rows is refused", func(t *testing.T) {
		db := MustOpen(t, pgtest.MustDSN(t))
		storetest.MustCreateHook(t, db, "o", "r", "http://127.0.0.1:2/", hooks.EventPush)
		if _, err := db.Import(ctx, src, nil); hooks.ErrorCode(err) != hooks.ECONFLICT {
			t.Fatalf("import into a database with a hook: %v, want ECONFLICT", err)
		}
	})
}
