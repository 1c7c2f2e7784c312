package hooks

// HookJSON is GitHub's hook object, as the REST API returns it and as ping
// payloads embed it. The secret is always masked.
type HookJSON struct {
	Type          string            `json:"type"`
	ID            int64             `json:"id"`
	Name          string            `json:"name"`
	Active        bool              `json:"active"`
	Events        []string          `json:"events"`
	Config        HookConfigJSON    `json:"config"`
	UpdatedAt     string            `json:"updated_at"`
	CreatedAt     string            `json:"created_at"`
	URL           string            `json:"url"`
	TestURL       string            `json:"test_url,omitempty"`
	PingURL       string            `json:"ping_url"`
	DeliveriesURL string            `json:"deliveries_url,omitempty"` // global hooks have none`
	LastResponse  *LastResponseJSON `json:"last_response"`
}

// HookConfigJSON is a hook's config object: every value a string, the secret masked.
// forgehook's additions are left out when unset, so a hook that uses none
// looks as on GitHub; header values are masked.
type HookConfigJSON struct {
	ContentType  string            `json:"content_type"`
	InsecureSSL  string            `json:"insecure_ssl"`
	URL          string            `json:"url"`
	Secret       string            `json:"secret,omitempty"`
	BranchFilter string            `json:"branch_filter,omitempty"`
	Headers      map[string]string `json:"headers,omitempty"`
	Signature    string            `json:"signature,omitempty"`
	// Template is a forgehook addition that GitHub clients ignore: the
	// request the hook sends instead of GitHub's, absent for none.
	Template *TemplateJSON `json:"template,omitempty"`
}

// LastResponseJSON is a hook's last_response object.
type LastResponseJSON struct {
	Code    *int    `json:"code"`
	Status  string  `json:"status"`
	Message *string `json:"message"`
}

// NewHookJSON returns the hook object of h, with URLs from u.
func NewHookJSON(u URLs, h *Hook) *HookJSON {
	self := u.Hook(h)
	j := &HookJSON{
		Type: h.Type(), ID: h.ID, Name: h.Name, Active: h.Active, Events: h.Events,
		Config:    NewHookConfigJSON(h.Config),
		UpdatedAt: isoTime(h.UpdatedAt), CreatedAt: isoTime(h.CreatedAt),
		URL: self, PingURL: self + "/pings", DeliveriesURL: self + "/deliveries",
		LastResponse: newLastResponseJSON(h.LastResponse),
	}
	switch {
	case h.IsGlobal(): // GitHub Enterprise Server's global hook object
		j.DeliveriesURL = ""
	case !h.IsOrg():
		j.TestURL = self + "/test"
	}
	if j.Events == nil {
		j.Events = []string{}
	}
	return j
}

// NewHookConfigJSON returns the config object of c with the secret and the
// header values masked.
func NewHookConfigJSON(c HookConfig) HookConfigJSON {
	j := HookConfigJSON{ContentType: c.ContentType.String(), InsecureSSL: "0", URL: c.URL,
		BranchFilter: c.BranchFilter, Headers: MaskHeaders(c.Headers), Signature: c.Signature,
		Template: NewTemplateJSON(c.Template)}
	if c.InsecureSSL {
		j.InsecureSSL = "1"
	}
	if c.Secret != "" {
		j.Secret = SecretMask
	}
	return j
}

func newLastResponseJSON(r LastResponse) *LastResponseJSON {
	if r.Status == "" || r.Status == "unused" {
		return &LastResponseJSON{Status: "unused"}
	}
	j := &LastResponseJSON{Status: r.Status, Message: nullable(r.Message)}
	if r.Code != 0 {
		code := r.Code
		j.Code = &code
	}
	return j
}
