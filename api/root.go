package api

import (
	"net/http"

	"github.com/forgehook/forgehook/internal/ghttp"
)

// rootJSON is the part of GitHub's root links (GET / on api.github.com,
// GET /api/v3/ on GitHub Enterprise) that forgehook serves.
type rootJSON struct {
	CurrentUserURL  string `json:"current_user_url"`
	HubURL          string `json:"hub_url"`
	OrganizationURL string `json:"organization_url"`
	RepositoryURL   string `json:"repository_url"`
	UserURL         string `json:"user_url"`
}

// getRoot serves GET / and GET /api/v3/: gh auth status asks it with the
// token and wants a 200 (and reads X-OAuth-Scopes, see authenticate).
func (s *Server) getRoot(w http.ResponseWriter, r *http.Request) error {
	api := s.urls(r).API
	ghttp.JSON(w, http.StatusOK, rootJSON{
		CurrentUserURL:  api + "/user",
		HubURL:          api + "/hub",
		OrganizationURL: api + "/orgs/{org}",
		RepositoryURL:   api + "/repos/{owner}/{repo}",
		UserURL:         api + "/users/{user}",
	})
	return nil
}
