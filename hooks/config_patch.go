package hooks

// ConfigPatch is the keys of a hook config that a request sets; nil keys are
// left alone. The REST API reads one from a config object, the admin CLI
// from its flags.
type ConfigPatch struct {
	URL, ContentType, Secret *string
	InsecureSSL              *bool
	Template                 *Template // a zero Template removes the template
}

// Apply sets the keys of p on c. A secret equal to SecretMask (a masked
// config sent back) leaves the secret alone.
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
	if p.Template != nil {
		c.Template = *p.Template
	}
}

// IsZero reports whether p sets no key.
func (p ConfigPatch) IsZero() bool {
	return p.URL == nil && p.ContentType == nil && p.Secret == nil && p.InsecureSSL == nil && p.Template == nil
}
