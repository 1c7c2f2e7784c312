package web

import (
	"bytes"
	"encoding/json"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"

	"github.com/forgehook/forgehook/hooks"
	"github.com/forgehook/forgehook/internal/redact"
)

// header is one header line as the delivery page shows it.
type header struct{ Name, Value string }

// deliveryData is one attempt's page.
type deliveryData struct {
	Hook            *hooks.Hook
	Delivery        *hooks.Delivery
	RequestHeaders  []header
	Payload         string
	ResponseHeaders []header
	ResponseBody    string
}

func (s *Server) deliveryPage(w http.ResponseWriter, r *http.Request, c *call) error {
	id, err := strconv.ParseInt(r.PathValue("delivery"), 10, 64)
	if err != nil {
		return notFound()
	}
	d, err := s.Deliveries.FindDelivery(r.Context(), c.Hook.ID, id)
	if err != nil {
		return err
	}
	data := deliveryData{Hook: c.Hook, Delivery: d, RequestHeaders: maskHeaders(d.RequestHeaders),
		Payload: pretty(d.Payload), ResponseHeaders: maskHeaders(d.ResponseHeaders), ResponseBody: pretty([]byte(d.ResponseBody))}
	s.render(w, r, http.StatusOK, "delivery", c, &view{Title: "Delivery " + d.GUID,
		Crumbs: append(s.repoCrumbs(c), crumb{"Webhook", hookPath(c.Hook)}), Notice: notice(r), Data: data})
	return nil
}

// redeliver queues the attempt again, as the API's attempts do, and shows
// the hook's deliveries, where the new attempt appears once sent.
func (s *Server) redeliver(w http.ResponseWriter, r *http.Request, c *call) error {
	id, err := strconv.ParseInt(r.PathValue("delivery"), 10, 64)
	if err != nil {
		return notFound()
	}
	if err := s.Admin.Redeliver(r.Context(), c.Hook.ID, id); err != nil {
		return err
	}
	http.Redirect(w, r, hookPath(c.Hook)+"?done=redelivered#deliveries", http.StatusSeeOther)
	return nil
}

// credentialHeaders always carry credentials, whatever their value looks like.
var credentialHeaders = []string{"authorization", "proxy-authorization", "cookie", "set-cookie"}

// maskHeaders returns headers sorted by name, the values of credential
// headers, and of headers whose names say secret or token, masked; URLs
// lose their user information.
func maskHeaders(m map[string]string) []header {
	out := make([]header, 0, len(m))
	for name, value := range m {
		lower := strings.ToLower(name)
		if slices.Contains(credentialHeaders, lower) && value != "" {
			value = redact.Mask
		} else {
			value = redact.Setting(lower, value)
		}
		out = append(out, header{Name: name, Value: value})
	}
	slices.SortFunc(out, func(a, b header) int { return strings.Compare(a.Name, b.Name) })
	return out
}

// pretty returns body indented if it is JSON (or a form whose payload
// field is), keys in their order, with the values of keys that name a
// secret, token or password masked (the keys then sorted); any other body
// as it is.
func pretty(body []byte) string {
	doc := bytes.TrimSpace(body)
	if len(doc) > 0 && doc[0] != '{' && doc[0] != '[' {
		if form, err := url.ParseQuery(string(doc)); err == nil && form.Has("payload") {
			doc = []byte(form.Get("payload"))
		}
	}
	dec := json.NewDecoder(bytes.NewReader(doc))
	dec.UseNumber()
	var v any
	if err := dec.Decode(&v); err != nil || dec.More() {
		return string(body)
	}
	var out bytes.Buffer
	masked := false
	v = mask("", v, &masked)
	if !masked {
		if err := json.Indent(&out, doc, "", "  "); err == nil {
			return out.String()
		}
	}
	enc := json.NewEncoder(&out)
	enc.SetEscapeHTML(false)
	enc.SetIndent("", "  ")
	if err := enc.Encode(v); err != nil {
		return string(body)
	}
	return strings.TrimSuffix(out.String(), "\n")
}

// mask returns v with secrets masked: the value of every key whose name
// redact says is a secret, and the user information of URLs in strings. It
// sets *masked if it changed anything.
func mask(key string, v any, masked *bool) any {
	switch x := v.(type) {
	case map[string]any:
		for k, y := range x {
			x[k] = mask(k, y, masked)
		}
		return x
	case []any:
		for i, y := range x {
			x[i] = mask(key, y, masked)
		}
		return x
	case string:
		if m := redact.Setting(strings.ToLower(key), x); m != x {
			*masked = true
			return m
		}
		return x
	}
	if v != nil && redact.Setting(strings.ToLower(key), "x") == redact.Mask {
		*masked = true
		return redact.Mask
	}
	return v
}
