package web

import (
	"bytes"
	"embed"
	"fmt"
	"html/template"
	"net/http"
	"time"

	"github.com/forgehook/forgehook/hooks"
	"github.com/forgehook/forgehook/internal/ghttp"
)

//go:embed templates/*.html
var templateFS embed.FS

//go:embed static/style.css
var styleCSS []byte

// pageNames are the templates under templates/, each rendered inside layout.html.
var pageNames = []string{"signin", "index", "repo", "hookform", "hook", "delete", "delivery", "error"}

// pages is every page's template.
type pages struct{ byName map[string]*template.Template }

// mustParsePages parses the embedded templates; now is the clock their
// "ago" function reads.
func mustParsePages(now func() time.Time) *pages {
	funcs := template.FuncMap{
		"ago":          func(t time.Time) string { return ago(now().Sub(t)) },
		"utc":          func(t time.Time) string { return t.UTC().Format("2006-01-02 15:04:05 UTC") },
		"iso":          func(t time.Time) string { return t.UTC().Format(time.RFC3339) },
		"secs":         func(d time.Duration) string { return fmt.Sprintf("%.2f", d.Seconds()) },
		"dur":          func(d time.Duration) string { return d.Round(time.Second).String() },
		"repoPath":     repoPath,
		"hookPath":     hookPath,
		"deliveryPath": deliveryPath,
	}
	p := &pages{byName: map[string]*template.Template{}}
	for _, name := range pageNames {
		p.byName[name] = template.Must(template.New("layout.html").Funcs(funcs).ParseFS(templateFS,
			"templates/layout.html", "templates/parts.html", "templates/"+name+".html"))
	}
	return p
}

// view is what the layout shows around a page's Data.
type view struct {
	Title  string
	Crumbs []crumb // links from the repository list to the page, the page itself excluded
	Notice string  // a line saying what the last action did
	User   string  // the signed-in login; "" on the sign-in page
	CSRF   string  // the session's CSRF token, for the forms of the page
	Data   any
}

// crumb is one link of the breadcrumb trail.
type crumb struct{ Name, Href string }

// render writes page name with v, the session's login and CSRF token filled
// in from c (nil when signed out).
func (s *Server) render(w http.ResponseWriter, r *http.Request, status int, name string, c *call, v *view) {
	if c != nil && c.session != nil {
		v.User, v.CSRF = c.Principal.Login, c.session.csrf
	}
	var buf bytes.Buffer
	if err := s.pages.byName[name].Execute(&buf, v); err != nil {
		s.Logger.Error("render page", "page", name, "request_id", ghttp.RequestID(r.Context()), "err", err)
		http.Error(w, "Internal Server Error", http.StatusInternalServerError)
		return
	}
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.WriteHeader(status)
	_, _ = w.Write(buf.Bytes())
}

// errorData is the error page.
type errorData struct {
	Status    int
	Message   string
	RequestID string
}

// fail renders err: 404 for ENOTFOUND, GitHub's message for other domain
// errors, and a logged 500 that says no more for internal ones.
func (s *Server) fail(w http.ResponseWriter, r *http.Request, c *call, err error) {
	status := ghttp.Status(hooks.ErrorCode(err))
	if status == http.StatusInternalServerError {
		s.Logger.Error("page failed", "method", r.Method, "path", r.URL.Path, "request_id", ghttp.RequestID(r.Context()), "err", err)
	}
	s.render(w, r, status, "error", c, &view{Title: http.StatusText(status),
		Data: errorData{Status: status, Message: hooks.ErrorMessage(err), RequestID: ghttp.RequestID(r.Context())}})
}

// forbidden renders a 403 page with msg.
func (s *Server) forbidden(w http.ResponseWriter, r *http.Request, c *call, msg string) {
	s.render(w, r, http.StatusForbidden, "error", c, &view{Title: "Forbidden",
		Data: errorData{Status: http.StatusForbidden, Message: msg}})
}

// serveStyle serves the one style sheet, which may be cached for an hour.
func serveStyle(w http.ResponseWriter, _ *http.Request) {
	w.Header().Set("Content-Type", "text/css; charset=utf-8")
	w.Header().Set("Cache-Control", "max-age=3600")
	_, _ = w.Write(styleCSS)
}

// repoPath returns the page of repository owner/name.
func repoPath(owner, name string) string { return Prefix + "repos/" + owner + "/" + name }

// hookPath returns the page of hook h.
func hookPath(h *hooks.Hook) string {
	return fmt.Sprintf("%s/hooks/%d", repoPath(h.Owner, h.Repo), h.ID)
}

// deliveryPath returns the page of attempt d of hook h.
func deliveryPath(h *hooks.Hook, d *hooks.Delivery) string {
	return fmt.Sprintf("%s/deliveries/%d", hookPath(h), d.ID)
}

// ago says how long ago something happened, d being the time since, in
// the words GitHub uses: "just now", "5 minutes ago", "3 days ago".
func ago(d time.Duration) string {
	unit := func(n int, name string) string {
		if n == 1 {
			return "1 " + name + " ago"
		}
		return fmt.Sprintf("%d %ss ago", n, name)
	}
	switch {
	case d < time.Minute:
		return "just now"
	case d < time.Hour:
		return unit(int(d/time.Minute), "minute")
	case d < 48*time.Hour:
		return unit(int(d/time.Hour), "hour")
	}
	return unit(int(d/(24*time.Hour)), "day")
}

// lastStatus describes a hook's newest delivery as GitHub's hook list does,
// with a class for its mark: ok, failed or unused.
func lastStatus(h *hooks.Hook) (text, class string) {
	switch lr := h.LastResponse; lr.Status {
	case "active":
		return "Last delivery was successful.", "ok"
	case "misconfigured":
		return "Last delivery was not successful. " + lr.Message, "failed"
	}
	return "This hook has never been triggered.", "unused"
}
