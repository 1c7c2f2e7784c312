package hooks

// ConfigPatch is the keys of a hook config that a request sets; nil keys are
// left alone. The REST API reads one from a config object, the admin CLI
// from its flags.
type ConfigPatch struct {
	URL, ContentType, Secret *string
	InsecureSSL              *bool
	// forgehook's additions
	BranchFilter, Signature *string
	Headers                 *map[string]string
	Template                *Template // a zero Template removes the template
}

// Apply sets the keys of p on c. A secret equal to SecretMask (a masked
// config sent back) leaves the secret alone, and so does a header value
// equal to SecretMask leave that header's value alone. Headers replace all
// of c's headers.
func (p ConfigPatch) Apply(c *HookConfig) {
	if p.URL != nil {
		c.URL = *p.URL
	}
	if p.ContentType != nil {
		c.ContentType = ContentType(*p.ContentType)
	}
	if p.Secret != nil && *p.Secret != SecretMask {
		c.Secret = *p.Secret
	}
	if p.InsecureSSL != nil {
		c.InsecureSSL = *p.InsecureSSL
	}
	if p.BranchFilter != nil {
		c.BranchFilter = *p.BranchFilter
	}
	if p.Signature != nil {
		c.Signature = *p.Signature
	}
	if p.Headers != nil {
		c.Headers = keepMaskedHeaders(*p.Headers, c.Headers)
	}
	if p.Template != nil {
		c.Template = *p.Template
	}
}

// Replace returns the config that a request replacing the whole config of
// a hook whose config is old sets (PATCH /hooks/{id} with a config, as on
// GitHub): GitHub's keys as p has them, and forgehook's additions as p has
// them or, when p leaves them out, as old has them, since a GitHub client
// knows nothing of them. A secret equal to SecretMask stays SecretMask, for
// HookUpdate.Apply to keep the stored secret.
func (p ConfigPatch) Replace(old HookConfig) HookConfig {
	c := HookConfig{BranchFilter: old.BranchFilter, Headers: old.Headers, Signature: old.Signature, Template: old.Template}
	p.Apply(&c)
	if p.Secret != nil && *p.Secret == SecretMask {
		c.Secret = SecretMask
	}
	return c
}

// IsZero reports whether p sets no key.
func (p ConfigPatch) IsZero() bool {
	return p.URL == nil && p.ContentType == nil && p.Secret == nil && p.InsecureSSL == nil &&
		p.BranchFilter == nil && p.Signature == nil && p.Headers == nil && p.Template == nil
}
