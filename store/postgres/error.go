package postgres

import (
	"errors"
	"fmt"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"

	"github.com/forgehook/forgehook/hooks"
)

// errNotFound is what a lookup of a missing row returns.
func errNotFound() error { return hooks.Errorf(hooks.ENOTFOUND, "Not Found") }

// errLeaseLost is what fenced writes return when the claim they hold was
// taken over or released.
func errLeaseLost(what string, id int64) error {
	return hooks.Errorf(hooks.ECONFLICT, "%s %d is no longer leased by this claim", what, id)
}

// wrap turns err into a domain error where one applies (no rows: ENOTFOUND;
// a uniqueness violation: ECONFLICT) and otherwise adds op as context.
func wrap(op string, err error) error {
	var e *hooks.Error
	var pe *pgconn.PgError
	switch {
	case err == nil:
		return nil
	case errors.As(err, &e):
		return err
	case errors.Is(err, pgx.ErrNoRows):
		return errNotFound()
	case errors.As(err, &pe) && pe.Code == "23505": // unique_violation
		return hooks.Errorf(hooks.ECONFLICT, "Already exists")
	}
	return fmt.Errorf("%s: %w", op, err)
}

// changedRow checks the result of a write that must change a row.
func changedRow(tag pgconn.CommandTag, err error, none error) error {
	if err != nil {
		return err
	}
	if tag.RowsAffected() == 0 {
		return none
	}
	return nil
}

// fenced checks the result of a write guarded by a lease token.
func fenced(tag pgconn.CommandTag, err error, what string, id int64) error {
	return changedRow(tag, err, errLeaseLost(what, id))
}
