package postgres

import (
	"context"

	"github.com/jackc/pgx/v5"

	"github.com/forgehook/forgehook/hooks"
	"github.com/forgehook/forgehook/store/internal/sealing"
)

// setSecret stores hook id's secret, sealed, through tx.
func (db *DB) setSecret(ctx context.Context, tx pgx.Tx, id int64, secret string) error {
	stored, sealed, err := sealing.Seal(db.Secrets, id, secret)
	if err != nil {
		return err
	}
	_, err = tx.Exec(ctx, `UPDATE hooks SET secret = $1, secret_sealed = $2 WHERE id = $3`, stored, sealed, id)
	return err
}

// setHeaders stores hook id's custom headers, sealed, through tx.
func (db *DB) setHeaders(ctx context.Context, tx pgx.Tx, id int64, headers map[string]string) error {
	stored, err := sealing.SealHeaders(db.Secrets, id, headers)
	if err != nil {
		return err
	}
	_, err = tx.Exec(ctx, `UPDATE hooks SET headers = $1 WHERE id = $2`, stored, id)
	return err
}

// setSealed stores what hook h keeps sealed, its secret and its custom
// headers, through tx.
func (db *DB) setSealed(ctx context.Context, tx pgx.Tx, h *hooks.Hook) error {
	if err := db.setSecret(ctx, tx, h.ID, h.Config.Secret); err != nil {
		return err
	}
	return db.setHeaders(ctx, tx, h.ID, h.Config.Headers)
}

// HasSealedSecrets reports whether a hook secret or a hook's custom headers
// are sealed: then the database is of no use without its key.
func (db *DB) HasSealedSecrets(ctx context.Context) (bool, error) {
	var ok bool
	err := db.pool.QueryRow(ctx, `SELECT EXISTS (SELECT 1 FROM hooks WHERE secret_sealed OR headers <> '')`).Scan(&ok)
	return ok, wrap("sealed secrets", err)
}

// SealSecrets seals every plain-text hook secret (a copy from an older
// SQLite database may have some) and checks that DB.Secrets opens every
// sealed one, in one transaction, and returns how many it sealed.
func (db *DB) SealSecrets(ctx context.Context) (int, error) {
	n, err := db.resealSecrets(ctx, false)
	return n, wrap("seal secrets", err)
}

// ResealSecrets seals every hook secret again with DB.Secrets' newest key,
// in one transaction, and returns how many it sealed. It fails, changing
// nothing, if a secret does not open.
func (db *DB) ResealSecrets(ctx context.Context) (int, error) {
	n, err := db.resealSecrets(ctx, true)
	return n, wrap("reseal secrets", err)
}

// resealSecrets seals plain secrets, and sealed ones too if all.
func (db *DB) resealSecrets(ctx context.Context, all bool) (int, error) {
	if db.Secrets == nil {
		return 0, sealing.ErrNoSealer
	}
	n := 0
	err := db.update(ctx, func(tx pgx.Tx) error {
		n = 0
		type row struct {
			id     int64
			stored string
			sealed bool
		}
		rows, err := tx.Query(ctx, `SELECT id, secret, secret_sealed FROM hooks WHERE secret <> '' ORDER BY id FOR UPDATE`)
		if err != nil {
			return err
		}
		list, err := pgx.CollectRows(rows, func(r pgx.CollectableRow) (row, error) {
			var x row
			err := r.Scan(&x.id, &x.stored, &x.sealed)
			return x, err
		})
		if err != nil {
			return err
		}
		for _, r := range list {
			plain, err := sealing.Open(db.Secrets, r.id, r.stored, r.sealed)
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
		rows, err = tx.Query(ctx, `SELECT id, headers FROM hooks WHERE headers <> '' ORDER BY id FOR UPDATE`)
		if err != nil {
			return err
		}
		sealedHeaders, err := pgx.CollectRows(rows, func(r pgx.CollectableRow) (row, error) {
			var x row
			err := r.Scan(&x.id, &x.stored)
			return x, err
		})
		if err != nil {
			return err
		}
		for _, r := range sealedHeaders {
			h, err := sealing.OpenHeaders(db.Secrets, r.id, r.stored)
			if err != nil {
				return err
			}
			if !all {
				continue
			}
			if err := db.setHeaders(ctx, tx, r.id, h); err != nil {
				return err
			}
			n++
		}
		return nil
	})
	return n, err
}
