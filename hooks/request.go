package hooks

import (
	"net/http"
	"net/textproto"
	"strconv"
	"time"
)

// Request is the HTTP request that delivers an event to a hook, built but
// not sent: what Sender sends and what a preview shows.
type Request struct {
	Method string
	URL    string
	Header http.Header
	Body   []byte // the exact bytes sent, which the signature headers cover

	custom map[string]string // the hook's custom headers, in Header too
}

// NewRequest builds the request that delivers e to h at time at: GitHub's
// POST of the payload in h's content type, or h's template rendered with e.
// Either way the X-Hub-Signature headers (and, if h asks for them, the
// Standard Webhooks ones) sign the body that is sent, and h's custom headers
// are set. An error means the template cannot be rendered for e (an
// unusable URL): retrying cannot help.
func NewRequest(h *Hook, e *Event, at time.Time) (*Request, error) {
	r := &Request{
		Method: http.MethodPost,
		URL:    h.Config.URL,
		Body:   EncodeBody(h.Config.ContentType, e.Payload),
		Header: http.Header{
			"Accept":                                 {"*/*"},
			"Content-Type":                           {h.Config.ContentType.MIME()},
			"User-Agent":                             {UserAgent},
			"X-GitHub-Event":                         {e.Name},
			"X-GitHub-Delivery":                      {e.GUID},
			"X-GitHub-Hook-ID":                       {strconv.FormatInt(h.ID, 10)},
			"X-GitHub-Hook-Installation-Target-Type": {targetType(h)},
			"X-GitHub-Hook-Installation-Target-ID":   {strconv.FormatInt(targetID(h, e), 10)},
		},
	}
	var err error
	if !h.Config.Template.IsZero() {
		err = h.Config.Template.render(r, h, e)
	}
	for k, v := range Sign(h.Config.Secret, r.Body) {
		r.Header[k] = v
	}
	if h.Config.Signature == SignatureStandardWebhooks {
		for k, v := range SignStandardWebhooks(h.Config.Secret, e.GUID, at, r.Body) {
			r.Header[k] = v
		}
	}
	for name, v := range h.Config.Headers {
		r.Header.Set(name, v)
	}
	r.custom = h.Config.Headers
	return r, err
}

// Recorded returns the request's headers as delivery records and previews
// show them: one value each, the custom headers masked, since they may carry
// credentials.
func (r *Request) Recorded() map[string]string {
	rec := flatten(r.Header)
	for name := range r.custom {
		rec[textproto.CanonicalMIMEHeaderKey(name)] = SecretMask
	}
	return rec
}

// PreviewJSON is the answer of POST …/hooks/{id}/preview: the request a
// delivery would make, which was not sent. Headers are shown as delivery
// records show them.
type PreviewJSON struct {
	Event    string            `json:"event"`
	Delivery string            `json:"delivery"`
	Method   string            `json:"method"`
	URL      string            `json:"url"`
	Headers  map[string]string `json:"headers"`
	Body     string            `json:"body"`
}

// NewPreviewJSON returns the preview of request r, built for event e.
func NewPreviewJSON(e *Event, r *Request) *PreviewJSON {
	return &PreviewJSON{Event: e.Name, Delivery: e.GUID, Method: r.Method, URL: r.URL,
		Headers: r.Recorded(), Body: string(r.Body)}
}
