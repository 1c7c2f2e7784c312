package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"maps"
	"path/filepath"
	"slices"
	"strconv"
	"strings"

	"github.com/forgehook/forgehook/hooks"
)

const applyUsage = `apply: usage: forgehook apply [--dry-run] [--json] [--db FILE] [--repos DIR] FILE

Makes the hooks of every repository and organization FILE (TOML) lists
exactly the hooks it lists, identified by URL: missing ones are created
(and pinged), changed ones updated, unlisted ones deleted. Repositories and
organizations FILE does not list are left alone. The plan is printed first;
--dry-run prints only the plan. See the README, "Declarative hooks".`

// Actions of an apply plan.
const (
	actCreate = "create"
	actUpdate = "update"
	actDelete = "delete"
	actKeep   = "keep"
)

// planStep is one step of an apply plan: a hook to create, update, delete
// or keep. Its JSON is what apply --json prints.
type planStep struct {
	Action  string   `json:"action"`
	Repo    string   `json:"repo,omitempty"` // OWNER/NAME of a repository hook
	Org     string   `json:"org,omitempty"`  // OWNER of an organization hook
	HookID  int64    `json:"hook_id,omitempty"`
	URL     string   `json:"url"`
	Changes []string `json:"changes,omitempty"` // the config keys an update changes
	want    *hooks.Hook
	have    *hooks.Hook
}

// applyPlan is the steps that make the database what a hooks file says, in
// the order they are taken.
type applyPlan struct {
	DryRun  bool        `json:"dry_run"`
	Applied bool        `json:"applied"`
	Steps   []*planStep `json:"steps"`
}

// count returns how many steps have action.
func (p *applyPlan) count(action string) int {
	n := 0
	for _, s := range p.Steps {
		if s.Action == action {
			n++
		}
	}
	return n
}

// runApply handles "apply FILE".
func runApply(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	var f adminFlags
	fs := newFlagSet("apply", stdout)
	f.register(fs)
	dryRun := fs.Bool("dry-run", false, "print the plan and change nothing")
	fs.Usage = func() { fmt.Fprintln(fs.Output(), applyUsage); fs.PrintDefaults() }
	pos, err := parseArgs(fs, args, stdout)
	if err != nil {
		return err
	}
	if len(pos) != 1 {
		return usagef("%s", applyUsage)
	}
	file, err := readHooksFile(pos[0])
	if err != nil {
		return err
	}
	a, err := f.open()
	if err != nil {
		return err
	}
	defer a.Close()
	plan, err := a.plan(ctx, file, pos[0])
	if err != nil {
		return err
	}
	plan.DryRun = *dryRun
	if !f.JSON {
		if err := printPlan(stdout, plan); err != nil {
			return err
		}
	}
	changes := len(plan.Steps) - plan.count(actKeep)
	if !*dryRun && changes > 0 {
		if err := a.apply(ctx, plan, stderr); err != nil {
			return err
		}
		plan.Applied = true
	}
	if f.JSON {
		return writeJSON(stdout, plan)
	}
	switch {
	case changes == 0:
		fmt.Fprintf(stdout, "No changes: the hooks are as %s says.\n", pos[0])
	case *dryRun:
		fmt.Fprintln(stdout, "Dry run: nothing was changed.")
	default:
		fmt.Fprintf(stdout, "Applied: %d created, %d updated, %d deleted.\n",
			plan.count(actCreate), plan.count(actUpdate), plan.count(actDelete))
		if note := a.daemonNote(); note != "" && plan.count(actCreate) > 0 {
			fmt.Fprintln(stdout, "Note: the pings of new hooks are queued;", note)
		}
	}
	return nil
}

// plan resolves the repositories and organizations of file (read from
// path) as the daemon does, validates every hook it lists as the API
// would, and compares them with the stored hooks. Every problem is
// reported at once, and nothing is changed.
func (a *admin) plan(ctx context.Context, file *hooksFile, path string) (*applyPlan, error) {
	plan := &applyPlan{}
	var problems []string
	seen := map[string]bool{}
	add := func(owner, repo string, hs []fileHook) {
		where := path + ": " + scopeName(owner, repo)
		if seen[where] {
			problems = append(problems, where+" is listed twice")
			return
		}
		seen[where] = true
		var want []*hooks.Hook
		urls := map[string]bool{}
		for i, fh := range hs {
			h, err := fh.hook(owner, repo, filepath.Dir(path))
			if err != nil {
				problems = append(problems, fmt.Sprintf("%s: hook %d (%s): %v", where, i+1, fh.URL, err))
				continue
			}
			if urls[h.Config.URL] {
				problems = append(problems, fmt.Sprintf("%s: hook %d: a second hook with url %s: a hook is identified by its URL", where, i+1, h.Config.URL))
				continue
			}
			urls[h.Config.URL] = true
			want = append(want, h)
		}
		if len(want) > hooks.MaxHooksPerRepo {
			problems = append(problems, fmt.Sprintf("%s: %d hooks, at most %d are allowed", where, len(want), hooks.MaxHooksPerRepo))
		}
		steps, err := a.diff(ctx, owner, repo, want)
		if err != nil {
			problems = append(problems, fmt.Sprintf("%s: %v", where, err))
		}
		plan.Steps = append(plan.Steps, steps...)
	}
	for _, s := range file.Repo {
		owner, name, ok := strings.Cut(s.Name, "/")
		if !ok || !hooks.ValidName(owner) || !hooks.ValidName(name) {
			problems = append(problems, fmt.Sprintf("%s: [[repo]] name %q: want OWNER/NAME", path, s.Name))
			continue
		}
		g, err := a.findRepo(ctx, s.Name)
		if err != nil {
			problems = append(problems, path+": "+err.Error())
			continue
		}
		add(g.Owner, g.Name, s.Hook)
	}
	for _, s := range file.Org {
		if !hooks.ValidName(s.Name) {
			problems = append(problems, fmt.Sprintf("%s: [[org]] name %q: want an OWNER name", path, s.Name))
			continue
		}
		owner, err := a.findOwner(ctx, s.Name)
		if err != nil {
			problems = append(problems, path+": "+err.Error())
			continue
		}
		add(owner, "", s.Hook)
	}
	if len(problems) > 0 {
		return nil, fmt.Errorf("%s\nnothing was changed", strings.Join(problems, "\n"))
	}
	return plan, nil
}

// diff returns the steps that make the hooks of owner/repo (repo "" for an
// organization) exactly want: hooks it does not list deleted first, then
// want's hooks in order, matched with the stored ones by URL.
func (a *admin) diff(ctx context.Context, owner, repo string, want []*hooks.Hook) ([]*planStep, error) {
	have, _, err := a.db.FindHooks(ctx, hooks.HookFilter{Owner: owner, Repo: repo, Org: repo == ""})
	if err != nil {
		return nil, err
	}
	step := func(action string, w, h *hooks.Hook) *planStep {
		s := &planStep{Action: action, want: w, have: h}
		if repo == "" {
			s.Org = owner
		} else {
			s.Repo = owner + "/" + repo
		}
		if h != nil {
			s.HookID, s.URL = h.ID, h.Config.URL
		} else {
			s.URL = w.Config.URL
		}
		return s
	}
	byURL := map[string]*hooks.Hook{}
	var steps []*planStep
	wanted := map[string]bool{}
	for _, w := range want {
		wanted[w.Config.URL] = true
	}
	for _, h := range have { // ordered by id: the oldest hook of a URL is kept
		if wanted[h.Config.URL] && byURL[h.Config.URL] == nil {
			byURL[h.Config.URL] = h
			continue
		}
		steps = append(steps, step(actDelete, nil, h))
	}
	for _, w := range want {
		h := byURL[w.Config.URL]
		switch changes := hookChanges(h, w); {
		case h == nil:
			steps = append(steps, step(actCreate, w, nil))
		case len(changes) == 0:
			steps = append(steps, step(actKeep, w, h))
		default:
			s := step(actUpdate, w, h)
			s.Changes = changes
			steps = append(steps, s)
		}
	}
	return steps, nil
}

// hookChanges returns the keys in which want differs from the stored hook
// have (nil for a hook to create). Secrets and header values are compared
// by value, never shown.
func hookChanges(have, want *hooks.Hook) []string {
	if have == nil {
		return nil
	}
	h, w := have.Config, want.Config
	var out []string
	for _, c := range []struct {
		key  string
		same bool
	}{
		{"events", slices.Equal(have.Events, want.Events)},
		{"active", have.Active == want.Active},
		{"content_type", h.ContentType == w.ContentType},
		{"secret", h.Secret == w.Secret},
		{"insecure_ssl", h.InsecureSSL == w.InsecureSSL},
		{"branch_filter", h.BranchFilter == w.BranchFilter},
		{"headers", maps.Equal(h.Headers, w.Headers)},
		{"signature", h.Signature == w.Signature},
		{"template", h.Template == w.Template},
	} {
		if !c.same {
			out = append(out, c.key)
		}
	}
	return out
}

// apply takes the steps of plan in order. A new hook whose ping could not
// be queued is reported on stderr; any other error stops it, with the
// steps before it taken.
func (a *admin) apply(ctx context.Context, plan *applyPlan, stderr io.Writer) error {
	from := sender()
	for i, s := range plan.Steps {
		var err error
		switch s.Action {
		case actDelete:
			err = a.do.DeleteHook(ctx, s.have, from)
		case actUpdate:
			var upd hooks.HookUpdate
			if !slices.Equal(s.have.Events, s.want.Events) {
				upd.Events = &s.want.Events
			}
			if s.have.Active != s.want.Active {
				upd.Active = &s.want.Active
			}
			if slices.ContainsFunc(s.Changes, func(k string) bool { return k != "events" && k != "active" }) {
				upd.Config = &s.want.Config
			}
			_, err = a.db.UpdateHook(ctx, s.HookID, upd)
		case actCreate:
			var pingErr *hooks.PingError
			if _, err = a.do.CreateHook(ctx, s.want, from); errors.As(err, &pingErr) {
				fmt.Fprintf(stderr, "forgehook: created hook %d, but its ping was not queued: %v\n", s.want.ID, pingErr.Err)
				err = nil
			}
			s.HookID = s.want.ID
		}
		if err != nil {
			return fmt.Errorf("apply: %s %s hook %s: %w (the %d steps before it were taken)",
				s.Action, s.scope(), s.URL, err, i)
		}
	}
	return nil
}

// scope names the repository or organization of s in messages.
func (s *planStep) scope() string {
	if s.Org != "" {
		return scopeName(s.Org, "")
	}
	return s.Repo
}

// scopeName names a repository OWNER/NAME, or an organization "OWNER (org)".
func scopeName(owner, repo string) string {
	if repo == "" {
		return owner + " (org)"
	}
	return owner + "/" + repo
}

// printPlan writes plan as a table: one row per hook.
func printPlan(w io.Writer, plan *applyPlan) error {
	if len(plan.Steps) == 0 {
		_, err := fmt.Fprintln(w, "The file lists no repository or organization.")
		return err
	}
	t := newTable(w, column{"ACTION", 6}, column{"REPO", 20}, column{"HOOK", 6}, column{"URL", 24}, column{"CHANGES", 14})
	for _, s := range plan.Steps {
		id := "new"
		if s.HookID != 0 {
			id = strconv.FormatInt(s.HookID, 10)
		}
		t.Row(s.Action, s.scope(), id, s.URL, strings.Join(s.Changes, ","))
	}
	return t.Flush()
}
