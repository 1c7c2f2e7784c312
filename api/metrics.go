package api

import (
	"net/http"

	"github.com/forgehook/forgehook/hooks"
)

// metrics serves the Metrics handler to admin tokens (tokens limited to no
// repository); other tokens get 404, as for anything hidden from them.
func (s *Server) metrics(w http.ResponseWriter, r *http.Request) error {
	if !hooks.PrincipalFromContext(r.Context()).IsAdmin() {
		return hooks.Errorf(hooks.ENOTFOUND, "Not Found")
	}
	s.Metrics.ServeHTTP(w, r)
	return nil
}
