package api

import (
	"net/http"

	"github.com/forgehook/forgehook/hooks"
	"github.com/forgehook/forgehook/internal/ghttp"
)

// getRepo serves GET /repos/{owner}/{repo}: clients such as PyGithub fetch
// the repository before they touch its hooks.
func (s *Server) getRepo(w http.ResponseWriter, r *http.Request) error {
	j := hooks.NewRepoJSON(s.urls(r), scopeFrom(r.Context()).Repo)
	j.Permissions = &hooks.RepoPermissions{Admin: true, Maintain: true, Push: true, Triage: true, Pull: true}
	ghttp.JSON(w, http.StatusOK, j)
	return nil
}
