// Package web serves the pages people use to look after their hooks:
// server-rendered HTML under /ui/, behind a sign-in with an API token, over
// the same domain actions as the REST API and the admin CLI.
package web

import (
	"log/slog"
	"net/http"
	"time"

	"github.com/forgehook/forgehook/hooks"
)

// Prefix is where the pages are served.
const Prefix = "/ui/"

// DefaultSessionTTL is how long a sign-in lasts unless Server.SessionTTL says otherwise.
const DefaultSessionTTL = 12 * time.Hour

// maxFormSize bounds the body of a form post.
const maxFormSize = 64 << 10

// Server is the web pages. Its fields are its dependencies; set them, then
// serve Handler() at Prefix.
type Server struct {
	Hooks      hooks.HookService
	Deliveries hooks.DeliveryService
	Admin      *hooks.Admin // create with ping, ping, redeliver: what the API and CLI do
	Tokens     hooks.Tokens
	Repos      hooks.GitRepos
	List       hooks.RepoLister
	Stats      hooks.StatsReader // the queue figures admins see; nil for none
	Logger     *slog.Logger
	Now        func() time.Time
	// SessionTTL is how long a sign-in lasts; DefaultSessionTTL if zero.
	SessionTTL time.Duration
	// Secure marks cookies Secure even on plain-HTTP requests: set it when
	// the public URL is https behind a proxy that ends TLS. Requests that
	// came over TLS always get Secure cookies.
	Secure bool

	sessions *sessions
	pages    *pages
}

// Handler returns the handler of every page under Prefix.
func (s *Server) Handler() http.Handler {
	if s.Logger == nil {
		s.Logger = slog.New(slog.DiscardHandler)
	}
	if s.Now == nil {
		s.Now = time.Now
	}
	if s.SessionTTL <= 0 {
		s.SessionTTL = DefaultSessionTTL
	}
	s.sessions = newSessions(maxSessions)
	s.pages = mustParsePages(s.Now)
	mux := http.NewServeMux()
	mux.HandleFunc("GET /ui/static/style.css", serveStyle)
	mux.HandleFunc("GET /ui/signin", s.signInForm)
	mux.HandleFunc("POST /ui/signin", s.signIn)
	mux.Handle("POST /ui/signout", s.signedIn(s.signOut))
	mux.Handle("GET /ui/{$}", s.signedIn(s.index))
	repo := "/ui/repos/{owner}/{repo}"
	hook := repo + "/hooks/{id}"
	delivery := hook + "/deliveries/{delivery}"
	mux.Handle("GET "+repo, s.signedIn(s.inRepo(s.repoPage)))
	mux.Handle("GET "+repo+"/hooks/new", s.signedIn(s.inRepo(s.newHookForm)))
	mux.Handle("POST "+repo+"/hooks", s.signedIn(s.inRepo(s.createHook)))
	mux.Handle("GET "+hook, s.signedIn(s.inHook(s.hookPage)))
	mux.Handle("POST "+hook, s.signedIn(s.inHook(s.updateHook)))
	mux.Handle("POST "+hook+"/pings", s.signedIn(s.inHook(s.pingHook)))
	mux.Handle("GET "+hook+"/delete", s.signedIn(s.inHook(s.deleteHookForm)))
	mux.Handle("POST "+hook+"/delete", s.signedIn(s.inHook(s.deleteHook)))
	mux.Handle("GET "+delivery, s.signedIn(s.inHook(s.deliveryPage)))
	mux.Handle("POST "+delivery+"/attempts", s.signedIn(s.inHook(s.redeliver)))
	mux.Handle("/ui/", s.signedIn(func(http.ResponseWriter, *http.Request, *call) error { return notFound() }))
	return securityHeaders(mux)
}

// securityHeaders sets what every page sends: no script at all, styles
// only from the style sheet, no framing, no referrer outside, no caching.
func securityHeaders(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		h := w.Header()
		h.Set("Content-Security-Policy", "default-src 'none'; style-src 'self'; img-src 'self'; "+
			"form-action 'self'; frame-ancestors 'none'; base-uri 'none'")
		h.Set("X-Frame-Options", "DENY")
		h.Set("X-Content-Type-Options", "nosniff")
		h.Set("Referrer-Policy", "same-origin")
		h.Set("Cache-Control", "no-store")
		next.ServeHTTP(w, r)
	})
}
