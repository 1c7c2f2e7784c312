package web

import (
	"net/http"
	"net/url"
	"strings"

	"github.com/forgehook/forgehook/hooks"
)

// Cookie names. The sign-in cookie carries the sign-in form's CSRF token
// (a double-submit token: there is no session yet).
const (
	sessionCookie = "forgehook_session"
	signInCookie  = "forgehook_signin"
)

// call is what a signed-in request carries to its handler: who is asking,
// and the repository and hook its URL names once resolved.
type call struct {
	Principal *hooks.Principal
	session   *session
	sessionID string
	Repo      *hooks.GitRepo // set by inRepo
	Hook      *hooks.Hook    // set by inHook
}

// handler is a page handler; its error is rendered as an error page.
type handler func(w http.ResponseWriter, r *http.Request, c *call) error

// signedIn runs h for requests with a live session whose token still
// authenticates. Without one, a GET goes to the sign-in form (and back
// after), anything else is 403. Every POST must carry the session's CSRF
// token in the form field csrf, or it is refused with 403 and does nothing.
func (s *Server) signedIn(h handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		c := &call{}
		if ck, err := r.Cookie(sessionCookie); err == nil {
			c.sessionID = ck.Value
			c.session = s.sessions.find(ck.Value, s.Now())
		}
		if c.session != nil {
			p, err := s.Tokens.Authenticate(r.Context(), c.session.token)
			switch {
			case hooks.ErrorCode(err) == hooks.EUNAUTHORIZED: // revoked: the session ends with it
				s.sessions.remove(c.sessionID)
				c.session = nil
			case err != nil: // the database failed: the session stays for the next request
				s.fail(w, r, nil, err)
				return
			}
			c.Principal = p
		}
		if c.session == nil {
			if r.Method == http.MethodGet || r.Method == http.MethodHead {
				http.Redirect(w, r, "/ui/signin?next="+url.QueryEscape(r.URL.RequestURI()), http.StatusSeeOther)
				return
			}
			s.forbidden(w, r, nil, "Sign in first: this session has ended.")
			return
		}
		if r.Method == http.MethodPost {
			r.Body = http.MaxBytesReader(w, r.Body, maxFormSize)
			if err := r.ParseForm(); err != nil || !sameToken(r.PostForm.Get("csrf"), c.session.csrf) {
				s.forbidden(w, r, c, "This form has expired or did not come from this page. Go back, reload the page and try again.")
				return
			}
		}
		if err := h(w, r, c); err != nil {
			s.fail(w, r, c, err)
		}
	})
}

// signInData is the sign-in page.
type signInData struct {
	CSRF  string
	Next  string
	Error string
}

func (s *Server) signInForm(w http.ResponseWriter, r *http.Request) {
	var notice string
	if r.URL.Query().Has("signed_out") {
		notice = "You have signed out."
	}
	s.renderSignIn(w, r, http.StatusOK, safeNext(r.URL.Query().Get("next")), "", notice)
}

// renderSignIn shows the sign-in form with a new double-submit CSRF token.
func (s *Server) renderSignIn(w http.ResponseWriter, r *http.Request, status int, next, msg, notice string) {
	tok := randomID()
	http.SetCookie(w, s.cookie(r, signInCookie, tok, "/ui/signin", 3600))
	s.render(w, r, status, "signin", nil, &view{Title: "Sign in", Notice: notice,
		Data: signInData{CSRF: tok, Next: next, Error: msg}})
}

func (s *Server) signIn(w http.ResponseWriter, r *http.Request) {
	r.Body = http.MaxBytesReader(w, r.Body, maxFormSize)
	ck, err := r.Cookie(signInCookie)
	if perr := r.ParseForm(); perr != nil || err != nil || !sameToken(r.PostForm.Get("csrf"), ck.Value) {
		s.forbidden(w, r, nil, "This form has expired or did not come from this page. Go back, reload the page and try again.")
		return
	}
	next := safeNext(r.PostForm.Get("next"))
	token := strings.TrimSpace(r.PostForm.Get("token"))
	if token == "" {
		s.renderSignIn(w, r, http.StatusUnprocessableEntity, next, "Enter a token.", "")
		return
	}
	if _, err := s.Tokens.Authenticate(r.Context(), token); hooks.ErrorCode(err) == hooks.EUNAUTHORIZED {
		s.renderSignIn(w, r, http.StatusUnauthorized, next, "Bad credentials: that is not a forgehook token, or it was revoked.", "")
		return
	} else if err != nil {
		s.fail(w, r, nil, err)
		return
	}
	id, _ := s.sessions.create(token, s.Now(), s.SessionTTL)
	http.SetCookie(w, s.cookie(r, sessionCookie, id, "/ui/", int(s.SessionTTL.Seconds())))
	http.SetCookie(w, s.cookie(r, signInCookie, "", "/ui/signin", -1))
	http.Redirect(w, r, next, http.StatusSeeOther)
}

func (s *Server) signOut(w http.ResponseWriter, r *http.Request, c *call) error {
	s.sessions.remove(c.sessionID)
	http.SetCookie(w, s.cookie(r, sessionCookie, "", "/ui/", -1))
	http.Redirect(w, r, "/ui/signin?signed_out=1", http.StatusSeeOther)
	return nil
}

// cookie returns an HttpOnly, SameSite=Lax cookie (a link from elsewhere
// opens the page signed in; no form posts from elsewhere carry it, and none
// would pass the CSRF check) for path, Secure when
// the request came over TLS or the server is told it is behind https.
// maxAge < 0 deletes it.
func (s *Server) cookie(r *http.Request, name, value, path string, maxAge int) *http.Cookie {
	return &http.Cookie{Name: name, Value: value, Path: path, MaxAge: maxAge, HttpOnly: true,
		SameSite: http.SameSiteLaxMode, Secure: s.Secure || r.TLS != nil}
}

// safeNext returns next if it is a page of ours to go back to after signing
// in, else the repository list.
func safeNext(next string) string {
	if !strings.HasPrefix(next, Prefix) || strings.HasPrefix(next, "/ui/signin") || strings.ContainsAny(next, "\\\r\n") {
		return Prefix
	}
	return next
}
