// Package api serves GitHub's repository and organization webhooks REST API
// over the hooks domain, at / and again under /api/v3/.
package api

import (
	"context"
	"log/slog"
	"net/http"
	"slices"
	"strings"

	"github.com/gorilla/mux"

	"github.com/forgehook/forgehook/hooks"
	"github.com/forgehook/forgehook/internal/ghttp"
)

// Server is the REST API. Its fields are its dependencies; set them, then
// serve Handler().
type Server struct {
	Hooks      hooks.HookService
	Deliveries hooks.DeliveryService
	Queue      hooks.DeliveryQueue // pings and test pushes are queued here
	Accounts   hooks.AccountService
	Repos      hooks.GitRepos
	Tokens     hooks.Tokens
	Hub        http.Handler    // the PubSubHubbub hub, served at /hub behind authentication
	PublicURL  string          // the base of every URL in responses, e.g. http://git.example.com:8080
	Clone      hooks.CloneURLs // templates of repositories' clone URLs; empty ones derive from PublicURL
	OnEnqueue  func()          // called after events were queued: wakes the dispatcher
	Health     []HealthCheck   // what /healthz checks; none: always healthy
	Logger     *slog.Logger

	// Metrics, if set, is served at /metrics (not under /api/v3) to admin
	// tokens only.
	Metrics http.Handler
	// UI, if set, is served at /ui/ (not under /api/v3): the web pages, which
	// authenticate on their own (a session cookie, not a token header).
	UI http.Handler

	admin *hooks.Admin // the actions the admin CLI shares, over the fields above
}

// APIPrefix is the GitHub Enterprise style prefix the API is also served under.
const APIPrefix = "/api/v3"

// MaxBodySize bounds request bodies.
const MaxBodySize = 1 << 20

// Handler returns the HTTP handler of the API.
func (s *Server) Handler() http.Handler {
	if s.Logger == nil {
		s.Logger = slog.New(slog.DiscardHandler)
	}
	if s.OnEnqueue == nil {
		s.OnEnqueue = func() {}
	}
	s.admin = &hooks.Admin{Hooks: s.Hooks, Deliveries: s.Deliveries, Queue: s.Queue, Accounts: s.Accounts,
		Repos: s.Repos, URLs: s.urlsFor(""), OnEnqueue: s.OnEnqueue}
	r := mux.NewRouter()
	r.HandleFunc("/healthz", s.healthz)
	if s.UI != nil {
		r.PathPrefix("/ui/").Handler(s.UI)
		r.Handle("/ui", http.RedirectHandler("/ui/", http.StatusMovedPermanently))
	}
	if s.Metrics != nil {
		s.route(r, "/metrics", map[string]handler{"GET": s.metrics})
	}
	s.route(r, APIPrefix, map[string]handler{"GET": s.getRoot})
	s.register(r.PathPrefix(APIPrefix).Subrouter())
	s.register(r)
	r.NotFoundHandler = http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		s.error(w, r, hooks.Errorf(hooks.ENOTFOUND, "Not Found"))
	})
	return ghttp.Conventions(http.HandlerFunc(func(w http.ResponseWriter, req *http.Request) {
		if underAPIPrefix(req.URL.Path) {
			w.Header().Set("X-GitHub-Enterprise-Version", ghttp.EnterpriseVersion)
		}
		r.ServeHTTP(w, req)
	}))
}

// underAPIPrefix reports whether path is under APIPrefix, where the API
// answers as GitHub Enterprise does.
func underAPIPrefix(path string) bool {
	return path == APIPrefix || strings.HasPrefix(path, APIPrefix+"/")
}

// register adds every route to r, which is the root or the /api/v3 subrouter.
func (s *Server) register(r *mux.Router) {
	repo := "/repos/{owner}/{repo}"
	hook := repo + "/hooks/{id:[0-9]+}"
	org := "/orgs/{owner}"
	orgHook := org + "/hooks/{id:[0-9]+}"
	s.route(r, "/", map[string]handler{"GET": s.getRoot})
	s.route(r, "/user", map[string]handler{"GET": s.getCurrentUser})
	s.route(r, "/users/{owner}", map[string]handler{"GET": s.ownerScope(true, s.getUser)})
	s.route(r, org, map[string]handler{"GET": s.ownerScope(false, s.getOrg)})
	s.route(r, repo, map[string]handler{"GET": s.repoScope(s.getRepo)})
	for _, base := range []struct {
		coll, item string
		scope      func(handler) handler
	}{{repo + "/hooks", hook, s.repoScope}, {org + "/hooks", orgHook, s.orgScope}} {
		sc := base.scope
		s.route(r, base.coll, map[string]handler{"GET": sc(s.listHooks), "POST": sc(s.createHook)})
		s.route(r, base.item, map[string]handler{"GET": sc(s.getHook), "PATCH": sc(s.editHook), "DELETE": sc(s.deleteHook)})
		s.route(r, base.item+"/config", map[string]handler{"GET": sc(s.getHookConfig), "PATCH": sc(s.editHookConfig)})
		s.route(r, base.item+"/pings", map[string]handler{"POST": sc(s.pingHook)})
		s.route(r, base.item+"/preview", map[string]handler{"POST": sc(s.previewHook)})
		s.route(r, base.item+"/deliveries", map[string]handler{"GET": sc(s.listDeliveries)})
		s.route(r, base.item+"/deliveries/{delivery:[0-9]+}", map[string]handler{"GET": sc(s.getDelivery)})
		s.route(r, base.item+"/deliveries/{delivery:[0-9]+}/attempts", map[string]handler{"POST": sc(s.redeliver)})
	}
	// GitHub Enterprise Server's global webhooks: instance-wide hooks.
	global, globalHook := "/admin/hooks", "/admin/hooks/{id:[0-9]+}"
	s.route(r, global, map[string]handler{"GET": s.globalScope(s.listHooks), "POST": s.globalScope(s.createHook)})
	s.route(r, globalHook, map[string]handler{"GET": s.globalScope(s.getHook), "PATCH": s.globalScope(s.editHook),
		"DELETE": s.globalScope(s.deleteHook)})
	s.route(r, globalHook+"/pings", map[string]handler{"POST": s.globalScope(s.pingHook)})
	s.route(r, hook+"/tests", map[string]handler{"POST": s.repoScope(s.testHook)})
	s.route(r, hook+"/test", map[string]handler{"POST": s.repoScope(s.testHook)})
	if s.Hub != nil {
		r.Handle("/hub", s.authenticate(func(w http.ResponseWriter, r *http.Request) error {
			s.Hub.ServeHTTP(w, r)
			return nil
		}))
	}
}

// handler is an HTTP handler that returns its error for s.error to render.
type handler func(w http.ResponseWriter, r *http.Request) error

// route serves path with one handler per method, and 405 with Allow otherwise.
func (s *Server) route(r *mux.Router, path string, methods map[string]handler) {
	var allow []string
	for m, h := range methods {
		r.Handle(path, s.authenticate(h)).Methods(m)
		allow = append(allow, m)
	}
	slices.Sort(allow)
	r.HandleFunc(path, func(w http.ResponseWriter, _ *http.Request) {
		w.Header().Set("Allow", strings.Join(allow, ", "))
		ghttp.JSON(w, http.StatusMethodNotAllowed, ghttp.ErrorBody{
			Message: "Method Not Allowed", DocumentationURL: ghttp.DocsURL, Status: "405"})
	})
}

// authenticate runs h for callers with a valid token, and turns h's error
// into GitHub's error body.
func (s *Server) authenticate(h handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		token, ok := ghttp.Credentials(r)
		if !ok {
			s.error(w, r, hooks.Errorf(hooks.EUNAUTHORIZED, "Requires authentication"))
			return
		}
		p, err := s.Tokens.Authenticate(r.Context(), token)
		if err != nil {
			s.error(w, r, err)
			return
		}
		// What GitHub sends for fine-grained and app tokens, which forgehook's
		// per-repository tokens resemble: gh then checks no classic scopes.
		w.Header()["X-Oauth-Scopes"] = []string{""}
		r.Body = http.MaxBytesReader(w, r.Body, MaxBodySize)
		r = r.WithContext(hooks.NewContextWithPrincipal(r.Context(), p))
		if err := h(w, r); err != nil {
			s.error(w, r, err)
		}
	})
}

func (s *Server) error(w http.ResponseWriter, r *http.Request, err error) {
	ghttp.Error(w, r, s.Logger, err)
}

// urls returns the URL builder for the prefix r came in on.
func (s *Server) urls(r *http.Request) hooks.URLs {
	prefix := ""
	if underAPIPrefix(r.URL.Path) {
		prefix = APIPrefix
	}
	return s.urlsFor(prefix)
}

// urlsFor returns the URL builder for an API prefix, "" or APIPrefix.
func (s *Server) urlsFor(prefix string) hooks.URLs {
	u := hooks.NewURLs(s.PublicURL, prefix)
	u.Clone = s.Clone
	return u
}

type scopeKey struct{}

// scope is what the owner/repo part of a URL resolved to.
type scope struct {
	Owner  string
	Repo   *hooks.Repository // nil for organization and global routes
	Global bool              // the global hooks of /admin/hooks
}

func scopeFrom(ctx context.Context) scope { return ctx.Value(scopeKey{}).(scope) }

// repoScope resolves {owner}/{repo} to a repository the caller may administer.
// The scope is checked against the names the repository has on disk, not as
// the URL spells them; an unknown repository and a forbidden one are the
// same 404, so that hidden repositories stay hidden.
func (s *Server) repoScope(h handler) handler {
	return func(w http.ResponseWriter, r *http.Request) error {
		v := mux.Vars(r)
		if !hooks.ValidName(v["owner"]) || !hooks.ValidName(v["repo"]) {
			return hooks.Errorf(hooks.ENOTFOUND, "Not Found")
		}
		g, err := s.Repos.FindRepo(r.Context(), v["owner"], v["repo"])
		if err != nil {
			return err
		}
		if !hooks.PrincipalFromContext(r.Context()).CanAdminRepo(g.Owner, g.Name) {
			return hooks.Errorf(hooks.ENOTFOUND, "Not Found")
		}
		repo, err := hooks.LoadRepository(r.Context(), s.Accounts, g, hooks.LatestPush(r.Context(), s.Deliveries, g))
		if err != nil {
			return err
		}
		return h(w, r.WithContext(context.WithValue(r.Context(), scopeKey{}, scope{Owner: g.Owner, Repo: repo})))
	}
}

// globalScope serves the global hooks to admin tokens (limited to no
// repository) only; others get 404, as GitHub Enterprise Server answers
// users who are not site administrators.
func (s *Server) globalScope(h handler) handler {
	return func(w http.ResponseWriter, r *http.Request) error {
		if !hooks.PrincipalFromContext(r.Context()).IsAdmin() {
			return hooks.Errorf(hooks.ENOTFOUND, "Not Found")
		}
		return h(w, r.WithContext(context.WithValue(r.Context(), scopeKey{}, scope{Global: true})))
	}
}

// orgScope resolves {owner} for organization hooks: an owner directory under
// the repos root that the caller may administer as a whole, checked as
// spelled on disk like repoScope.
func (s *Server) orgScope(h handler) handler {
	return func(w http.ResponseWriter, r *http.Request) error {
		owner := mux.Vars(r)["owner"]
		if !hooks.ValidName(owner) {
			return hooks.Errorf(hooks.ENOTFOUND, "Not Found")
		}
		owner, err := s.Repos.FindOwner(r.Context(), owner)
		if err != nil {
			return err
		}
		if !hooks.PrincipalFromContext(r.Context()).CanAdminOwner(owner) {
			return hooks.Errorf(hooks.ENOTFOUND, "Not Found")
		}
		return h(w, r.WithContext(context.WithValue(r.Context(), scopeKey{}, scope{Owner: owner})))
	}
}
