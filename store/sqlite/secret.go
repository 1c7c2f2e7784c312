package sqlite

import (
	"context"
	"database/sql"

	"github.com/forgehook/forgehook/hooks"
	"github.com/forgehook/forgehook/store/internal/sealing"
)

// Sealer encrypts values at rest; *seal.Keyring is one.
type Sealer = sealing.Sealer

// errNoSealer is returned where a hook secret must be sealed or opened and
// DB.Secrets is nil.
var errNoSealer = sealing.ErrNoSealer

// sealSecret returns how hook id's secret is stored, and whether it is sealed.
func (db *DB) sealSecret(id int64, secret string) (string, bool, error) {
	return sealing.Seal(db.Secrets, id, secret)
}

// openSecret returns hook id's secret as stored.
func (db *DB) openSecret(id int64, stored string, sealed bool) (string, error) {
	return sealing.Open(db.Secrets, id, stored, sealed)
}

// setSecret stores hook id's secret, sealed, through tx.
func (db *DB) setSecret(ctx context.Context, tx *sql.Tx, id int64, secret string) error {
	stored, sealed, err := db.sealSecret(id, secret)
	if err != nil {
		return err
	}
	_, err = tx.ExecContext(ctx, `UPDATE hooks SET secret = ?, secret_sealed = ? WHERE id = ?`, stored, sealed, id)
	return err
}

// openHeaders returns hook id's custom headers as stored.
func (db *DB) openHeaders(id int64, stored string) (map[string]string, error) {
	return sealing.OpenHeaders(db.Secrets, id, stored)
}

// setHeaders stores hook id's custom headers, sealed, through tx.
func (db *DB) setHeaders(ctx context.Context, tx *sql.Tx, id int64, headers map[string]string) error {
	stored, err := sealing.SealHeaders(db.Secrets, id, headers)
	if err != nil {
		return err
	}
	_, err = tx.ExecContext(ctx, `UPDATE hooks SET headers = ? WHERE id = ?`, stored, id)
	return err
}

// setSealed stores what hook h keeps sealed, its secret and its custom
// headers, through tx.
func (db *DB) setSealed(ctx context.Context, tx *sql.Tx, h *hooks.Hook) error {
	if err := db.setSecret(ctx, tx, h.ID, h.Config.Secret); err != nil {
		return err
	}
	return db.setHeaders(ctx, tx, h.ID, h.Config.Headers)
}

// HasSealedSecrets reports whether a hook secret or a hook's custom headers
// are sealed: then the database is of no use without its key.
func (db *DB) HasSealedSecrets(ctx context.Context) (bool, error) {
	var ok bool
	err := db.read.QueryRowContext(ctx, `SELECT EXISTS (SELECT 1 FROM hooks WHERE secret_sealed OR headers <> '')`).Scan(&ok)
	return ok, wrap("sealed secrets", err)
}

// SealSecrets seals every plain-text hook secret (left by a forgehook from
// before secrets were encrypted) and checks that DB.Secrets opens every
// sealed one, in one transaction, and returns how many it sealed. It is
// idempotent. A secret that does not open fails it, naming the hook.
//
// Having sealed a plain secret, it rebuilds the file (VACUUM) and empties
// the write-ahead log, so that no copy of the plain text is left in free
// pages: this once, it takes as long as copying the database.
func (db *DB) SealSecrets(ctx context.Context) (int, error) {
	n, err := db.resealSecrets(ctx, false)
	if err != nil || n == 0 {
		return n, wrap("seal secrets", err)
	}
	if _, err := db.write.ExecContext(ctx, "VACUUM"); err != nil {
		return n, wrap("seal secrets: vacuum", err)
	}
	// Readers in other processes may keep the log from emptying; that leaves
	// only sealed pages in it, which is no error.
	var busy, logged, moved int
	err = db.write.QueryRowContext(ctx, "PRAGMA wal_checkpoint(TRUNCATE)").Scan(&busy, &logged, &moved)
	return n, wrap("seal secrets: checkpoint", err)
}

// ResealSecrets seals every hook secret and every hook's custom headers
// again with DB.Secrets' newest key, in one transaction, and returns how
// many values (secrets and header sets) it sealed. It fails, changing
// nothing, if one does not open.
func (db *DB) ResealSecrets(ctx context.Context) (int, error) {
	n, err := db.resealSecrets(ctx, true)
	return n, wrap("reseal secrets", err)
}

// resealSecrets seals plain secrets and, if all, sealed secrets and custom
// headers again, after opening each one.
func (db *DB) resealSecrets(ctx context.Context, all bool) (int, error) {
	if db.Secrets == nil {
		return 0, errNoSealer
	}
	n := 0
	err := db.update(ctx, func(tx *sql.Tx) error {
		type row struct {
			id     int64
			stored string
			sealed bool
		}
		var list []row
		rows, err := tx.QueryContext(ctx, `SELECT id, secret, secret_sealed FROM hooks WHERE secret <> '' ORDER BY id`)
		if err != nil {
			return err
		}
		defer rows.Close()
		for rows.Next() {
			var r row
			if err := rows.Scan(&r.id, &r.stored, &r.sealed); err != nil {
				return err
			}
			list = append(list, r)
		}
		if err := rows.Err(); err != nil {
			return err
		}
		for _, r := range list {
			plain, err := db.openSecret(r.id, r.stored, r.sealed)
			if err != nil {
				return err
			}
			if r.sealed && !all {
				continue
			}
			if err := db.setSecret(ctx, tx, r.id, plain); err != nil {
				return err
			}
			n++
		}
		sealed, err := db.resealHeaders(ctx, tx, all)
		n += sealed
		return err
	})
	if err != nil {
		return 0, err
	}
	return n, nil
}

// resealHeaders opens every hook's custom headers through tx and, if all,
// seals them again (with the newest key), returning how many it sealed.
func (db *DB) resealHeaders(ctx context.Context, tx *sql.Tx, all bool) (int, error) {
	type row struct {
		id     int64
		stored string
	}
	var list []row
	rows, err := tx.QueryContext(ctx, `SELECT id, headers FROM hooks WHERE headers <> '' ORDER BY id`)
	if err != nil {
		return 0, err
	}
	defer rows.Close()
	for rows.Next() {
		var r row
		if err := rows.Scan(&r.id, &r.stored); err != nil {
			return 0, err
		}
		list = append(list, r)
	}
	if err := rows.Err(); err != nil {
		return 0, err
	}
	n := 0
	for _, r := range list {
		h, err := db.openHeaders(r.id, r.stored)
		if err != nil {
			return 0, err
		}
		if !all {
			continue
		}
		if err := db.setHeaders(ctx, tx, r.id, h); err != nil {
			return 0, err
		}
		n++
	}
	return n, nil
}
