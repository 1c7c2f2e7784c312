package sqlite_test

import (
	"context"
	"database/sql"
	"slices"
	"testing"
	"time"

	"github.com/forgehook/forgehook/hooks"
	"github.com/forgehook/forgehook/store/dump"
	"github.com/forgehook/forgehook/store/storetest"
)

// TestExport_CoversSchema holds package dump to this store's schema: every
// table (but SQLite's own and meta, whose counter travels in Counters) is
// one of dump.Tables, with the same columns.
func TestExport_CoversSchema(t *testing.T) {
	db, _ := MustOpenDB(t)
	raw, err := sql.Open("sqlite3", "file:"+db.Path()+"?mode=ro")
	if err != nil {
		t.Fatal(err)
	}
	defer raw.Close()
	rows, err := raw.Query(`SELECT m.name, p.name FROM sqlite_master m, pragma_table_info(m.name) p
		WHERE m.type = 'table' AND m.name NOT LIKE 'sqlite_%' AND m.name <> 'meta' ORDER BY m.name, p.name`)
	if err != nil {
		t.Fatal(err)
	}
	got := map[string][]string{}
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

func TestDB_Export(t *testing.T) {
	ctx := context.Background()
	db, _ := MustOpenDB(t)
	h := storetest.MustCreateHook(t, db, "o", "r", "http://127.0.0.1:1/", hooks.EventPush)
	gone := storetest.MustCreateHook(t, db, "o", "r", "http://127.0.0.1:2/", hooks.EventPush)
	if err := db.DeleteHook(ctx, gone.ID); err != nil {
		t.Fatal(err)
	}
	storetest.MustEnqueueEvent(t, db, h.ID)
	if _, err := db.ClaimJobs(ctx, "boot", 10, nil, time.Minute); err != nil {
		t.Fatal(err)
	}
	var hookRows [][]any
	var c dump.Counters
	err := db.Export(ctx, func(src dump.Source) error {
		for _, tb := range dump.Tables {
			if tb.Name != "hooks" {
				continue
			}
			if err := src.Rows(ctx, tb, func(row []any) error { hookRows = append(hookRows, row); return nil }); err != nil {
				return err
			}
		}
		var err error
		c, err = src.Counters(ctx)
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	if len(hookRows) != 1 || hookRows[0][0] != h.ID || hookRows[0][5] != true {
		t.Fatalf("hook rows %v, want hook %d, active as a bool", hookRows, h.ID)
	}
	if c.LastIDs["hooks"] != gone.ID || c.LeaseSeq < 1 {
		t.Fatalf("counters %+v, want last hook id %d (deleted) and a lease handed out", c, gone.ID)
	}
}
