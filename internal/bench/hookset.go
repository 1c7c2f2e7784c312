package bench

import (
	"context"
	"database/sql"
	"fmt"

	"github.com/forgehook/forgehook/hooks"
	"github.com/forgehook/forgehook/internal/seal"
	"github.com/forgehook/forgehook/store/sqlite"
)

// hookSecret signs every benchmark delivery.
const hookSecret = "s3cret"

// AddHooks gives owner/repo n active JSON push hooks delivering to
// url/h/0 ... url/h/n-1, all on one receiver. The first is created through
// the store, as the API does; the others are copies of it written with SQL,
// because the fan-out benchmarks go past GitHub's limit of 20 hooks per
// event that the store enforces; they get the secret in plain text, as
// an old forgehook stored it, which the daemon seals when it starts. The
// key file is the daemon's default, beside the database.
func AddHooks(dbPath, owner, repo, url string, n int) error {
	db, err := sqlite.Open(dbPath)
	if err != nil {
		return err
	}
	defer db.Close()
	keys, _, err := seal.LoadOrCreate(dbPath + ".key")
	if err != nil {
		return err
	}
	db.Secrets = keys
	h := &hooks.Hook{Owner: owner, Repo: repo, Name: "web", Events: []string{hooks.EventPush}, Active: true,
		Config: hooks.HookConfig{URL: url + "/h/0", ContentType: hooks.ContentJSON, Secret: hookSecret}}
	if err := db.CreateHook(context.Background(), h); err != nil {
		return err
	}
	if n <= 1 {
		return nil
	}
	raw, err := sql.Open("sqlite3", "file:"+dbPath+"?_busy_timeout=5000&_txlock=immediate")
	if err != nil {
		return err
	}
	defer raw.Close()
	tx, err := raw.Begin()
	if err != nil {
		return err
	}
	defer tx.Rollback()
	for i := 1; i < n; i++ {
		_, err := tx.Exec(`INSERT INTO hooks (owner, repo, name, events, active, url, content_type, secret,
			insecure_ssl, created_at, updated_at, last_status)
			SELECT owner, repo, name, events, active, ?, content_type, ?, insecure_ssl, created_at,
				updated_at, last_status FROM hooks WHERE id = ?`, fmt.Sprintf("%s/h/%d", url, i), hookSecret, h.ID)
		if err != nil {
			return fmt.Errorf("copy hook: %w", err)
		}
	}
	return tx.Commit()
}
