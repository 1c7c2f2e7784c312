package hooks

import (
	"fmt"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"
)

// Bounds on hook fields, enforced by Hook.Validate.
const (
	MaxURLLength    = 2048
	MaxSecretLength = 1024
	MaxEvents       = 100
	MaxHooksPerRepo = 250
	// SecretMask is shown wherever a secret would be: it is never shown back.
	SecretMask = "********"
)

// Hook is a webhook: a URL that receives the events of one repository (or of
// every repository of an owner, for an organization hook).
type Hook struct {
	ID           int64
	Owner        string // the owner (organization) login
	Repo         string // the repository name; empty for an organization hook
	Name         string // always "web"
	Events       []string
	Active       bool
	Config       HookConfig
	CreatedAt    time.Time
	UpdatedAt    time.Time
	LastResponse LastResponse
	Health       HookHealth // its streak of failed attempts; the dispatcher keeps it
}

// HookConfig is where and how a hook's deliveries are sent. BranchFilter,
// Headers and Signature are forgehook's additions to GitHub's config.
type HookConfig struct {
	URL         string
	ContentType ContentType
	Secret      string
	InsecureSSL bool
	// BranchFilter selects the refs whose push, create and delete events
	// the hook receives (see BranchFilter); "" for all.
	BranchFilter string
	// Headers are sent with every delivery, name to value; stored sealed
	// like the secret and masked on every read (see MaskHeaders).
	Headers map[string]string
	// Signature adds a signature scheme to GitHub's: SignatureGitHub (none)
	// or SignatureStandardWebhooks.
	Signature string
	// Template is the request sent instead of GitHub's; zero for GitHub's.
	Template Template
}

// LastResponse is the outcome of a hook's newest delivery, as GitHub shows it.
// A zero Code means there was no HTTP response.
type LastResponse struct {
	Code    int
	Status  string // "unused", "active" or "misconfigured"
	Message string
}

// IsOrg reports whether h is an organization hook.
func (h *Hook) IsOrg() bool { return h.Repo == "" && h.Owner != "" }

// IsGlobal reports whether h is a global hook (GitHub Enterprise Server's
// name for an instance-wide hook): it has neither owner nor repository and
// receives the events of every repository.
func (h *Hook) IsGlobal() bool { return h.Owner == "" && h.Repo == "" }

// Type returns GitHub's hook type: "Repository", "Organization" or "Global".
func (h *Hook) Type() string {
	switch {
	case h.IsGlobal():
		return "Global"
	case h.IsOrg():
		return "Organization"
	}
	return "Repository"
}

// Wants reports whether h should receive event. ping is always wanted.
func (h *Hook) Wants(event string) bool {
	return event == EventPing || slices.Contains(h.Events, event) || slices.Contains(h.Events, EventWildcard)
}

// Validate checks h against GitHub's rules and forgehook's bounds, and fills in
// GitHub's defaults: name "web", events ["push"], content type form.
func (h *Hook) Validate() error {
	if h.Name == "" {
		h.Name = "web"
	}
	if h.Name != "web" {
		return Invalid("Hook", "name", "invalid", `Name must be "web"`)
	}
	if h.Owner == "" && h.Repo != "" {
		return Invalid("Hook", "owner", "missing_field", "Hook must have an owner")
	}
	if h.Events == nil {
		h.Events = []string{EventPush}
		if h.IsGlobal() {
			h.Events = slices.Clone(GlobalDefaultEvents)
		}
	}
	if len(h.Events) > MaxEvents {
		return Invalid("Hook", "events", "invalid", fmt.Sprintf("A hook may have at most %d events", MaxEvents))
	}
	events, err := normalizeEvents(h.Events, h.IsOrg(), h.IsGlobal())
	if err != nil {
		return err
	}
	h.Events = events
	if err := h.Config.Validate(); err != nil {
		return err
	}
	return h.Config.Template.validate(h)
}

// Validate checks a hook configuration and fills in the default content type.
func (c *HookConfig) Validate() error {
	if c.URL == "" {
		return Invalid("Hook", "url", "missing_field", "Config must contain URL for webhooks")
	}
	if code, msg := urlProblem(c.URL); code != "" {
		return Invalid("Hook", "url", code, msg)
	}
	if c.ContentType == "" {
		c.ContentType = ContentForm
	}
	if c.ContentType != ContentJSON && c.ContentType != ContentForm {
		return Invalid("Hook", "content_type", "invalid", "Config content_type must be json or form")
	}
	if len(c.Secret) > MaxSecretLength {
		return Invalid("Hook", "secret", "invalid", fmt.Sprintf("Secret must be at most %d characters", MaxSecretLength))
	}
	if err := validateBranchFilter(c.BranchFilter); err != nil {
		return err
	}
	if err := validateHeaders(c.Headers); err != nil {
		return err
	}
	if len(c.Headers) == 0 {
		c.Headers = nil
	}
	return c.validateSignature()
}

// urlProblem returns GitHub's validation code and message for a URL no
// delivery can go to, or "" and "" for a usable one.
func urlProblem(s string) (code, msg string) {
	if len(s) > MaxURLLength {
		return "invalid", fmt.Sprintf("URL must be at most %d characters", MaxURLLength)
	}
	// U+FFFD is where a JSON decoder put bytes that were not UTF-8.
	if !utf8.ValidString(s) || strings.ContainsRune(s, utf8.RuneError) {
		return "custom", "The URL you've entered is not valid. It must be valid UTF-8."
	}
	u, err := url.Parse(s)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" || u.Hostname() == "" || !validPort(u.Port()) {
		return "custom", "The URL you've entered is not valid. It must be an absolute http or https URL."
	}
	if u.User != nil {
		return "custom", "The URL must not carry credentials."
	}
	return "", ""
}

// validPort reports whether port, from a URL, is empty or 1 to 65535.
func validPort(port string) bool {
	if port == "" {
		return true
	}
	n, err := strconv.Atoi(port)
	return err == nil && n >= 1 && n <= 65535
}

// HookUpdate is a partial change to a hook; nil fields are left alone.
type HookUpdate struct {
	Config       *HookConfig // replaces the whole config
	Events       *[]string   // replaces the events
	AddEvents    []string
	RemoveEvents []string
	Active       *bool
}

// Apply changes h by u in GitHub's order: events are replaced, then added,
// then removed; "*" then collapses the list. The result is validated.
func (u HookUpdate) Apply(h *Hook) error {
	if u.Config != nil {
		cfg := *u.Config
		if cfg.Secret == SecretMask { // a round-tripped, masked hook keeps its secret
			cfg.Secret = h.Config.Secret
		}
		cfg.Headers = keepMaskedHeaders(cfg.Headers, h.Config.Headers) // and its header values
		h.Config = cfg
	}
	if u.Events != nil {
		h.Events = slices.Clone(*u.Events)
	}
	h.Events = append(h.Events, u.AddEvents...)
	if len(u.RemoveEvents) > 0 {
		h.Events = slices.DeleteFunc(h.Events, func(e string) bool { return slices.Contains(u.RemoveEvents, e) })
	}
	if h.Events == nil {
		h.Events = []string{}
	}
	if u.Active != nil {
		h.Active = *u.Active
		if h.Active { // enabling a hook, or asking again that it be active, closes its breaker
			h.Health = HookHealth{}
		}
	}
	return h.Validate()
}

// HookFilter selects hooks. Zero fields match everything.
type HookFilter struct {
	ID     int64
	Owner  string
	Repo   string // with Owner: that repository's hooks
	Org    bool   // select the organization hooks of Owner instead
	Global bool   // select the global hooks instead (Owner and Repo unset)
	URL    string // hooks whose config URL is exactly this
	Offset int
	Limit  int
}
