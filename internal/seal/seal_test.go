package seal_test

import (
	"bytes"
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/forgehook/forgehook/internal/seal"
)

// MustCreate creates a key file in a temporary directory.
func MustCreate(tb testing.TB) *seal.Keyring {
	tb.Helper()
	r, err := seal.Create(filepath.Join(tb.TempDir(), "forgehook.db.key"))
	if err != nil {
		tb.Fatal(err)
	}
	return r
}

func mustSeal(tb testing.TB, r *seal.Keyring, plain, ad string) string {
	tb.Helper()
	s, err := r.Seal([]byte(plain), []byte(ad))
	if err != nil {
		tb.Fatal(err)
	}
	return s
}

func TestKeyring_SealOpen(t *testing.T) {
	r, err := seal.New()
	if err != nil {
		t.Fatal(err)
	}
	s := mustSeal(t, r, "hunter2", "hooks.secret:1")
	if !strings.HasPrefix(s, "v1:"+r.Newest()+":") || strings.Contains(s, "hunter2") {
		t.Fatalf("sealed=%q, want v1:%s:<base64> without the plaintext", s, r.Newest())
	}
	if again := mustSeal(t, r, "hunter2", "hooks.secret:1"); again == s {
		t.Fatal("two seals of one plaintext are equal: the nonce is not fresh")
	}

	t.Run("OK", func(t *testing.T) {
		got, err := r.Open(s, []byte("hooks.secret:1"))
		if err != nil || string(got) != "hunter2" {
			t.Fatalf("Open=%q, %v; want hunter2", got, err)
		}
	})
	t.Run("ErrAuth other row", func(t *testing.T) {
		if _, err := r.Open(s, []byte("hooks.secret:2")); !errors.Is(err, seal.ErrAuth) {
			t.Fatalf("err=%v, want ErrAuth", err)
		}
	})
	t.Run("ErrAuth tampered", func(t *testing.T) {
		b := []byte(s)
		b[len(b)-3] ^= 1
		if _, err := r.Open(string(b), []byte("hooks.secret:1")); !errors.Is(err, seal.ErrAuth) && !errors.Is(err, seal.ErrMalformed) {
			t.Fatalf("err=%v, want ErrAuth or ErrMalformed", err)
		}
	})
	t.Run("ErrUnknownKey", func(t *testing.T) {
		other, err := seal.New()
		if err != nil {
			t.Fatal(err)
		}
		if _, err := other.Open(s, []byte("hooks.secret:1")); !errors.Is(err, seal.ErrUnknownKey) {
			t.Fatalf("err=%v, want ErrUnknownKey", err)
		}
	})
	t.Run("ErrMalformed", func(t *testing.T) {
		for _, bad := range []string{"", "hunter2", "v2:" + r.Newest() + ":AAAA", "v1:" + r.Newest() + ":!!", "v1:" + r.Newest() + ":AAAA"} {
			if _, err := r.Open(bad, nil); !errors.Is(err, seal.ErrMalformed) {
				t.Errorf("Open(%q) err=%v, want ErrMalformed", bad, err)
			}
		}
	})
}

func TestKeyFile(t *testing.T) {
	t.Run("Create 0600", func(t *testing.T) {
		r := MustCreate(t)
		fi, err := os.Stat(r.Path())
		if err != nil {
			t.Fatal(err)
		}
		if fi.Mode().Perm() != 0o600 {
			t.Fatalf("mode=%v, want 0600", fi.Mode().Perm())
		}
		if _, err := seal.Create(r.Path()); !errors.Is(err, fs.ErrExist) {
			t.Fatalf("Create over a key file: err=%v, want ErrExist", err)
		}
		loaded, err := seal.Load(r.Path())
		if err != nil {
			t.Fatal(err)
		}
		s := mustSeal(t, r, "s", "ad")
		if got, err := loaded.Open(s, []byte("ad")); err != nil || string(got) != "s" {
			t.Fatalf("Open with the loaded file=%q, %v; want s", got, err)
		}
	})

	t.Run("ErrNotExist", func(t *testing.T) {
		if _, err := seal.Load(filepath.Join(t.TempDir(), "none.key")); !errors.Is(err, fs.ErrNotExist) {
			t.Fatalf("err=%v, want ErrNotExist", err)
		}
	})

	t.Run("ErrAuth same id other key", func(t *testing.T) {
		r := MustCreate(t)
		s := mustSeal(t, r, "s", "ad")
		b, err := os.ReadFile(r.Path())
		if err != nil {
			t.Fatal(err)
		}
		lines := strings.Split(strings.TrimSpace(string(b)), "\n")
		last := strings.Fields(lines[len(lines)-1])
		forged := last[0] + " " + strings.Repeat("A", 43) + "=\n" // 32 zero bytes
		path := filepath.Join(t.TempDir(), "forged.key")
		if err := os.WriteFile(path, []byte(forged), 0o600); err != nil {
			t.Fatal(err)
		}
		wrong, err := seal.Load(path)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := wrong.Open(s, []byte("ad")); !errors.Is(err, seal.ErrAuth) {
			t.Fatalf("err=%v, want ErrAuth", err)
		}
	})

	t.Run("ErrBadFile", func(t *testing.T) {
		dir := t.TempDir()
		for name, text := range map[string]string{
			"empty": "# nothing\n", "short": "k1 " + strings.Repeat("A", 20) + "\n",
			"fields": "k1\n", "twice": "k1 " + strings.Repeat("A", 43) + "=\nk1 " + strings.Repeat("B", 43) + "=\n",
		} {
			path := filepath.Join(dir, name)
			if err := os.WriteFile(path, []byte(text), 0o600); err != nil {
				t.Fatal(err)
			}
			if _, err := seal.Load(path); err == nil || !strings.Contains(err.Error(), path) {
				t.Errorf("Load(%s)=%v, want an error naming the file", name, err)
			}
		}
	})

	t.Run("Rotate", func(t *testing.T) {
		r := MustCreate(t)
		first := r.Newest()
		old := mustSeal(t, r, "old", "ad")
		before, err := os.ReadFile(r.Path())
		if err != nil {
			t.Fatal(err)
		}
		id, err := r.Rotate()
		if err != nil {
			t.Fatal(err)
		}
		if id == first || r.Newest() != id {
			t.Fatalf("rotated key=%s newest=%s, want a new newest key (was %s)", id, r.Newest(), first)
		}
		after, err := os.ReadFile(r.Path())
		if err != nil {
			t.Fatal(err)
		}
		if !bytes.HasPrefix(after, before) || strings.Count(string(after), "\n") != strings.Count(string(before), "\n")+1 {
			t.Fatalf("key file after rotation:\n%s\nwant the old file plus one key line:\n%s", after, before)
		}
		if fi, err := os.Stat(r.Path()); err != nil || fi.Mode().Perm() != 0o600 {
			t.Fatalf("mode after rotation=%v (%v), want 0600", fi.Mode().Perm(), err)
		}
		if got, err := r.Open(old, []byte("ad")); err != nil || string(got) != "old" {
			t.Fatalf("Open an old value=%q, %v; want old", got, err)
		}
		if s := mustSeal(t, r, "new", "ad"); !strings.HasPrefix(s, "v1:"+id+":") {
			t.Fatalf("sealed=%q after rotation, want key %s", s, id)
		}
	})

	t.Run("Reload on unknown key", func(t *testing.T) {
		daemon := MustCreate(t)
		admin, err := seal.Load(daemon.Path())
		if err != nil {
			t.Fatal(err)
		}
		if _, err := admin.Rotate(); err != nil {
			t.Fatal(err)
		}
		s := mustSeal(t, admin, "s", "ad")
		if got, err := daemon.Open(s, []byte("ad")); err != nil || string(got) != "s" {
			t.Fatalf("Open a value sealed after rotation by another ring=%q, %v; want s", got, err)
		}
		if daemon.Newest() != admin.Newest() {
			t.Fatalf("newest=%s after reload, want %s", daemon.Newest(), admin.Newest())
		}
	})
}

func TestLoadOrCreate(t *testing.T) {
	path := filepath.Join(t.TempDir(), "forgehook.db.key")
	first, created, err := seal.LoadOrCreate(path)
	if err != nil || !created {
		t.Fatalf("LoadOrCreate of a missing file: created=%v err=%v, want created", created, err)
	}
	again, created, err := seal.LoadOrCreate(path)
	if err != nil || created || again.Newest() != first.Newest() {
		t.Fatalf("LoadOrCreate of the file: created=%v err=%v newest=%s, want the same key %s", created, err, again.Newest(), first.Newest())
	}
}
