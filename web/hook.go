package web

import (
	"errors"
	"net/http"
	"strconv"

	"github.com/forgehook/forgehook/hooks"
	"github.com/forgehook/forgehook/internal/ghttp"
)

// hookFormData is the page that adds a hook.
type hookFormData struct {
	Repo *hooks.GitRepo
	Form hookForm
}

func (s *Server) newHookForm(w http.ResponseWriter, r *http.Request, c *call) error {
	h := hooks.NewHook(c.Repo.Owner, c.Repo.Name)
	h.Events = []string{hooks.EventPush}
	s.renderNewHook(w, r, c, http.StatusOK, newHookForm(h, repoPath(c.Repo.Owner, c.Repo.Name)+"/hooks", "Add webhook"))
	return nil
}

func (s *Server) renderNewHook(w http.ResponseWriter, r *http.Request, c *call, status int, f hookForm) {
	f.CSRF = c.session.csrf
	s.render(w, r, status, "hookform", c, &view{Title: "Add webhook · " + c.Repo.Owner + "/" + c.Repo.Name,
		Crumbs: s.repoCrumbs(c), Data: hookFormData{Repo: c.Repo, Form: f}})
}

// createHook creates a hook and pings it, as the API does: hooks.Admin.
func (s *Server) createHook(w http.ResponseWriter, r *http.Request, c *call) error {
	h := hooks.NewHook(c.Repo.Owner, c.Repo.Name)
	readHookForm(r, h)
	posted := *h
	_, err := s.Admin.CreateHook(r.Context(), h, c.Principal.Login)
	var pingErr *hooks.PingError
	switch {
	case errors.As(err, &pingErr):
		s.Logger.Error("queue ping for new hook", "hook", h.ID, "request_id", ghttp.RequestID(r.Context()), "err", pingErr.Err)
		http.Redirect(w, r, hookPath(h)+"?done=ping-failed", http.StatusSeeOther)
		return nil
	case err != nil:
		f, ok := refill(r, &posted, repoPath(c.Repo.Owner, c.Repo.Name)+"/hooks", "Add webhook", err)
		if !ok {
			return err
		}
		s.renderNewHook(w, r, c, http.StatusUnprocessableEntity, f)
		return nil
	}
	http.Redirect(w, r, hookPath(h)+"?done=created", http.StatusSeeOther)
	return nil
}

// Outcomes the recent deliveries can be filtered by.
const (
	outcomeAll     = ""
	outcomeSuccess = "success"
	outcomeFailure = "failure"
)

// deliveriesPerPage is how many attempts the hook page lists at once.
const deliveriesPerPage = 25

// scanBatches bounds how many batches of attempts a filtered list reads
// looking for a page of matches.
const scanBatches = 10

// filterLink is one choice of the outcome filter.
type filterLink struct {
	Name, Href string
	Current    bool
}

// hookData is a hook's page: its settings, its health and its deliveries.
type hookData struct {
	Hook       *hooks.Hook
	Status     hookRow
	Form       hookForm
	Chart      chart
	Deliveries []*hooks.Delivery
	Filters    []filterLink
	Outcome    string
	Older      string // the link to older attempts, or ""
}

func (s *Server) hookPage(w http.ResponseWriter, r *http.Request, c *call) error {
	return s.renderHook(w, r, c, http.StatusOK, newHookForm(c.Hook, hookPath(c.Hook), "Update webhook"))
}

func (s *Server) renderHook(w http.ResponseWriter, r *http.Request, c *call, status int, f hookForm) error {
	f.CSRF = c.session.csrf
	q := r.URL.Query()
	outcome := q.Get("outcome")
	if outcome != outcomeSuccess && outcome != outcomeFailure {
		outcome = outcomeAll
	}
	before, _ := strconv.ParseInt(q.Get("before"), 10, 64)
	list, older, err := s.recentDeliveries(r, c.Hook.ID, outcome, max(before, 0))
	if err != nil {
		return err
	}
	ch, err := s.healthChart(r, c.Hook)
	if err != nil {
		return err
	}
	base := hookPath(c.Hook)
	d := hookData{Hook: c.Hook, Status: newHookRows([]*hooks.Hook{c.Hook})[0], Form: f, Chart: ch,
		Deliveries: list, Outcome: outcome}
	for _, o := range []struct{ name, value string }{{"All", outcomeAll}, {"Succeeded", outcomeSuccess}, {"Failed", outcomeFailure}} {
		href := base + "#deliveries"
		if o.value != "" {
			href = base + "?outcome=" + o.value + "#deliveries"
		}
		d.Filters = append(d.Filters, filterLink{Name: o.name, Href: href, Current: o.value == outcome})
	}
	if older != 0 {
		d.Older = base + "?outcome=" + outcome + "&before=" + strconv.FormatInt(older, 10) + "#deliveries"
	}
	s.render(w, r, status, "hook", c, &view{Title: "Webhook " + c.Hook.Config.URL,
		Crumbs: s.repoCrumbs(c), Notice: notice(r), Data: d})
	return nil
}

// recentDeliveries returns a page of hook's attempts with ids below before
// (0: the newest) that have outcome, newest first, and the id to list
// older ones from (0 if there are none). A filtered list reads at most
// scanBatches batches of attempts to fill its page.
func (s *Server) recentDeliveries(r *http.Request, hookID int64, outcome string, before int64) ([]*hooks.Delivery, int64, error) {
	var out []*hooks.Delivery
	for range scanBatches {
		batch, err := s.Deliveries.FindDeliveries(r.Context(), hookID, before, 4*deliveriesPerPage)
		if err != nil {
			return nil, 0, err
		}
		for _, d := range batch {
			if outcome == outcomeAll || (outcome == outcomeSuccess) == d.OK() {
				if len(out) == deliveriesPerPage {
					return out, out[len(out)-1].ID, nil
				}
				out = append(out, d)
			}
		}
		if len(batch) < 4*deliveriesPerPage {
			return out, 0, nil
		}
		before = batch[len(batch)-1].ID
	}
	return out, before, nil // not all read: older ones may match
}

// updateHook saves the settings form.
func (s *Server) updateHook(w http.ResponseWriter, r *http.Request, c *call) error {
	posted := *c.Hook
	readHookForm(r, &posted)
	cfg, events, active := posted.Config, posted.Events, posted.Active
	_, err := s.Hooks.UpdateHook(r.Context(), c.Hook.ID, hooks.HookUpdate{Config: &cfg, Events: &events, Active: &active})
	if err != nil {
		f, ok := refill(r, &posted, hookPath(c.Hook), "Update webhook", err)
		if !ok {
			return err
		}
		return s.renderHook(w, r, c, http.StatusUnprocessableEntity, f)
	}
	http.Redirect(w, r, hookPath(c.Hook)+"?done=updated", http.StatusSeeOther)
	return nil
}

// pingHook sends the hook a ping, as the API's pings do.
func (s *Server) pingHook(w http.ResponseWriter, r *http.Request, c *call) error {
	if _, err := s.Admin.Ping(r.Context(), c.Hook, c.Principal.Login); err != nil {
		return err
	}
	http.Redirect(w, r, hookPath(c.Hook)+"?done=pinged#deliveries", http.StatusSeeOther)
	return nil
}

func (s *Server) deleteHookForm(w http.ResponseWriter, r *http.Request, c *call) error {
	s.render(w, r, http.StatusOK, "delete", c, &view{Title: "Delete webhook",
		Crumbs: append(s.repoCrumbs(c), crumb{"Webhook", hookPath(c.Hook)}), Data: c.Hook})
	return nil
}

func (s *Server) deleteHook(w http.ResponseWriter, r *http.Request, c *call) error {
	if err := s.Hooks.DeleteHook(r.Context(), c.Hook.ID); err != nil {
		return err
	}
	http.Redirect(w, r, repoPath(c.Repo.Owner, c.Repo.Name)+"?done=deleted", http.StatusSeeOther)
	return nil
}

// repoCrumbs returns the trail to the request's repository.
func (s *Server) repoCrumbs(c *call) []crumb {
	return []crumb{{"Repositories", Prefix}, {c.Repo.Owner + "/" + c.Repo.Name, repoPath(c.Repo.Owner, c.Repo.Name)}}
}
