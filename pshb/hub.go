// Package pshb is GitHub's PubSubHubbub hub: subscribing a callback URL to a
// repository's events creates or changes a webhook, unsubscribing removes it.
package pshb

import (
	"context"
	"errors"
	"log/slog"
	"mime"
	"net/http"
	"net/url"
	"slices"
	"strings"

	"github.com/forgehook/forgehook/hooks"
	"github.com/forgehook/forgehook/internal/ghttp"
)

// Handler serves POST /hub. It expects an authenticated request: the
// principal is read from the request context.
type Handler struct {
	Hooks hooks.HookService
	Repos hooks.GitRepos
	// OnCreate is called for a hook a subscription created; it sends the ping.
	OnCreate func(ctx context.Context, h *hooks.Hook) error
	Logger   *slog.Logger
}

// maxFormSize bounds a hub request body.
const maxFormSize = 64 << 10

// request is a parsed hub request.
type request struct {
	Mode, Owner, Repo, Event, Callback, Secret string
	JSON                                       bool
}

// ServeHTTP implements http.Handler.
func (h *Handler) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if r.Method != http.MethodPost {
		w.Header().Set("Allow", http.MethodPost)
		ghttp.JSON(w, http.StatusMethodNotAllowed, ghttp.ErrorBody{Message: "Method Not Allowed", DocumentationURL: ghttp.DocsURL, Status: "405"})
		return
	}
	r.Body = http.MaxBytesReader(w, r.Body, maxFormSize)
	if err := h.serve(r); err != nil {
		ghttp.Error(w, r, h.Logger, err)
		return
	}
	w.WriteHeader(http.StatusNoContent)
}

func (h *Handler) serve(r *http.Request) error {
	req, err := parse(r)
	if err != nil {
		return err
	}
	// The scope is checked against the repository's names on disk, not the
	// topic's spelling; unknown and forbidden are the same 404.
	g, err := h.Repos.FindRepo(r.Context(), req.Owner, req.Repo)
	if err != nil {
		return err
	}
	p := hooks.PrincipalFromContext(r.Context())
	if p == nil || !p.CanAdminRepo(g.Owner, g.Name) {
		return hooks.Errorf(hooks.ENOTFOUND, "Not Found")
	}
	existing, _, err := h.Hooks.FindHooks(r.Context(), hooks.HookFilter{Owner: g.Owner, Repo: g.Name, URL: req.Callback, Limit: 1})
	if err != nil {
		return err
	}
	if req.Mode == "unsubscribe" {
		return h.unsubscribe(r.Context(), existing, req.Event)
	}
	ct := hooks.ContentForm
	if req.JSON {
		ct = hooks.ContentJSON
	}
	cfg := hooks.HookConfig{URL: req.Callback, ContentType: ct, Secret: req.Secret}
	if len(existing) == 0 {
		hook := &hooks.Hook{Owner: g.Owner, Repo: g.Name, Events: []string{req.Event}, Active: true, Config: cfg}
		if err := h.Hooks.CreateHook(r.Context(), hook); err != nil {
			return err
		}
		if h.OnCreate != nil {
			if err := h.OnCreate(r.Context(), hook); err != nil && h.Logger != nil {
				h.Logger.Error("ping new subscription", "hook", hook.ID, "request_id", ghttp.RequestID(r.Context()), "err", err)
			}
		}
		return nil
	}
	// What a subscription cannot say is kept: insecure_ssl and forgehook's
	// own config keys, set through the API.
	old := existing[0].Config
	cfg.InsecureSSL, cfg.BranchFilter, cfg.Headers, cfg.Signature, cfg.Template = old.InsecureSSL, old.BranchFilter, old.Headers, old.Signature, old.Template
	_, err = h.Hooks.UpdateHook(r.Context(), existing[0].ID, hooks.HookUpdate{Config: &cfg, AddEvents: []string{req.Event}})
	return err
}

// unsubscribe removes event from the callback's hook, and the hook once it
// has no event left. Unsubscribing what is not subscribed succeeds.
func (h *Handler) unsubscribe(ctx context.Context, existing []*hooks.Hook, event string) error {
	if len(existing) == 0 {
		return nil
	}
	hook := existing[0]
	left := slices.DeleteFunc(slices.Clone(hook.Events), func(e string) bool { return e == event })
	if len(left) == 0 {
		err := h.Hooks.DeleteHook(ctx, hook.ID)
		if hooks.ErrorCode(err) == hooks.ENOTFOUND {
			return nil
		}
		return err
	}
	_, err := h.Hooks.UpdateHook(ctx, hook.ID, hooks.HookUpdate{RemoveEvents: []string{event}})
	return err
}

// parse reads and validates the form fields of a hub request.
func parse(r *http.Request) (*request, error) {
	mt, _, _ := mime.ParseMediaType(r.Header.Get("Content-Type"))
	var err error
	if mt == "multipart/form-data" {
		err = r.ParseMultipartForm(maxFormSize)
	} else {
		err = r.ParseForm()
	}
	if err != nil {
		var tooBig *http.MaxBytesError
		if errors.As(err, &tooBig) {
			return nil, hooks.Errorf(hooks.ETOOLARGE, "Request body too large")
		}
		return nil, hooks.Errorf(hooks.EBADREQUEST, "Problems parsing the hub request: %v", err)
	}
	req := &request{
		Mode: r.PostFormValue("hub.mode"), Callback: strings.TrimSpace(r.PostFormValue("hub.callback")),
		Secret: r.PostFormValue("hub.secret"),
	}
	if req.Mode != "subscribe" && req.Mode != "unsubscribe" {
		return nil, invalid("hub.mode", `Invalid hub.mode: must be "subscribe" or "unsubscribe"`)
	}
	topic := r.PostFormValue("hub.topic")
	if req.Owner, req.Repo, req.Event, req.JSON, err = ParseTopic(topic); err != nil {
		return nil, err
	}
	req.JSON = req.JSON || acceptsJSON(r.Header.Get("Accept"))
	if req.Callback == "" {
		return nil, invalid("hub.callback", "Needs hub.callback.")
	}
	if err := (&hooks.HookConfig{URL: req.Callback, Secret: req.Secret}).Validate(); err != nil {
		field := hubField(err)
		return nil, invalid(field, "Invalid "+field+": "+fieldMessage(err))
	}
	return req, nil
}

// ParseTopic reads a topic URL: any scheme and host, then the path
// /{owner}/{repo}/events/{event}, optionally ending in .json.
func ParseTopic(topic string) (owner, repo, event string, json bool, err error) {
	u, perr := url.Parse(topic)
	if topic == "" || perr != nil || len(topic) > hooks.MaxURLLength {
		return "", "", "", false, invalid("hub.topic", "Invalid hub.topic: want https://HOST/{owner}/{repo}/events/{event}")
	}
	parts := strings.Split(strings.Trim(u.Path, "/"), "/")
	if len(parts) != 4 || parts[2] != "events" || !hooks.ValidName(parts[0]) || !hooks.ValidName(strings.TrimSuffix(parts[1], ".git")) {
		return "", "", "", false, invalid("hub.topic", "Invalid hub.topic: want https://HOST/{owner}/{repo}/events/{event}")
	}
	event, json = strings.CutSuffix(parts[3], ".json")
	if event == hooks.EventWildcard || !hooks.ValidEvent(event, false) {
		return "", "", "", false, invalid("hub.topic", "Invalid hub.topic: unknown event "+`"`+event+`"`)
	}
	return parts[0], strings.TrimSuffix(parts[1], ".git"), event, json, nil
}

func acceptsJSON(accept string) bool {
	for _, part := range strings.Split(accept, ",") {
		mt, _, _ := mime.ParseMediaType(strings.TrimSpace(part))
		if mt == "application/json" {
			return true
		}
	}
	return false
}

func invalid(field, msg string) error {
	return &hooks.Error{Code: hooks.EINVALID, Message: msg,
		Fields: []hooks.FieldError{{Resource: "Hub", Field: field, Code: "invalid", Message: msg}}}
}

// hubField returns the hub parameter behind a hook config validation error:
// hub.secret for the secret, hub.callback for the rest (the URL).
func hubField(err error) string {
	var e *hooks.Error
	if errors.As(err, &e) && len(e.Fields) > 0 && e.Fields[0].Field == "secret" {
		return "hub.secret"
	}
	return "hub.callback"
}

// fieldMessage returns the message of a validation error's first field.
func fieldMessage(err error) string {
	var e *hooks.Error
	if errors.As(err, &e) && len(e.Fields) > 0 && e.Fields[0].Message != "" {
		return e.Fields[0].Message
	}
	return hooks.ErrorMessage(err)
}
