package hooks

import (
	"bytes"
	"encoding/json"
	"fmt"
	"net/http"
	"slices"
	"strconv"
	"strings"
)

// MaxTemplateSize bounds a template's body, as stored.
const MaxTemplateSize = 64 << 10

// Template is the request a hook sends instead of GitHub's, for receivers
// that do not speak GitHub: chat services, CI triggers. It is either a
// Preset (with a Room for Matrix) or a custom request, whose URL and Body
// hold ${path} variables taken from the event payload (see
// template_render.go). A zero Template means GitHub's request.
type Template struct {
	Preset      string // PresetSlack, PresetDiscord or PresetMatrix; then only Room may be set
	Room        string // the Matrix room id ("!…"), for PresetMatrix
	Method      string // GET, POST, PUT or PATCH; POST when empty
	URL         string // the request URL, with variables; the hook's URL when empty
	ContentType string // the media type of Body; application/json when empty
	Body        string // with variables; when empty, GitHub's payload (none for GET)
}

// IsZero reports whether t is no template: the hook sends GitHub's request.
func (t Template) IsZero() bool { return t == Template{} }

// templateMethods are the methods a template may use.
var templateMethods = []string{http.MethodGet, http.MethodPost, http.MethodPut, http.MethodPatch}

// invalidTemplate is the 422 error for a template that cannot be used.
func invalidTemplate(format string, args ...any) *Error {
	return Invalid("Hook", "template", "invalid", fmt.Sprintf(format, args...))
}

// validate checks t for hook h, whose events are normalized: the preset or
// the method, URL and body must be usable, and every variable must be a
// built-in one or a payload path of an event h may be sent. It upper-cases
// the method.
func (t *Template) validate(h *Hook) error {
	if t.IsZero() {
		return nil
	}
	if t.Preset != "" {
		return t.validatePreset()
	}
	if t.Room != "" {
		return invalidTemplate("room is only for the %s preset", PresetMatrix)
	}
	t.Method = strings.ToUpper(t.Method)
	if t.Method != "" && !slices.Contains(templateMethods, t.Method) {
		return invalidTemplate("method must be one of %s, got %s", strings.Join(templateMethods, ", "), quote(t.Method))
	}
	if len(t.Body) > MaxTemplateSize || len(t.URL) > MaxURLLength {
		return invalidTemplate("the body may have at most %d bytes, the URL %d", MaxTemplateSize, MaxURLLength)
	}
	if t.ContentType != "" && t.Body == "" {
		return invalidTemplate("content_type needs a body")
	}
	if t.Body != "" && t.Method == http.MethodGet {
		return invalidTemplate("a GET request has no body")
	}
	events := templateEvents(h)
	if t.URL != "" {
		if err := validateURLTemplate(t.URL, events); err != nil {
			return err
		}
	}
	if t.Body == "" {
		return nil
	}
	body, err := checkedText("body", t.Body, events)
	if err != nil {
		return err
	}
	if isJSONMedia(t.contentType()) {
		sample := body.render(func(*variable) string { return "x" }, func(int) escaper { return jsonString })
		if !json.Valid([]byte(sample)) {
			return invalidTemplate("the body is not valid JSON once its variables are filled in: variables go inside JSON strings, as in {\"text\": \"${head_commit.message}\"}")
		}
	}
	return nil
}

// contentType returns the media type of t's body.
func (t Template) contentType() string {
	if t.ContentType == "" {
		return "application/json"
	}
	return t.ContentType
}

// checkedText parses a template text named what and checks its variables.
func checkedText(what, s string, events []string) (parsedText, error) {
	p, err := parseText(s)
	if err != nil {
		return nil, invalidTemplate("%s: %v", what, err)
	}
	for _, v := range p.variables() {
		if !knownVariable(v.path, events) {
			return nil, invalidTemplate("unknown variable ${%s} in the %s: it is in no payload of the events this hook is sent (%s)",
				truncate(v.text, 50), what, strings.Join(events, ", "))
		}
	}
	return p, nil
}

// validateURLTemplate checks a URL template: its scheme and host are
// literal, and it is a valid hook URL once its variables are filled in.
func validateURLTemplate(s string, events []string) error {
	p, err := checkedText("URL", s, events)
	if err != nil {
		return err
	}
	if len(p.variables()) > 0 {
		head := p[0].lit
		scheme, rest, ok := strings.Cut(head, "://")
		if p[0].v != nil || !ok || scheme == "" || !strings.ContainsAny(rest, "/?#") {
			return invalidTemplate("the URL's scheme and host must be literal: variables may only come after them, as in https://ci.example.com/job/${repository.name}")
		}
	}
	sample := p.render(func(*variable) string { return "x" }, urlEscapers(p))
	if code, msg := urlProblem(sample); code != "" {
		return Invalid("Hook", "template", code, "template URL: "+msg)
	}
	return nil
}

// render builds the request for event e to hook h from t: it sets r's
// method, URL, body and Content-Type. It fails, for good, only when the
// rendered URL is unusable or the payload cannot be read.
func (t Template) render(r *Request, h *Hook, e *Event) error {
	t = t.expand(h.Config.URL, e.Name)
	doc, err := decodePayload(e.Payload)
	if err != nil {
		return err
	}
	lookup := func(v *variable) string { return templateValue(doc, v.path, h, e) }
	if t.Method != "" {
		r.Method = t.Method
	}
	if t.URL != "" {
		p, err := parseText(t.URL)
		if err != nil {
			return fmt.Errorf("template URL: %w", err)
		}
		r.URL = p.render(lookup, urlEscapers(p))
		if _, msg := urlProblem(r.URL); msg != "" {
			return fmt.Errorf("template URL %s: %s", truncate(r.URL, 200), msg)
		}
	}
	switch {
	case t.Body != "":
		p, err := parseText(t.Body)
		if err != nil {
			return fmt.Errorf("template body: %w", err)
		}
		esc := bodyEscaper(t.contentType())
		r.Body = []byte(p.render(lookup, func(int) escaper { return esc }))
		r.Header.Set("Content-Type", t.contentType())
	case r.Method == http.MethodGet:
		r.Body = nil
		r.Header.Del("Content-Type")
	}
	return nil
}

// templateValue returns the value of a variable: a built-in one, or the
// payload's value at its path.
func templateValue(doc any, path []step, h *Hook, e *Event) string {
	if len(path) == 1 {
		switch path[0].name {
		case VarEvent:
			return e.Name
		case VarDelivery:
			return e.GUID
		case VarHookID:
			return strconv.FormatInt(h.ID, 10)
		case VarRefName:
			return RefUpdate{Ref: payloadValue(doc, []step{{name: "ref"}})}.ShortRef()
		}
	}
	return payloadValue(doc, path)
}

// TemplateJSON is a template as config.template shows and accepts it.
// Accepted also: a preset name as a plain string ("slack"), and a body that
// is a JSON object or array rather than a string (stored as its text).
type TemplateJSON struct {
	Preset      string `json:"preset,omitempty"`
	Room        string `json:"room,omitempty"`
	Method      string `json:"method,omitempty"`
	URL         string `json:"url,omitempty"`
	ContentType string `json:"content_type,omitempty"`
	Body        string `json:"body,omitempty"`
}

// NewTemplateJSON returns the config.template object of t, or nil for no template.
func NewTemplateJSON(t Template) *TemplateJSON {
	if t.IsZero() {
		return nil
	}
	j := TemplateJSON(t)
	return &j
}

// StoredTemplate returns the text a store keeps for t: its config.template
// JSON, or "" for none. ParseTemplate reads it back.
func StoredTemplate(t Template) string {
	if t.IsZero() {
		return ""
	}
	b, _ := json.Marshal(NewTemplateJSON(t)) // strings only: it cannot fail
	return string(b)
}

// ParseTemplate reads a config.template value: a preset name, an object
// with the fields of TemplateJSON, or "" or {} for none. Unknown keys are
// refused. It checks the shape only; Hook.Validate checks the rest.
func ParseTemplate(raw []byte) (Template, error) {
	var name string
	if json.Unmarshal(raw, &name) == nil {
		return Template{Preset: name}, nil
	}
	var fields map[string]json.RawMessage
	if err := json.Unmarshal(raw, &fields); err != nil {
		return Template{}, invalidTemplate("template must be a preset name or an object")
	}
	var t Template
	for key, dst := range map[string]*string{"preset": &t.Preset, "room": &t.Room, "method": &t.Method,
		"url": &t.URL, "content_type": &t.ContentType, "body": &t.Body} {
		v, ok := fields[key]
		if !ok || string(v) == "null" {
			delete(fields, key)
			continue
		}
		delete(fields, key)
		if json.Unmarshal(v, dst) == nil {
			continue
		}
		if key != "body" || (v[0] != '{' && v[0] != '[') {
			return Template{}, invalidTemplate("template %s must be a string", key)
		}
		var b bytes.Buffer // a JSON body: stored as its compact text
		if err := json.Compact(&b, v); err != nil {
			return Template{}, invalidTemplate("template body: %v", err)
		}
		*dst = b.String()
	}
	for key := range fields {
		return Template{}, invalidTemplate("unknown template key %s: want preset, room, method, url, content_type or body", quote(key))
	}
	return t, nil
}
