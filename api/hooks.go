package api

import (
	"context"
	"errors"
	"net/http"
	"strconv"

	"github.com/gorilla/mux"

	"github.com/forgehook/forgehook/hooks"
	"github.com/forgehook/forgehook/internal/ghttp"
)

// hookFilter returns the filter for the hooks of the request's scope.
func hookFilter(sc scope) hooks.HookFilter {
	if sc.Global {
		return hooks.HookFilter{Global: true}
	}
	if sc.Repo == nil {
		return hooks.HookFilter{Owner: sc.Owner, Org: true}
	}
	return hooks.HookFilter{Owner: sc.Repo.Owner.Login, Repo: sc.Repo.Name}
}

// findHook returns the hook {id} of the request's scope, or ENOTFOUND.
func (s *Server) findHook(r *http.Request) (*hooks.Hook, error) {
	id, err := strconv.ParseInt(mux.Vars(r)["id"], 10, 64)
	if err != nil {
		return nil, hooks.Errorf(hooks.ENOTFOUND, "Not Found")
	}
	h, err := s.Hooks.FindHookByID(r.Context(), id)
	if err != nil {
		return nil, err
	}
	sc := scopeFrom(r.Context())
	want := hookFilter(sc)
	if h.Owner != want.Owner || h.Repo != want.Repo {
		return nil, hooks.Errorf(hooks.ENOTFOUND, "Not Found")
	}
	return h, nil
}

func (s *Server) listHooks(w http.ResponseWriter, r *http.Request) error {
	page, perPage, err := pageParams(r)
	if err != nil {
		return err
	}
	f := hookFilter(scopeFrom(r.Context()))
	f.Offset, f.Limit = (page-1)*perPage, perPage
	list, total, err := s.Hooks.FindHooks(r.Context(), f)
	if err != nil {
		return err
	}
	u := s.urls(r)
	out := make([]*hooks.HookJSON, 0, len(list))
	for _, h := range list {
		out = append(out, hooks.NewHookJSON(u, h))
	}
	setPageLinks(w, r, u.Public, page, perPage, total)
	ghttp.JSON(w, http.StatusOK, out)
	return nil
}

func (s *Server) createHook(w http.ResponseWriter, r *http.Request) error {
	o, err := readObject(r)
	if err != nil {
		return err
	}
	sc := scopeFrom(r.Context())
	f := hookFilter(sc)
	h := hooks.NewHook(f.Owner, f.Repo)
	if name, err := o.str("name"); err != nil {
		return err
	} else if name != "" {
		h.Name = name
	}
	if h.Events, err = o.strings("events"); err != nil {
		return err
	}
	if active, err := o.boolean("active"); err != nil {
		return err
	} else if active != nil {
		h.Active = *active
	}
	cfg, err := o.object("config")
	if err != nil {
		return err
	}
	patch, err := cfg.config()
	if err != nil {
		return err
	}
	patch.Apply(&h.Config)
	var pingErr *hooks.PingError
	if _, err := s.admin.CreateHook(r.Context(), h, hooks.PrincipalFromContext(r.Context()).Login); errors.As(err, &pingErr) {
		s.Logger.Error("queue ping for new hook", "hook", h.ID, "request_id", ghttp.RequestID(r.Context()), "err", pingErr.Err)
	} else if err != nil {
		return err
	}
	u := s.urls(r)
	w.Header().Set("Location", u.Hook(h))
	ghttp.JSON(w, http.StatusCreated, hooks.NewHookJSON(u, h))
	return nil
}

func (s *Server) getHook(w http.ResponseWriter, r *http.Request) error {
	h, err := s.findHook(r)
	if err != nil {
		return err
	}
	ghttp.JSON(w, http.StatusOK, hooks.NewHookJSON(s.urls(r), h))
	return nil
}

func (s *Server) editHook(w http.ResponseWriter, r *http.Request) error {
	h, err := s.findHook(r)
	if err != nil {
		return err
	}
	o, err := readObject(r)
	if err != nil {
		return err
	}
	var upd hooks.HookUpdate
	if upd.Active, err = o.boolean("active"); err != nil {
		return err
	}
	if o.has("events") {
		events, err := o.strings("events")
		if err != nil {
			return err
		}
		upd.Events = &events
	}
	if scopeFrom(r.Context()).Repo != nil { // organization hooks have no add/remove_events
		if upd.AddEvents, err = o.strings("add_events"); err != nil {
			return err
		}
		if upd.RemoveEvents, err = o.strings("remove_events"); err != nil {
			return err
		}
	}
	if o.has("config") {
		cfg, err := o.object("config")
		if err != nil {
			return err
		}
		patch, err := cfg.config()
		if err != nil {
			return err
		}
		c := patch.Replace(h.Config) // config replaces the whole config; UpdateHook keeps a masked secret
		upd.Config = &c
	}
	h, err = s.Hooks.UpdateHook(r.Context(), h.ID, upd)
	if err != nil {
		return err
	}
	ghttp.JSON(w, http.StatusOK, hooks.NewHookJSON(s.urls(r), h))
	return nil
}

func (s *Server) deleteHook(w http.ResponseWriter, r *http.Request) error {
	h, err := s.findHook(r)
	if err != nil {
		return err
	}
	if err := s.admin.DeleteHook(r.Context(), h, hooks.PrincipalFromContext(r.Context()).Login); err != nil {
		return err
	}
	w.WriteHeader(http.StatusNoContent)
	return nil
}

func (s *Server) getHookConfig(w http.ResponseWriter, r *http.Request) error {
	h, err := s.findHook(r)
	if err != nil {
		return err
	}
	ghttp.JSON(w, http.StatusOK, hooks.NewHookConfigJSON(h.Config))
	return nil
}

// editHookConfig changes only the config keys the request sets.
func (s *Server) editHookConfig(w http.ResponseWriter, r *http.Request) error {
	h, err := s.findHook(r)
	if err != nil {
		return err
	}
	o, err := readObject(r)
	if err != nil {
		return err
	}
	patch, err := o.config()
	if err != nil {
		return err
	}
	c := h.Config
	patch.Apply(&c)
	h, err = s.Hooks.UpdateHook(r.Context(), h.ID, hooks.HookUpdate{Config: &c})
	if err != nil {
		return err
	}
	ghttp.JSON(w, http.StatusOK, hooks.NewHookConfigJSON(h.Config))
	return nil
}

func (s *Server) pingHook(w http.ResponseWriter, r *http.Request) error {
	h, err := s.findHook(r)
	if err != nil {
		return err
	}
	if err := s.Ping(r.Context(), h); err != nil {
		return err
	}
	w.WriteHeader(http.StatusNoContent)
	return nil
}

// Ping queues a ping event to hook h, sent by the request's principal.
func (s *Server) Ping(ctx context.Context, h *hooks.Hook) error {
	_, err := s.admin.Ping(ctx, h, hooks.PrincipalFromContext(ctx).Login)
	return err
}

// testHook sends the repository's latest push to h again, as a new event,
// if h is subscribed to push.
func (s *Server) testHook(w http.ResponseWriter, r *http.Request) error {
	h, err := s.findHook(r)
	if err != nil {
		return err
	}
	if _, err := s.admin.TestPush(r.Context(), h); err != nil {
		return err
	}
	w.WriteHeader(http.StatusNoContent)
	return nil
}

// previewHook renders the request a delivery to the hook would make, for
// the latest push (of ?repo= for an organization hook) or else a ping,
// without sending it.
func (s *Server) previewHook(w http.ResponseWriter, r *http.Request) error {
	h, err := s.findHook(r)
	if err != nil {
		return err
	}
	e, req, err := s.admin.Preview(r.Context(), h, r.URL.Query().Get("repo"), hooks.PrincipalFromContext(r.Context()).Login)
	if err != nil {
		return err
	}
	ghttp.JSON(w, http.StatusOK, hooks.NewPreviewJSON(e, req))
	return nil
}
