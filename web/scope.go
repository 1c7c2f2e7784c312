package web

import (
	"net/http"
	"strconv"

	"github.com/forgehook/forgehook/hooks"
)

// notFound is the one answer for a repository, hook or delivery that does
// not exist and for one the caller may not see, so that hidden ones stay
// hidden.
func notFound() error { return hooks.Errorf(hooks.ENOTFOUND, "Not Found") }

// inRepo resolves {owner}/{repo} to a repository the caller may administer,
// checked against its names on disk as the REST API checks them.
func (s *Server) inRepo(h handler) handler {
	return func(w http.ResponseWriter, r *http.Request, c *call) error {
		owner, name := r.PathValue("owner"), r.PathValue("repo")
		if !hooks.ValidName(owner) || !hooks.ValidName(name) {
			return notFound()
		}
		g, err := s.Repos.FindRepo(r.Context(), owner, name)
		if err != nil {
			return err
		}
		if !c.Principal.CanAdminRepo(g.Owner, g.Name) {
			return notFound()
		}
		c.Repo = g
		return h(w, r, c)
	}
}

// inHook resolves {id} to a hook of the repository {owner}/{repo}.
func (s *Server) inHook(h handler) handler {
	return s.inRepo(func(w http.ResponseWriter, r *http.Request, c *call) error {
		id, err := strconv.ParseInt(r.PathValue("id"), 10, 64)
		if err != nil {
			return notFound()
		}
		hk, err := s.Hooks.FindHookByID(r.Context(), id)
		if err != nil {
			return err
		}
		if hk.Owner != c.Repo.Owner || hk.Repo != c.Repo.Name {
			return notFound()
		}
		c.Hook = hk
		return h(w, r, c)
	})
}
