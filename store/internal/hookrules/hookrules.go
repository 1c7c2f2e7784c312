// Package hookrules holds GitHub's rules for a hook among the other hooks of
// its repository (or organization), which every store applies in the
// transaction that creates or changes the hook.
package hookrules

import (
	"encoding/json"
	"fmt"
	"slices"

	"github.com/forgehook/forgehook/hooks"
)

// Sibling is what the rules need to know of another hook of the same
// repository (or organization).
type Sibling struct {
	ID     int64
	URL    string
	Events []string
}

// CheckCreate applies the rules to a new hook h: those of Check, and at most
// hooks.MaxHooksPerRepo hooks per repository.
func CheckCreate(h *hooks.Hook, others []Sibling, limit int) error {
	if len(others) >= hooks.MaxHooksPerRepo {
		return hooks.Invalid("Hook", "", "custom",
			fmt.Sprintf("The %s cannot have more than %d hooks", scope(h), hooks.MaxHooksPerRepo))
	}
	return Check(h, others, limit)
}

// Check applies GitHub's rules for a hook among its siblings: no second
// hook with the same URL and overlapping events, and at most limit hooks per
// event. A hook with "*" counts for every event.
func Check(h *hooks.Hook, others []Sibling, limit int) error {
	for _, o := range others {
		if o.URL == h.Config.URL && overlap(o.Events, h.Events) {
			return hooks.Invalid("Hook", "", "custom", "Hook already exists on this "+scope(h))
		}
	}
	// The events whose hook count h would raise: its own, or with "*" every
	// event a sibling has.
	names := slices.Clone(h.Events)
	if slices.Contains(h.Events, hooks.EventWildcard) {
		for _, o := range others {
			names = append(names, o.Events...)
		}
		slices.Sort(names)
		names = slices.Compact(names)
	}
	var fields []hooks.FieldError
	for _, name := range names {
		n := 0
		for _, o := range others {
			if slices.Contains(o.Events, hooks.EventWildcard) || slices.Contains(o.Events, name) {
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

// Rows is what both stores' query results offer: *sql.Rows and pgx.Rows.
type Rows interface {
	Next() bool
	Scan(dest ...any) error
	Err() error
}

// ScanSiblings reads rows of (id, url, events as a JSON array).
func ScanSiblings(rows Rows) ([]Sibling, error) {
	var list []Sibling
	for rows.Next() {
		var s Sibling
		var events string
		if err := rows.Scan(&s.ID, &s.URL, &events); err != nil {
			return nil, err
		}
		if err := json.Unmarshal([]byte(events), &s.Events); err != nil {
			return nil, fmt.Errorf("hook %d: events: %w", s.ID, err)
		}
		list = append(list, s)
	}
	return list, rows.Err()
}
