package sqlite_test

import (
	"bytes"
	"context"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/forgehook/forgehook/hooks"
	"github.com/forgehook/forgehook/internal/seal"
	"github.com/forgehook/forgehook/store/sqlite"
	"github.com/forgehook/forgehook/store/storetest"
)

// mustNotContain fails if the database file at path, or a file SQLite keeps
// beside it, holds secret.
func mustNotContain(tb testing.TB, path, secret string) {
	tb.Helper()
	files, err := filepath.Glob(path + "*")
	if err != nil {
		tb.Fatal(err)
	}
	for _, f := range files {
		b, err := os.ReadFile(f)
		if err != nil {
			tb.Fatal(err)
		}
		if bytes.Contains(b, []byte(secret)) {
			tb.Errorf("%s holds the secret %q in plain text", filepath.Base(f), secret)
		}
	}
}

// storedSecret returns hook id's secret column and whether it is sealed.
func storedSecret(tb testing.TB, path string, id int64) (string, bool) {
	tb.Helper()
	var s string
	var sealed bool
	if err := mustRawDB(tb, path).QueryRow(`SELECT secret, secret_sealed FROM hooks WHERE id = ?`, id).Scan(&s, &sealed); err != nil {
		tb.Fatal(err)
	}
	return s, sealed
}

func TestDB_SecretsAtRest(t *testing.T) {
	ctx := context.Background()
	const created, updated = "created-secret-5e1f0c", "updated-secret-9a7d2b"
	path := filepath.Join(t.TempDir(), "forgehook.db")
	db, err := sqlite.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	db.Secrets = testKeys()
	h := &hooks.Hook{Owner: "o", Repo: "r", Config: hooks.HookConfig{URL: "http://x.example/", Secret: created}}
	if err := db.CreateHook(ctx, h); err != nil {
		t.Fatal(err)
	}
	if got, err := db.FindHookByID(ctx, h.ID); err != nil || got.Config.Secret != created {
		t.Fatalf("secret read back=%q (%v), want %q", got.Config.Secret, err, created)
	}
	if s, sealed := storedSecret(t, path, h.ID); !sealed || !strings.HasPrefix(s, "v1:"+testKeys().Newest()+":") {
		t.Fatalf("stored secret=%q sealed=%v, want v1:%s:... sealed", s, sealed, testKeys().Newest())
	}
	mustNotContain(t, path, created)
	secret := updated
	if _, err := db.UpdateHook(ctx, h.ID, hooks.HookUpdate{Config: &hooks.HookConfig{URL: "http://x.example/", Secret: secret}}); err != nil {
		t.Fatal(err)
	}
	list, _, err := db.FindHooks(ctx, hooks.HookFilter{})
	if err != nil || len(list) != 1 || list[0].Config.Secret != updated {
		t.Fatalf("hooks=%v (%v), want one with the updated secret", list, err)
	}
	if err := db.Close(); err != nil {
		t.Fatal(err)
	}
	mustNotContain(t, path, created)
	mustNotContain(t, path, updated)

	t.Run("Swapped between rows", func(t *testing.T) {
		db := MustOpenDBAt(t, path)
		other := storetest.MustCreateHook(t, db, "o", "r2", "http://y.example/")
		s, _ := storedSecret(t, path, h.ID)
		if _, err := mustRawDB(t, path).Exec(`UPDATE hooks SET secret = ?, secret_sealed = 1 WHERE id = ?`, s, other.ID); err != nil {
			t.Fatal(err)
		}
		if _, err := db.FindHookByID(ctx, other.ID); !errors.Is(err, seal.ErrAuth) {
			t.Fatalf("hook with another row's sealed secret: err=%v, want ErrAuth", err)
		}
	})

	t.Run("ErrNoKey", func(t *testing.T) {
		db, err := sqlite.Open(path)
		if err != nil {
			t.Fatal(err)
		}
		defer db.Close()
		if _, err := db.FindHookByID(ctx, h.ID); err == nil {
			t.Fatal("read a sealed secret without a key, want an error")
		}
		err = db.CreateHook(ctx, &hooks.Hook{Owner: "o", Repo: "r3", Config: hooks.HookConfig{URL: "http://z.example/", Secret: "s"}})
		if err == nil {
			t.Fatal("stored a secret without a key, want an error")
		}
		if ok, err := db.HasSealedSecrets(ctx); err != nil || !ok {
			t.Fatalf("HasSealedSecrets=%v (%v), want true", ok, err)
		}
	})

	t.Run("ErrWrongKey", func(t *testing.T) {
		db := MustOpenDBAt(t, path)
		if db.Secrets, err = seal.New(); err != nil {
			t.Fatal(err)
		}
		if _, err := db.SealSecrets(ctx); !errors.Is(err, seal.ErrUnknownKey) || !strings.Contains(err.Error(), "hook 1") {
			t.Fatalf("SealSecrets with another key: err=%v, want ErrUnknownKey naming hook 1", err)
		}
	})
}

// TestDB_SealSecrets upgrades a database whose secrets are plain text, as
// forgehook stored them before they were encrypted.
func TestDB_SealSecrets(t *testing.T) {
	ctx := context.Background()
	const plain = "plain-secret-3c9b41d07e"
	path := filepath.Join(t.TempDir(), "forgehook.db")
	MustSchema1DB(t, path)
	if _, err := mustRawDB(t, path).Exec(`UPDATE hooks SET secret = ? WHERE id = 2`, plain); err != nil {
		t.Fatal(err)
	}
	db := MustOpenDBAt(t, path)
	ring, err := seal.New()
	if err != nil {
		t.Fatal(err)
	}
	db.Secrets = ring
	if h, err := db.FindHookByID(ctx, 2); err != nil || h.Config.Secret != plain {
		t.Fatalf("plain secret before sealing=%q (%v), want %q", h.Config.Secret, err, plain)
	}
	if ok, err := db.HasSealedSecrets(ctx); err != nil || ok {
		t.Fatalf("HasSealedSecrets=%v (%v) before sealing, want false", ok, err)
	}
	n, err := db.SealSecrets(ctx)
	if err != nil || n != 2 {
		t.Fatalf("SealSecrets=%d (%v), want the 2 plain secrets", n, err)
	}
	mustNotContain(t, path, plain)
	if n, err := db.SealSecrets(ctx); err != nil || n != 0 {
		t.Fatalf("SealSecrets again=%d (%v), want 0", n, err)
	}
	for id, want := range map[int64]string{1: "s1", 2: plain} {
		if h, err := db.FindHookByID(ctx, id); err != nil || h.Config.Secret != want {
			t.Fatalf("hook %d secret=%q (%v), want %q", id, h.Config.Secret, err, want)
		}
		if _, sealed := storedSecret(t, path, id); !sealed {
			t.Fatalf("hook %d not sealed", id)
		}
	}

	t.Run("Reseal", func(t *testing.T) {
		old, _ := storedSecret(t, path, 2)
		id, err := ring.Rotate()
		if err != nil {
			t.Fatal(err)
		}
		if n, err := db.ResealSecrets(ctx); err != nil || n != 2 {
			t.Fatalf("ResealSecrets=%d (%v), want 2", n, err)
		}
		if s, _ := storedSecret(t, path, 2); s == old || !strings.HasPrefix(s, "v1:"+id+":") {
			t.Fatalf("resealed secret=%q, want it sealed with the new key %s", s, id)
		}
		if h, err := db.FindHookByID(ctx, 2); err != nil || h.Config.Secret != plain {
			t.Fatalf("resealed secret=%q (%v), want %q", h.Config.Secret, err, plain)
		}
	})
}
