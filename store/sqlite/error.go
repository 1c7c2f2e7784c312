package sqlite

import (
	"database/sql"
	"errors"
	"fmt"

	"github.com/mattn/go-sqlite3"

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
// Domain errors pass through unchanged.
func wrap(op string, err error) error {
	var e *hooks.Error
	var se sqlite3.Error
	switch {
	case err == nil:
		return nil
	case errors.As(err, &e):
		return err
	case errors.Is(err, sql.ErrNoRows):
		return errNotFound()
	case errors.As(err, &se) && (se.ExtendedCode == sqlite3.ErrConstraintUnique ||
		se.ExtendedCode == sqlite3.ErrConstraintPrimaryKey):
		return hooks.Errorf(hooks.ECONFLICT, "Already exists")
	}
	return fmt.Errorf("%s: %w", op, err)
}

// changedRow checks the result of a write that must change a row: it returns
// none when the write changed nothing.
func changedRow(res sql.Result, err error, none error) error {
	if err != nil {
		return err
	}
	n, err := res.RowsAffected()
	if err != nil {
		return err
	}
	if n == 0 {
		return none
	}
	return nil
}
