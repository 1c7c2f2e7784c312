package api

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"unicode/utf8"

	"github.com/forgehook/forgehook/hooks"
)

// object is a JSON request body, read field by field so that each wrong type
// gets a clear message and unknown fields are ignored, as GitHub does.
type object map[string]json.RawMessage

// readObject reads r's body as a JSON object, whatever its Content-Type.
func readObject(r *http.Request) (object, error) {
	b, err := io.ReadAll(r.Body)
	var tooBig *http.MaxBytesError
	if errors.As(err, &tooBig) {
		return nil, hooks.Errorf(hooks.ETOOLARGE, "Request body too large: the limit is %d bytes", MaxBodySize)
	}
	if err != nil {
		return nil, hooks.Errorf(hooks.EBADREQUEST, "Problems parsing JSON")
	}
	b = bytes.TrimSpace(b)
	if len(b) == 0 || !json.Valid(b) {
		return nil, hooks.Errorf(hooks.EBADREQUEST, "Problems parsing JSON")
	}
	if b[0] != '{' {
		return nil, hooks.Errorf(hooks.EBADREQUEST, "Body should be a JSON object")
	}
	var o object
	if err := json.Unmarshal(b, &o); err != nil {
		return nil, hooks.Errorf(hooks.EBADREQUEST, "Problems parsing JSON")
	}
	return o, nil
}

func (o object) has(key string) bool { v, ok := o[key]; return ok && string(v) != "null" }

func typeError(key, want string, raw json.RawMessage) error {
	return hooks.Errorf(hooks.EINVALID, "Invalid request.\n\nFor 'properties/%s', %s is not %s.", key, truncate(string(raw), 100), want)
}

// str reads key as a string; absent or null gives "". A string that is not
// UTF-8 is refused rather than changed, as the JSON decoder would.
func (o object) str(key string) (string, error) {
	if !o.has(key) {
		return "", nil
	}
	if !utf8.Valid(o[key]) {
		return "", hooks.Invalid("Hook", key, "invalid", key+" must be valid UTF-8")
	}
	var s string
	if err := json.Unmarshal(o[key], &s); err != nil {
		return "", typeError(key, "a string", o[key])
	}
	return s, nil
}

// boolean reads key as a bool; absent or null gives nil.
func (o object) boolean(key string) (*bool, error) {
	if !o.has(key) {
		return nil, nil
	}
	var b bool
	if err := json.Unmarshal(o[key], &b); err != nil {
		return nil, typeError(key, "a boolean", o[key])
	}
	return &b, nil
}

// strings reads key as an array of strings; absent or null gives nil.
func (o object) strings(key string) ([]string, error) {
	if !o.has(key) {
		return nil, nil
	}
	var s []string
	if err := json.Unmarshal(o[key], &s); err != nil {
		return nil, typeError(key, "an array of strings", o[key])
	}
	if len(s) > hooks.MaxEvents {
		return nil, hooks.Invalid("Hook", key, "invalid", fmt.Sprintf("At most %d events are allowed", hooks.MaxEvents))
	}
	if s == nil {
		s = []string{}
	}
	return s, nil
}

// object reads key as a nested object; absent or null gives nil.
func (o object) object(key string) (object, error) {
	if !o.has(key) {
		return nil, nil
	}
	var sub object
	if err := json.Unmarshal(o[key], &sub); err != nil {
		return nil, typeError(key, "an object", o[key])
	}
	return sub, nil
}

// insecureSSL reads GitHub's insecure_ssl: "0"/"1", 0/1, or a boolean.
func (o object) insecureSSL() (*bool, error) {
	if !o.has("insecure_ssl") {
		return nil, nil
	}
	var v any
	_ = json.Unmarshal(o["insecure_ssl"], &v)
	var on bool
	switch v {
	case "0", float64(0), false:
	case "1", float64(1), true:
		on = true
	default:
		return nil, hooks.Invalid("Hook", "insecure_ssl", "invalid", `insecure_ssl must be "0" or "1"`)
	}
	return &on, nil
}

// config reads the keys of a hook config object that are set.
func (o object) config() (hooks.ConfigPatch, error) {
	var c hooks.ConfigPatch
	for key, dst := range map[string]**string{"url": &c.URL, "content_type": &c.ContentType, "secret": &c.Secret,
		"branch_filter": &c.BranchFilter, "signature": &c.Signature} {
		if !o.has(key) {
			continue
		}
		s, err := o.str(key)
		if err != nil {
			return c, err
		}
		*dst = &s
	}
	var err error
	if c.Headers, err = o.headers(); err != nil {
		return c, err
	}
	if c.InsecureSSL, err = o.insecureSSL(); err != nil {
		return c, err
	}
	if o.has("template") {
		t, err := hooks.ParseTemplate(o["template"])
		if err != nil {
			return c, err
		}
		c.Template = &t
	}
	return c, nil
}

// headers reads config.headers, an object of header names to string
// values; absent or null gives nil.
func (o object) headers() (*map[string]string, error) {
	if !o.has("headers") {
		return nil, nil
	}
	raw := o["headers"]
	if !utf8.Valid(raw) {
		return nil, hooks.Invalid("Hook", "headers", "invalid", "headers must be valid UTF-8")
	}
	var h map[string]string
	if err := json.Unmarshal(raw, &h); err != nil {
		return nil, typeError("headers", "an object of strings", raw)
	}
	if h == nil {
		h = map[string]string{}
	}
	return &h, nil
}

func truncate(s string, n int) string {
	if len(s) <= n {
		return s
	}
	return s[:n] + "…"
}
