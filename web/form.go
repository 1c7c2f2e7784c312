package web

import (
	"errors"
	"net/http"
	"slices"

	"github.com/forgehook/forgehook/hooks"
)

// sentEvents are the events forgehook fires, offered first in the events
// choice; the other names GitHub accepts follow them.
var sentEvents = []string{hooks.EventPush, hooks.EventCreate, hooks.EventDelete}

// The three answers to "Which events would you like to trigger this webhook?".
const (
	choicePush   = "push"
	choiceAll    = "all"
	choiceCustom = "custom"
)

// eventOption is one checkbox of the individual events.
type eventOption struct {
	Name    string
	Label   string // GitHub's label for the events forgehook sends; else the name
	Hint    string
	Checked bool
}

// eventLabels are GitHub's labels and descriptions of the events forgehook sends.
var eventLabels = map[string][2]string{
	hooks.EventPush:   {"Pushes", "Git push to a repository."},
	hooks.EventCreate: {"Branch or tag creation", "Branch or tag created."},
	hooks.EventDelete: {"Branch or tag deletion", "Branch or tag deleted."},
}

// hookForm is the form that adds or updates a hook, as GitHub lays it out,
// with the validation messages next to their fields.
type hookForm struct {
	CSRF        string // the session's CSRF token
	Action      string // where the form posts
	Submit      string // "Add webhook" or "Update webhook"
	URL         string
	ContentType string // json or form
	Secret      string // the mask when a stored secret is kept
	InsecureSSL bool
	Active      bool
	Choice      string
	Sent        []eventOption
	Other       []eventOption
	OtherOpen   bool              // an event beyond sentEvents is chosen: show them
	Errors      map[string]string // by field (url, content_type, secret, events); "" for the whole form
}

// newHookForm returns the form showing h.
func newHookForm(h *hooks.Hook, action, submit string) hookForm {
	f := hookForm{Action: action, Submit: submit, URL: h.Config.URL, ContentType: string(h.Config.ContentType),
		InsecureSSL: h.Config.InsecureSSL, Active: h.Active, Errors: map[string]string{}}
	if f.ContentType == "" {
		f.ContentType = string(hooks.ContentForm) // the default of GitHub's API and of Hook.Validate
	}
	if h.Config.Secret != "" {
		f.Secret = hooks.SecretMask
	}
	switch {
	case slices.Equal(h.Events, []string{hooks.EventPush}) || h.Events == nil:
		f.Choice = choicePush
	case slices.Contains(h.Events, hooks.EventWildcard):
		f.Choice = choiceAll
	default:
		f.Choice = choiceCustom
	}
	checked := func(e string) bool { return f.Choice == choiceCustom && slices.Contains(h.Events, e) }
	for _, e := range sentEvents {
		f.Sent = append(f.Sent, eventOption{Name: e, Label: eventLabels[e][0], Hint: eventLabels[e][1], Checked: checked(e)})
	}
	for _, e := range hooks.RepositoryEvents {
		if !slices.Contains(sentEvents, e) {
			f.Other = append(f.Other, eventOption{Name: e, Label: e, Checked: checked(e)})
			f.OtherOpen = f.OtherOpen || checked(e)
		}
	}
	return f
}

// readHookForm applies a posted hook form to h: its config through the
// domain's ConfigPatch (a secret equal to the mask keeps the one h has),
// its events and its active flag. The result is not validated yet.
func readHookForm(r *http.Request, h *hooks.Hook) {
	form := r.PostForm
	url, ct, secret := form.Get("url"), form.Get("content_type"), form.Get("secret")
	insecure := form.Get("insecure_ssl") == "1"
	hooks.ConfigPatch{URL: &url, ContentType: &ct, Secret: &secret, InsecureSSL: &insecure}.Apply(&h.Config)
	h.Active = form.Get("active") == "1"
	switch form.Get("events_choice") {
	case choiceAll:
		h.Events = []string{hooks.EventWildcard}
	case choiceCustom:
		h.Events = append([]string{}, form["events"]...)
	default:
		h.Events = []string{hooks.EventPush}
	}
}

// refill returns the form of a post that failed validation: what was
// posted, the secret field as it was sent (the mask still means "keep"),
// and err's messages.
func refill(r *http.Request, posted *hooks.Hook, action, submit string, err error) (hookForm, bool) {
	f := newHookForm(posted, action, submit)
	f.Secret = r.PostForm.Get("secret")
	return f.withErrors(err)
}

// withErrors returns f showing err's validation messages next to their
// fields; other messages are shown above the form. It reports false if err
// is no validation error, which the caller then fails with.
func (f hookForm) withErrors(err error) (hookForm, bool) {
	var e *hooks.Error
	if !errors.As(err, &e) || (e.Code != hooks.EINVALID && e.Code != hooks.ECONFLICT) {
		return f, false
	}
	f.Errors = map[string]string{}
	if len(e.Fields) == 0 {
		f.Errors[""] = e.Message
	}
	for _, fe := range e.Fields {
		field := fe.Field
		if field != "url" && field != "content_type" && field != "secret" && field != "events" {
			field = ""
		}
		if f.Errors[field] == "" {
			f.Errors[field] = fe.Message
		}
	}
	return f, true
}

// KeepsSecret reports whether the secret field holds the mask: the stored
// secret stays unless the field is changed.
func (f hookForm) KeepsSecret() bool { return f.Secret == hooks.SecretMask }
