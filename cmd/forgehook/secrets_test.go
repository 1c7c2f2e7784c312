package main_test

import (
	"bytes"
	"database/sql"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/google/go-github/v60/github"

	"github.com/forgehook/forgehook/hooks/hookstest"
	"github.com/forgehook/forgehook/internal/seal"
)

// mustNotHold fails if the database or a file beside it holds secret.
func (e *Env) mustNotHold(secret string) {
	e.T.Helper()
	files, err := filepath.Glob(e.DB + "*")
	if err != nil {
		e.T.Fatal(err)
	}
	for _, f := range files {
		if b, err := os.ReadFile(f); err == nil && bytes.Contains(b, []byte(secret)) {
			e.T.Errorf("%s holds the hook secret in plain text", filepath.Base(f))
		}
	}
}

// mustFailToStart runs the daemon, which must exit at once with one error
// line, and returns that line.
func (e *Env) mustFailToStart() string {
	e.T.Helper()
	cmd := e.command("serve", "--listen", "127.0.0.1:0", "--db", e.DB, "--repos", e.Root)
	out, err := cmd.CombinedOutput()
	if err == nil {
		e.T.Fatalf("serve exited 0, want a failure:\n%s", out)
	}
	lines := strings.Split(strings.TrimSpace(string(out)), "\n")
	if len(lines) != 1 || !strings.HasPrefix(lines[0], "forgehook: ") {
		e.T.Fatalf("serve said:\n%s\nwant one forgehook: line", out)
	}
	return lines[0]
}

// mustPushSigned pushes a commit to bare and waits for the n-th push
// delivery at recv, which must verify against its secret.
func (e *Env) mustPushSigned(bare, work string, recv *hookstest.Receiver, n int) {
	e.T.Helper()
	c := e.WS.MustClone(bare, work)
	c.Commit("commit "+work, map[string]string{work + ".txt": work + "\n"})
	c.Push("origin", "main")
	got := recv.WaitFor(e.T, "push", n, wait)
	if r := got[n-1]; r.Err != nil {
		e.T.Fatalf("push delivery %s did not verify: %v", r.GUID, r.Err)
	}
}

// TestSecrets_SealedSignedRotatedAndKeyChecked follows one hook secret: it
// is sealed on disk, deliveries and redeliveries still sign with it across
// a rotation made while the daemon runs, the hook pushes without the key,
// and a missing or wrong key file stops the daemon with one line.
func TestSecrets_SealedSignedRotatedAndKeyChecked(t *testing.T) {
	t.Parallel()
	const secret = "e2e-secret-81b0f7c2d9"
	e := MustNewEnv(t)
	bare := e.MustRepo("acme", "widgets")
	e.MustStart()
	keyFile := e.DB + ".key"
	if fi, err := os.Stat(keyFile); err != nil || fi.Mode().Perm() != 0o600 {
		t.Fatalf("key file after the first start: %v (%v), want mode 0600", fi, err)
	}
	recv := hookstest.NewReceiver(t, secret)
	hook := e.MustCreateHook("acme", "widgets", recv.URL, "json", secret)
	e.mustPushSigned(bare, "w1", recv, 1)
	e.mustNotHold(secret)

	out := e.MustRun("secrets", "rotate", "--db", e.DB)
	if !strings.Contains(out, "sealed 1 hook secrets") {
		t.Fatalf("secrets rotate said %q, want 1 secret sealed again", out)
	}
	keys, err := seal.Load(keyFile)
	if err != nil || len(keys.IDs()) != 2 {
		t.Fatalf("key file after rotation: %v (%v), want 2 keys", keys.IDs(), err)
	}
	if fi, err := os.Stat(keyFile); err != nil || fi.Mode().Perm() != 0o600 {
		t.Fatalf("key file after rotation: %v (%v), want mode 0600", fi, err)
	}
	var stored string
	raw, err := sql.Open("sqlite3", "file:"+e.DB+"?_busy_timeout=5000&mode=ro")
	if err != nil {
		t.Fatal(err)
	}
	defer raw.Close()
	if err := raw.QueryRow(`SELECT secret FROM hooks WHERE id = ?`, hook.GetID()).Scan(&stored); err != nil ||
		!strings.HasPrefix(stored, "v1:"+keys.Newest()+":") {
		t.Fatalf("stored secret=%q (%v), want it sealed with the new key %s", stored, err, keys.Newest())
	}

	// The running daemon signs a redelivery with the re-sealed secret.
	repos := e.Client(false).Repositories
	ds, _, err := repos.ListHookDeliveries(bg(), "acme", "widgets", hook.GetID(), nil)
	if err != nil || len(ds) == 0 {
		t.Fatalf("deliveries=%d (%v), want the push", len(ds), err)
	}
	var accepted *github.AcceptedError
	if _, _, err := repos.RedeliverHookDelivery(bg(), "acme", "widgets", hook.GetID(), ds[0].GetID()); !errors.As(err, &accepted) {
		t.Fatalf("redeliver: %v, want 202", err)
	}
	if r := recv.WaitFor(t, "push", 2, wait)[1]; r.Err != nil || r.GUID != ds[0].GetGUID() {
		t.Fatalf("redelivery %s: %v, want %s verified", r.GUID, r.Err, ds[0].GetGUID())
	}

	// The post-receive hook never needs the key.
	if err := os.Rename(keyFile, keyFile+".backup"); err != nil {
		t.Fatal(err)
	}
	e.mustPushSigned(bare, "w2", recv, 3)
	e.Daemon.Stop()

	t.Run("ErrMissingKey", func(t *testing.T) {
		line := e.mustFailToStart()
		if !strings.Contains(line, keyFile+" is missing") || !strings.Contains(line, "restore") {
			t.Fatalf("serve said %q, want the missing key file named and what to do", line)
		}
		if _, err := os.Stat(keyFile); err == nil {
			t.Fatal("serve made a new key file for a database whose secrets are sealed")
		}
	})

	t.Run("ErrWrongKey", func(t *testing.T) {
		if _, err := seal.Create(keyFile); err != nil {
			t.Fatal(err)
		}
		line := e.mustFailToStart()
		if !strings.Contains(line, keyFile+" is not the key file of "+e.DB) {
			t.Fatalf("serve said %q, want the wrong key file named", line)
		}
	})

	if err := os.Rename(keyFile+".backup", keyFile); err != nil {
		t.Fatal(err)
	}
	e.MustStart()
	e.mustPushSigned(bare, "w3", recv, 4)
}

// TestSecrets_PlainSecretsSealedOnFirstStart upgrades a database whose hook
// secret is plain text, as forgehook stored it before, and which has no key
// file: the daemon makes the key, seals the secret, and still signs with it.
func TestSecrets_PlainSecretsSealedOnFirstStart(t *testing.T) {
	t.Parallel()
	const secret = "legacy-secret-4d2a9e"
	e := MustNewEnv(t)
	bare := e.MustRepo("acme", "widgets")
	e.MustStart()
	recv := hookstest.NewReceiver(t, secret)
	hook := e.MustCreateHook("acme", "widgets", recv.URL, "json", "to be replaced")
	e.Daemon.Stop()
	raw, err := sql.Open("sqlite3", "file:"+e.DB+"?_busy_timeout=5000")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := raw.Exec(`UPDATE hooks SET secret = ?, secret_sealed = 0 WHERE id = ?`, secret, hook.GetID()); err != nil {
		t.Fatal(err)
	}
	raw.Close()
	if err := os.Remove(e.DB + ".key"); err != nil {
		t.Fatal(err)
	}

	d := e.MustStart()
	if logs := d.Logs(); !strings.Contains(logs, "sealed plain-text hook secrets") || !strings.Contains(logs, "count=1") {
		t.Fatalf("daemon logs:\n%s\nwant one plain-text secret sealed", logs)
	}
	e.mustNotHold(secret)
	e.mustPushSigned(bare, "w1", recv, 1)
	e.Daemon.Stop()
	if logs := e.MustStart().Logs(); strings.Contains(logs, "sealed plain-text") {
		t.Fatalf("second start sealed again:\n%s", logs)
	}
}
