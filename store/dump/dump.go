// Package dump is the form in which one forgehook store is copied into
// another (forgehook migrate-db): every table of the schema the stores
// share, its columns and their kinds, and the counters a copy must carry
// over. A store that can be copied from implements Source; one that can be
// copied into reads a Source.
package dump

import (
	"context"
	"fmt"
)

// Kind is how a column's values travel: each value of a row is nil (NULL)
// or the Go type its kind names.
type Kind int

// The kinds of columns.
const (
	Int   Kind = iota // int64
	Text              // string
	Bytes             // []byte
	Bool              // bool
)

// Column is one column of a table.
type Column struct {
	Name string
	Kind Kind
}

// Table is one table of the shared schema.
type Table struct {
	Name string
	// Columns are the table's columns, in the order of a row's values.
	Columns []Column
	// Identity is set when the table's id is handed out by the store (an
	// AUTOINCREMENT or identity column): a copy keeps every id and must
	// hand out only greater ones.
	Identity bool
}

// ColumnNames returns t's column names in order.
func (t Table) ColumnNames() []string {
	names := make([]string, len(t.Columns))
	for i, c := range t.Columns {
		names[i] = c.Name
	}
	return names
}

// Tables is every table of the schema, each after those it references, so
// that a copy in this order never breaks a foreign key.
var Tables = []Table{
	{Name: "accounts", Identity: true, Columns: cols("id", Int, "login", Text, "created_at", Int)},
	{Name: "repos", Identity: true, Columns: cols("id", Int, "owner", Text, "name", Text, "created_at", Int)},
	{Name: "hooks", Identity: true, Columns: cols("id", Int, "owner", Text, "repo", Text, "name", Text,
		"events", Text, "active", Bool, "url", Text, "content_type", Text, "secret", Text, "secret_sealed", Bool,
		"insecure_ssl", Bool, "created_at", Int, "updated_at", Int, "last_code", Int, "last_status", Text,
		"last_message", Text, "branch_filter", Text, "headers", Text, "signature", Text, "template", Text,
		"fail_streak", Int, "failing_since", Int, "breaker_until", Int, "breaker_trips", Int)},
	{Name: "tokens", Identity: true, Columns: cols("id", Int, "hash", Text, "login", Text, "repos", Text,
		"created_at", Int, "last_used_at", Int)},
	{Name: "pushes", Identity: true, Columns: cols("id", Int, "git_dir", Text, "pusher", Text, "updates", Text,
		"received_at", Int, "state", Int, "run_at", Int, "attempts", Int, "lease_owner", Text, "lease_token", Int,
		"lease_until", Int, "error", Text, "next_ref", Int)},
	{Name: "push_refs", Columns: cols("push_id", Int, "idx", Int, "ref", Text, "state", Int, "run_at", Int,
		"attempts", Int, "error", Text)},
	{Name: "spooled_pushes", Columns: cols("id", Text, "push_id", Int, "drained_at", Int)},
	{Name: "ref_states", Columns: cols("git_dir", Text, "after_push", Int)},
	{Name: "ref_state_refs", Columns: cols("git_dir", Text, "ref", Text, "object", Text)},
	{Name: "events", Identity: true, Columns: cols("id", Int, "guid", Text, "owner", Text, "repo", Text,
		"repo_id", Int, "owner_id", Int, "name", Text, "action", Text, "payload", Bytes, "created_at", Int)},
	{Name: "jobs", Identity: true, Columns: cols("id", Int, "event_id", Int, "hook_id", Int, "state", Int,
		"run_at", Int, "attempts", Int, "redelivery", Bool, "lease_owner", Text, "lease_token", Int,
		"lease_until", Int, "created_at", Int, "updated_at", Int)},
	{Name: "deliveries", Identity: true, Columns: cols("id", Int, "job_id", Int, "event_id", Int, "hook_id", Int,
		"guid", Text, "repo_id", Int, "event", Text, "action", Text, "redelivery", Bool, "url", Text,
		"delivered_at", Int, "duration_ns", Int, "status", Text, "status_code", Int, "request_headers", Text,
		"response_headers", Text, "response_body", Text)},
	{Name: "farewells", Identity: true, Columns: cols("id", Int, "hook_id", Int, "owner", Text, "repo", Text,
		"repo_id", Int, "owner_id", Int, "url", Text, "content_type", Text, "secret", Text, "secret_sealed", Bool,
		"insecure_ssl", Bool, "guid", Text, "name", Text, "action", Text, "payload", Bytes, "created_at", Int,
		"state", Int, "run_at", Int, "lease_owner", Text, "lease_token", Int, "lease_until", Int)},
}

// cols builds columns from name, kind pairs.
func cols(pairs ...any) []Column {
	var out []Column
	for i := 0; i < len(pairs); i += 2 {
		out = append(out, Column{Name: pairs[i].(string), Kind: pairs[i+1].(Kind)})
	}
	return out
}

// Counters are what a store has handed out beyond its rows' values.
type Counters struct {
	// LastIDs holds, per Identity table, the greatest id ever handed out,
	// which may be above the greatest id left (rows deleted since).
	LastIDs map[string]int64
	// LeaseSeq is the last fencing token a claim was given.
	LeaseSeq int64
}

// Source is one consistent snapshot of a store to copy from.
type Source interface {
	// Count returns how many rows t holds.
	Count(ctx context.Context, t Table) (int64, error)
	// Rows calls fn with each row of t, a new slice each time, its values
	// in the order of t.Columns and of their kinds. It stops at the first
	// error fn returns, and returns it.
	Rows(ctx context.Context, t Table, fn func(row []any) error) error
	// Counters returns the store's counters.
	Counters(ctx context.Context) (Counters, error)
}

// Progress is told how a copy goes, table by table.
type Progress interface {
	// Table is called before t's rows are copied, with how many there are.
	Table(t Table, total int64)
	// Copied is called as rows of the current table are copied, with how
	// many since the last call.
	Copied(n int)
}

// Convert returns v, a value read from a store for a column of kind k, as
// that kind's Go type; a store's driver may hand back another type for it
// (an integer for a boolean, a string for bytes).
func Convert(k Kind, v any) (any, error) {
	if v == nil {
		return nil, nil
	}
	switch k {
	case Int:
		switch x := v.(type) {
		case int64:
			return x, nil
		case int32:
			return int64(x), nil
		case int:
			return int64(x), nil
		}
	case Text:
		switch x := v.(type) {
		case string:
			return x, nil
		case []byte:
			return string(x), nil
		}
	case Bytes:
		switch x := v.(type) {
		case []byte:
			return x, nil
		case string:
			return []byte(x), nil
		}
	case Bool:
		switch x := v.(type) {
		case bool:
			return x, nil
		case int64:
			return x != 0, nil
		}
	}
	return nil, fmt.Errorf("value %v (%T) for a column of kind %d", v, v, k)
}
