package web

import (
	"net/http"
	"strconv"
	"time"

	"github.com/forgehook/forgehook/hooks"
)

// reposPerPage is how many repositories the repository list shows at once.
const reposPerPage = 50

// hookRow is a hook as the lists show it.
type hookRow struct {
	Hook        *hooks.Hook
	Status      string
	StatusClass string
}

func newHookRows(list []*hooks.Hook) []hookRow {
	rows := make([]hookRow, 0, len(list))
	for _, h := range list {
		text, class := lastStatus(h)
		rows = append(rows, hookRow{Hook: h, Status: text, StatusClass: class})
	}
	return rows
}

// repoRow is a repository with its hooks.
type repoRow struct {
	Repo  *hooks.GitRepo
	Hooks []hookRow
}

// queueView is the queue figures of the repository list.
type queueView struct {
	Deliveries, Pushes         int
	OldestDelivery, OldestPush time.Duration // 0 when nothing waits
}

// indexData is the repository list.
type indexData struct {
	Repos      []repoRow
	Total      int
	Page       int
	Prev, Next string // links to the neighbouring pages, or ""
	Queue      *queueView
}

// index lists the repositories the caller may administer, with their hooks.
func (s *Server) index(w http.ResponseWriter, r *http.Request, c *call) error {
	all, err := s.List.ListRepos(r.Context())
	if err != nil {
		return err
	}
	var mine []*hooks.GitRepo
	for _, g := range all {
		if c.Principal.CanAdminRepo(g.Owner, g.Name) {
			mine = append(mine, g)
		}
	}
	page, _ := strconv.Atoi(r.URL.Query().Get("page"))
	page = max(page, 1)
	d := indexData{Total: len(mine), Page: page}
	from := min((page-1)*reposPerPage, len(mine))
	to := min(from+reposPerPage, len(mine))
	if page > 1 {
		d.Prev = Prefix + "?page=" + strconv.Itoa(page-1)
	}
	if to < len(mine) {
		d.Next = Prefix + "?page=" + strconv.Itoa(page+1)
	}
	for _, g := range mine[from:to] {
		list, _, err := s.Hooks.FindHooks(r.Context(), hooks.HookFilter{Owner: g.Owner, Repo: g.Name})
		if err != nil {
			return err
		}
		d.Repos = append(d.Repos, repoRow{Repo: g, Hooks: newHookRows(list)})
	}
	// The queues hold every repository's work: like /metrics, their figures
	// are for admin tokens only.
	if s.Stats != nil && c.Principal.IsAdmin() {
		st, err := s.Stats.ReadStats(r.Context())
		if err != nil {
			return err
		}
		d.Queue = &queueView{Deliveries: st.Deliveries.Depth, Pushes: st.Pushes.Depth,
			OldestDelivery: s.waited(st.Deliveries.Oldest), OldestPush: s.waited(st.Pushes.Oldest)}
	}
	s.render(w, r, http.StatusOK, "index", c, &view{Title: "Repositories", Notice: notice(r), Data: d})
	return nil
}

// waited returns how long ago since was, or 0 for the zero time.
func (s *Server) waited(since time.Time) time.Duration {
	if since.IsZero() {
		return 0
	}
	return max(s.Now().Sub(since), time.Second)
}

// repoData is a repository's page.
type repoData struct {
	Repo  *hooks.GitRepo
	Hooks []hookRow
}

// repoPage lists a repository's hooks, as GitHub's Webhooks settings do.
func (s *Server) repoPage(w http.ResponseWriter, r *http.Request, c *call) error {
	list, _, err := s.Hooks.FindHooks(r.Context(), hooks.HookFilter{Owner: c.Repo.Owner, Repo: c.Repo.Name})
	if err != nil {
		return err
	}
	s.render(w, r, http.StatusOK, "repo", c, &view{Title: "Webhooks · " + c.Repo.Owner + "/" + c.Repo.Name,
		Crumbs: []crumb{{"Repositories", Prefix}}, Notice: notice(r),
		Data: repoData{Repo: c.Repo, Hooks: newHookRows(list)}})
	return nil
}

// notices are the lines a page shows after an action redirected to it,
// by the done parameter: fixed texts, so that a link cannot make a page say
// anything else.
var notices = map[string]string{
	"created":     "Okay, that hook was successfully created. We sent a ping payload to test it out!",
	"updated":     "Okay, the hook was successfully updated.",
	"deleted":     "Okay, that hook was successfully deleted.",
	"pinged":      "Okay, we sent a ping payload to the hook.",
	"redelivered": "Okay, the delivery was queued again. Its new attempt shows up here once it was sent.",
	"ping-failed": "The hook was created, but its ping could not be queued. Ping it again below.",
}

// notice returns the notice a redirect asked for, or "".
func notice(r *http.Request) string { return notices[r.URL.Query().Get("done")] }
