package api

import (
	"context"
	"net/http"

	"github.com/gorilla/mux"

	"github.com/forgehook/forgehook/hooks"
	"github.com/forgehook/forgehook/internal/ghttp"
)

// profileJSON is what GitHub's full user and organization objects add to
// the short ones: nothing forgehook knows, so nulls, zeros and two times.
type profileJSON struct {
	Name            *string `json:"name"`
	Company         *string `json:"company"`
	Blog            string  `json:"blog"`
	Location        *string `json:"location"`
	Email           *string `json:"email"`
	TwitterUsername *string `json:"twitter_username"`
	PublicRepos     int     `json:"public_repos"` // every repository is shown as private
	PublicGists     int     `json:"public_gists"`
	Followers       int     `json:"followers"`
	Following       int     `json:"following"`
	CreatedAt       string  `json:"created_at"`
	UpdatedAt       string  `json:"updated_at"`
}

func newProfileJSON(a *hooks.Account) profileJSON {
	t := a.CreatedAt.UTC().Format("2006-01-02T15:04:05Z")
	return profileJSON{CreatedAt: t, UpdatedAt: t}
}

// userFullJSON is GitHub's public user, as GET /users/{user} and GET /user
// return it.
type userFullJSON struct {
	hooks.UserJSON
	profileJSON
	Hireable *bool   `json:"hireable"`
	Bio      *string `json:"bio"`
}

// orgFullJSON is GitHub's organization, as GET /orgs/{org} returns it.
type orgFullJSON struct {
	hooks.OrgJSON
	profileJSON
	IsVerified              bool    `json:"is_verified"`
	HasOrganizationProjects bool    `json:"has_organization_projects"`
	HasRepositoryProjects   bool    `json:"has_repository_projects"`
	HTMLURL                 string  `json:"html_url"`
	ArchivedAt              *string `json:"archived_at"`
	Type                    string  `json:"type"`
}

type accountKey struct{}

// ownerScope resolves {owner} to the account of an owner directory under
// the repos root, spelled as on disk, that the caller may see: the owner of
// a repository it may administer. Others are 404, like unknown owners. With
// self, the caller's own login resolves too, owner or not.
func (s *Server) ownerScope(self bool, h handler) handler {
	return func(w http.ResponseWriter, r *http.Request) error {
		login := mux.Vars(r)["owner"]
		p := hooks.PrincipalFromContext(r.Context())
		owner, err := s.Repos.FindOwner(r.Context(), login)
		switch {
		case err == nil && p.CanSeeOwner(owner):
		case self && login == p.Login:
			owner = login
		case err != nil && hooks.ErrorCode(err) != hooks.ENOTFOUND:
			return err
		default:
			return hooks.Errorf(hooks.ENOTFOUND, "Not Found")
		}
		a, err := s.Accounts.EnsureAccount(r.Context(), owner)
		if err != nil {
			return err
		}
		return h(w, r.WithContext(context.WithValue(r.Context(), accountKey{}, a)))
	}
}

func accountFrom(ctx context.Context) *hooks.Account { return ctx.Value(accountKey{}).(*hooks.Account) }

// getOrg serves GET /orgs/{org} for every owner, organization hooks or not:
// PyGithub fetches the organization before it creates the first one.
func (s *Server) getOrg(w http.ResponseWriter, r *http.Request) error {
	a := *accountFrom(r.Context())
	a.Org = true
	u := s.urls(r)
	ghttp.JSON(w, http.StatusOK, orgFullJSON{
		OrgJSON: *hooks.NewOrgJSON(u, a), profileJSON: newProfileJSON(&a),
		HTMLURL: u.Public + "/" + a.Login, Type: "Organization",
	})
	return nil
}

// getUser serves GET /users/{user}: an owner, of type Organization once it
// owns organization hooks as in payloads, or the caller itself.
func (s *Server) getUser(w http.ResponseWriter, r *http.Request) error {
	a := accountFrom(r.Context())
	ghttp.JSON(w, http.StatusOK, userFullJSON{UserJSON: hooks.NewUserJSON(s.urls(r), *a), profileJSON: newProfileJSON(a)})
	return nil
}

// getCurrentUser serves GET /user: the token's user, always of type User.
func (s *Server) getCurrentUser(w http.ResponseWriter, r *http.Request) error {
	a, err := s.Accounts.EnsureAccount(r.Context(), hooks.PrincipalFromContext(r.Context()).Login)
	if err != nil {
		return err
	}
	user := *a
	user.Org = false
	ghttp.JSON(w, http.StatusOK, userFullJSON{UserJSON: hooks.NewUserJSON(s.urls(r), user), profileJSON: newProfileJSON(a)})
	return nil
}
