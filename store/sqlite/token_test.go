package sqlite_test

import (
	"context"
	"database/sql"
	"testing"
	"time"
)

// TestDB_AuthenticateWhileWriteLocked holds the write lock from another
// connection, as the post-receive hook or a long write of another process
// does: a token whose last use is stale still authenticates, before the lock
// is released, and its use is recorded once the lock is free.
func TestDB_AuthenticateWhileWriteLocked(t *testing.T) {
	ctx := context.Background()
	db, clock := MustOpenDB(t)
	token, err := db.CreateToken(ctx, "alice", nil)
	if err != nil {
		t.Fatal(err)
	}
	conn, err := mustRawDB(t, db.Path()).Conn(ctx)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	if _, err := conn.ExecContext(ctx, "BEGIN IMMEDIATE"); err != nil {
		t.Fatal(err)
	}
	done := make(chan error, 1)
	go func() {
		_, err := db.Authenticate(ctx, token)
		done <- err
	}()
	// The deadline only keeps a broken build from hanging: Authenticate
	// must return while the lock is still held, which is the assertion.
	select {
	case err := <-done:
		if err != nil {
			t.Fatalf("Authenticate with the database write-locked: %v, want success", err)
		}
	case <-time.After(time.Minute):
		t.Fatal("Authenticate did not return while the database was write-locked")
	}
	if _, err := conn.ExecContext(ctx, "ROLLBACK"); err != nil {
		t.Fatal(err)
	}
	db.WaitTokenUses()
	var ms sql.NullInt64
	if err := mustRawDB(t, db.Path()).QueryRow(`SELECT last_used_at FROM tokens WHERE login = 'alice'`).Scan(&ms); err != nil {
		t.Fatal(err)
	}
	if !ms.Valid || !time.UnixMilli(ms.Int64).Equal(clock.Now()) {
		t.Fatalf("last used=%v after the lock was released, want %v", ms, clock.Now())
	}
}
