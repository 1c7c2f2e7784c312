package main

import (
	"context"
	"fmt"
	"io"
	"strconv"
	"strings"
	"time"

	"github.com/forgehook/forgehook/hooks"
)

// deliveryJSON is one row of deliveries --json: GitHub's hook delivery
// object, plus the hook and repository it belongs to.
type deliveryJSON struct {
	*hooks.DeliveryJSON
	HookID     int64  `json:"hook_id"`
	Repository string `json:"repository"` // OWNER/NAME, or OWNER for an organization's ping
}

// runDeliveries lists delivery attempts of every hook, newest first.
func runDeliveries(ctx context.Context, args []string, stdout io.Writer) error {
	var (
		f      adminFlags
		repo   string
		hookID int64
		failed bool
		since  string
		limit  int
	)
	fs := newFlagSet("deliveries", stdout)
	f.register(fs)
	fs.StringVar(&repo, "repo", "", "only deliveries of events of `OWNER/NAME` (its organization hooks' too)")
	fs.Int64Var(&hookID, "hook", 0, "only deliveries to hook `ID`")
	fs.BoolVar(&failed, "failed", false, "only attempts without a 2xx answer")
	fs.StringVar(&since, "since", "", "only attempts since `when`: a duration ago (90m, 24h, 7d) or a date (2006-01-02, 2006-01-02 15:04, RFC 3339)")
	fs.IntVar(&limit, "limit", 30, "at most `N` rows; 0 for all")
	pos, err := parseArgs(fs, args, stdout)
	if err != nil {
		return err
	}
	if len(pos) > 0 {
		return usagef("deliveries: unexpected argument %q", pos[0])
	}
	if limit < 0 {
		return usagef("deliveries: --limit must be 0 (all) or more")
	}
	now := time.Now()
	filter := hooks.DeliveryFilter{HookID: hookID, Failed: failed, Limit: limit}
	if since != "" {
		if filter.Since, err = parseSince(since, now); err != nil {
			return err
		}
	}
	a, err := f.open()
	if err != nil {
		return err
	}
	defer a.Close()
	if repo != "" {
		g, err := a.findRepo(ctx, repo)
		if err != nil {
			return err
		}
		filter.Owner, filter.Repo = g.Owner, g.Name
	}
	if hookID != 0 {
		if _, err := a.db.FindHookByID(ctx, hookID); err != nil {
			return notFound(err, "no hook %d: forgehook hook list --repo OWNER/NAME lists them", hookID)
		}
	}
	list, err := a.db.SearchDeliveries(ctx, filter)
	if err != nil {
		return err
	}
	if f.JSON {
		out := make([]deliveryJSON, 0, len(list))
		for _, d := range list {
			out = append(out, deliveryJSON{DeliveryJSON: hooks.NewDeliveryJSON(d), HookID: d.HookID, Repository: deliveryRepo(d)})
		}
		return writeJSON(stdout, out)
	}
	if len(list) == 0 {
		fmt.Fprintln(stdout, "No deliveries match.")
		return nil
	}
	t := newTable(stdout, column{"ID", 6}, column{"HOOK", 4}, column{"REPO", 12}, column{"EVENT", 6},
		column{"ACTION", 6}, column{"STATUS", 9}, column{"GUID", 8}, column{"WHEN", 7}, column{"TOOK", 5})
	redelivered := false
	for _, d := range list {
		action := d.Action
		if action == "" {
			action = "-"
		}
		id := strconv.FormatInt(d.ID, 10)
		if d.Redelivery {
			id += "*"
			redelivered = true
		}
		t.Row(id, strconv.FormatInt(d.HookID, 10), deliveryRepo(d), d.Event, action, outcome(d),
			shortGUID(d.GUID), ago(d.DeliveredAt, now), took(d.Duration))
	}
	if err := t.Flush(); err != nil {
		return err
	}
	if redelivered {
		fmt.Fprintln(stdout, "* a redelivery")
	}
	if len(list) == limit {
		fmt.Fprintf(stdout, "(the newest %d; --limit 0 shows all)\n", limit)
	}
	return nil
}

// shortGUID is the first 8 characters of a GUID, enough to tell
// deliveries apart and to find one in a receiver's logs.
func shortGUID(guid string) string { return guid[:min(8, len(guid))] }

// deliveryRepo names the repository of d's event, or its owner for an
// organization's ping.
func deliveryRepo(d *hooks.Delivery) string {
	if d.Repo == "" {
		return d.Owner
	}
	return d.Owner + "/" + d.Repo
}

// outcome is a short status: "200 ok", "500", or why there was no answer.
func outcome(d *hooks.Delivery) string {
	switch {
	case d.OK():
		return strconv.Itoa(d.StatusCode) + " ok"
	case d.StatusCode != 0:
		return strconv.Itoa(d.StatusCode)
	}
	return strings.ToLower(d.Status)
}

// parseSince reads --since: a duration before now (with d for days too), or
// a date or time, local unless it names its zone.
func parseSince(s string, now time.Time) (time.Time, error) {
	if days, ok := strings.CutSuffix(s, "d"); ok {
		if n, err := strconv.Atoi(days); err == nil && n >= 0 {
			return now.AddDate(0, 0, -n), nil
		}
	}
	if d, err := time.ParseDuration(s); err == nil && d >= 0 {
		return now.Add(-d), nil
	}
	if t, err := time.Parse(time.RFC3339, s); err == nil {
		return t, nil
	}
	for _, layout := range []string{"2006-01-02", "2006-01-02 15:04", "2006-01-02T15:04"} {
		if t, err := time.ParseInLocation(layout, s, time.Local); err == nil {
			return t, nil
		}
	}
	return time.Time{}, usagef("deliveries: --since %q is neither a duration (90m, 24h, 7d) nor a date (2006-01-02, 2006-01-02 15:04)", s)
}
