package hooks

import "fmt"

// ContentType is how a hook's payload is encoded in the request body.
type ContentType string

// The two content types GitHub supports. Form is GitHub's default.
const (
	ContentJSON ContentType = "json"
	ContentForm ContentType = "form"
)

// String returns the name GitHub uses for c.
func (c ContentType) String() string { return string(c) }

// MIME returns the Content-Type header value for c.
func (c ContentType) MIME() string {
	if c == ContentJSON {
		return "application/json"
	}
	return "application/x-www-form-urlencoded"
}

// UnmarshalText accepts "json" or "form".
func (c *ContentType) UnmarshalText(b []byte) error {
	switch ContentType(b) {
	case ContentJSON, ContentForm, "":
		*c = ContentType(b)
		return nil
	}
	return fmt.Errorf("content type must be json or form, got %q", truncate(string(b), 50))
}
