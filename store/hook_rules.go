package store

import (
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"slices"

	"github.com/forgehook/forgehook/hooks"
)

// sibling is what the rules of CreateHook and UpdateHook need to know of the
// other hooks of the same repository (or organization).
type sibling struct {
	id     int64
	url    string
	events []string
}

// siblingHooks returns the hooks of owner/repo (repo "" for organization
// hooks) other than the hook except.
func siblingHooks(ctx context.Context, tx *sql.Tx, owner, repo string, except int64) ([]sibling, error) {
	rows, err := tx.QueryContext(ctx, `SELECT id, url, events FROM hooks
		WHERE owner = ? AND repo = ? AND id <> ? ORDER BY id`, owner, repo, except)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var list []sibling
	for rows.Next() {
		var s sibling
		var events string
		if err := rows.Scan(&s.id, &s.url, &events); err != nil {
			return nil, err
		}
		if err := json.Unmarshal([]byte(events), &s.events); err != nil {
			return nil, fmt.Errorf("hook %d: events: %w", s.id, err)
		}
		list = append(list, s)
	}
	return list, rows.Err()
}

// checkHook applies GitHub's rules for a hook among its siblings: no second
// hook with the same URL and overlapping events, and at most limit hooks per
// event. A hook with "*" counts for every event.
func checkHook(h *hooks.Hook, others []sibling, limit int) error {
	for _, o := range others {
		if o.url == h.Config.URL && overlap(o.events, h.Events) {
			return hooks.Invalid("Hook", "", "custom", "Hook already exists on this "+scope(h))
		}
	}
	// The events whose hook count h would raise: its own, or with "*" every
	// event a sibling has.
	names := slices.Clone(h.Events)
	if slices.Contains(h.Events, hooks.EventWildcard) {
		for _, o := range others {
			names = append(names, o.events...)
		}
		slices.Sort(names)
		names = slices.Compact(names)
	}
	var fields []hooks.FieldError
	for _, name := range names {
		n := 0
		for _, o := range others {
			if slices.Contains(o.events, hooks.EventWildcard) || slices.Contains(o.events, name) {
				n++
			}
		}
		if n >= limit {
			fields = append(fields, hooks.FieldError{Resource: "Hook", Code: "custom",
				Message: fmt.Sprintf("The %q event cannot have more than %d hooks", name, limit)})
		}
	}
	if len(fields) > 0 {
		return &hooks.Error{Code: hooks.EINVALID, Message: "Validation Failed", Fields: fields}
	}
	return nil
}

// overlap reports whether two event lists share an event; "*" shares every one.
func overlap(a, b []string) bool {
	if len(a) == 0 || len(b) == 0 {
		return false
	}
	if slices.Contains(a, hooks.EventWildcard) || slices.Contains(b, hooks.EventWildcard) {
		return true
	}
	return slices.ContainsFunc(a, func(e string) bool { return slices.Contains(b, e) })
}

// scope names what h belongs to, for messages.
func scope(h *hooks.Hook) string {
	switch {
	case h.IsGlobal():
		return "instance"
	case h.IsOrg():
		return "organization"
	}
	return "repository"
}
