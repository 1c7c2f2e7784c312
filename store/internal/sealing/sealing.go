// Package sealing is how forgehook's stores keep hook secrets and custom
// headers at rest:
// sealed by a Sealer, bound to the hook's row, never stored in plain text.
// The SQL around it is each store's own.
package sealing

import (
	"encoding/json"
	"errors"
	"fmt"
	"strconv"
)

// Sealer encrypts values at rest; *seal.Keyring is one. ad names where a
// value is stored, so that a sealed value moved elsewhere does not open.
type Sealer interface {
	Seal(plaintext, ad []byte) (string, error)
	Open(sealed string, ad []byte) ([]byte, error)
}

// ErrNoSealer is returned where a hook secret must be sealed or opened and
// there is no Sealer: a secret is never stored in plain text, nor read as
// empty.
var ErrNoSealer = errors.New("hook secrets need the secret key, and this process has none")

// secretAD binds the sealed secret of hook id to its row and column.
func secretAD(id int64) []byte { return []byte("hooks.secret:" + strconv.FormatInt(id, 10)) }

// Seal returns how hook id's secret is stored, and whether it is sealed; an
// empty secret (an unsigned hook) is stored as it is.
func Seal(s Sealer, id int64, secret string) (string, bool, error) {
	sealed, ok, err := sealAt(s, secretAD(id), secret)
	if err != nil && !errors.Is(err, ErrNoSealer) {
		return "", false, fmt.Errorf("hook %d: seal secret: %w", id, err)
	}
	return sealed, ok, err
}

// Open returns hook id's secret from how it is stored: sealed, or plain
// text from before secrets were sealed.
func Open(s Sealer, id int64, stored string, sealed bool) (string, error) {
	plain, err := openAt(s, secretAD(id), stored, sealed)
	if err != nil && !errors.Is(err, ErrNoSealer) {
		return "", fmt.Errorf("hook %d: open secret: %w", id, err)
	}
	return plain, err
}

// farewellAD binds the sealed secret of farewell id (the meta event of a
// deleted hook) to its row and column.
func farewellAD(id int64) []byte { return []byte("farewells.secret:" + strconv.FormatInt(id, 10)) }

// SealFarewell returns how the secret of farewell id, its deleted hook's,
// is stored, and whether it is sealed; an empty secret is stored as it is.
func SealFarewell(s Sealer, id int64, secret string) (string, bool, error) {
	sealed, ok, err := sealAt(s, farewellAD(id), secret)
	if err != nil && !errors.Is(err, ErrNoSealer) {
		return "", false, fmt.Errorf("farewell %d: seal secret: %w", id, err)
	}
	return sealed, ok, err
}

// OpenFarewell returns the secret of farewell id from how it is stored.
func OpenFarewell(s Sealer, id int64, stored string, sealed bool) (string, error) {
	plain, err := openAt(s, farewellAD(id), stored, sealed)
	if err != nil && !errors.Is(err, ErrNoSealer) {
		return "", fmt.Errorf("farewell %d: open secret: %w", id, err)
	}
	return plain, err
}

// sealAt returns how a secret stored where ad says is stored, and whether
// it is sealed; an empty secret is stored as it is.
func sealAt(s Sealer, ad []byte, secret string) (string, bool, error) {
	if secret == "" {
		return "", false, nil
	}
	if s == nil {
		return "", false, ErrNoSealer
	}
	sealed, err := s.Seal([]byte(secret), ad)
	if err != nil {
		return "", false, err
	}
	return sealed, true, nil
}

// openAt returns a secret stored where ad says: sealed, or plain text.
func openAt(s Sealer, ad []byte, stored string, sealed bool) (string, error) {
	if !sealed {
		return stored, nil
	}
	if s == nil {
		return "", ErrNoSealer
	}
	plain, err := s.Open(stored, ad)
	if err != nil {
		return "", err
	}
	return string(plain), nil
}

// headersAD binds the sealed custom headers of hook id to its row and column.
func headersAD(id int64) []byte { return []byte("hooks.headers:" + strconv.FormatInt(id, 10)) }

// SealHeaders returns how hook id's custom headers are stored: empty for
// none, else their JSON object, sealed. Unlike secrets, headers were never
// stored in plain text, so there is no unsealed form.
func SealHeaders(s Sealer, id int64, headers map[string]string) (string, error) {
	if len(headers) == 0 {
		return "", nil
	}
	if s == nil {
		return "", ErrNoSealer
	}
	b, err := json.Marshal(headers)
	if err != nil {
		return "", fmt.Errorf("hook %d: encode headers: %w", id, err)
	}
	sealed, err := s.Seal(b, headersAD(id))
	if err != nil {
		return "", fmt.Errorf("hook %d: seal headers: %w", id, err)
	}
	return sealed, nil
}

// OpenHeaders returns hook id's custom headers from how they are stored,
// nil for none.
func OpenHeaders(s Sealer, id int64, stored string) (map[string]string, error) {
	if stored == "" {
		return nil, nil
	}
	if s == nil {
		return nil, ErrNoSealer
	}
	plain, err := s.Open(stored, headersAD(id))
	if err != nil {
		return nil, fmt.Errorf("hook %d: open headers: %w", id, err)
	}
	var h map[string]string
	if err := json.Unmarshal(plain, &h); err != nil {
		return nil, fmt.Errorf("hook %d: decode headers: %w", id, err)
	}
	return h, nil
}
