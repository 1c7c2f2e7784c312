// Package seal encrypts small secrets at rest with AES-256-GCM under a
// keyring kept in a key file, as GitHub and Gitea do for webhook secrets.
//
// A sealed value is text: "v1:<key id>:<base64 of nonce and ciphertext>".
// The caller's additional data (where the value is stored, such as a table,
// column and row id) is authenticated with it, so a sealed value copied to
// another row or column does not open. The newest key seals; every key of
// the ring opens.
package seal

import (
	"crypto/aes"
	"crypto/cipher"
	"crypto/rand"
	"encoding/base64"
	"encoding/hex"
	"errors"
	"fmt"
	"strings"
	"sync"
)

// version prefixes every sealed value; a new format gets a new version.
const version = "v1"

// keySize is the length of an AES-256 key.
const keySize = 32

// Errors that Open returns, wrapped with the key id where there is one.
var (
	// ErrMalformed means the value is not a sealed value of a known version.
	ErrMalformed = errors.New("not a sealed value")
	// ErrUnknownKey means the value was sealed with a key the ring lacks.
	ErrUnknownKey = errors.New("sealed with a key the key file does not hold")
	// ErrAuth means the key does not open the value: a wrong key of the same
	// id, a damaged value, or a value moved from where it was sealed.
	ErrAuth = errors.New("key does not open the sealed value")
)

// key is one AES-256-GCM key and its id.
type key struct {
	id   string
	raw  []byte
	aead cipher.AEAD
}

func newKey(id string, raw []byte) (key, error) {
	if len(raw) != keySize {
		return key{}, fmt.Errorf("key %s: %d bytes, want %d", id, len(raw), keySize)
	}
	if !validID(id) {
		return key{}, fmt.Errorf("key id %q: want 1 to 32 letters, digits, - or _", id)
	}
	block, err := aes.NewCipher(raw)
	if err != nil {
		return key{}, err
	}
	aead, err := cipher.NewGCM(block)
	if err != nil {
		return key{}, err
	}
	return key{id: id, raw: raw, aead: aead}, nil
}

// freshKey makes a random key with a random id.
func freshKey() (key, error) {
	raw := make([]byte, keySize)
	id := make([]byte, 4)
	if _, err := rand.Read(raw); err != nil {
		return key{}, err
	}
	if _, err := rand.Read(id); err != nil {
		return key{}, err
	}
	return newKey("k"+hex.EncodeToString(id), raw)
}

func validID(id string) bool {
	if id == "" || len(id) > 32 {
		return false
	}
	for _, c := range id {
		if !(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '-' || c == '_') {
			return false
		}
	}
	return true
}

// Keyring holds the keys that seal and open secrets, oldest first. A ring
// loaded from a key file reads the file again when it meets a value sealed
// with a key it lacks, so a daemon keeps opening secrets that "forgehook
// secrets rotate" re-sealed while it ran. Its methods are safe for
// concurrent use.
type Keyring struct {
	path string // "" for a ring that lives in memory only

	mu   sync.RWMutex
	keys []key
}

// New returns a ring of one fresh random key that lives in memory only.
func New() (*Keyring, error) {
	k, err := freshKey()
	if err != nil {
		return nil, fmt.Errorf("new keyring: %w", err)
	}
	return &Keyring{keys: []key{k}}, nil
}

// Newest returns the id of the key that seals.
func (r *Keyring) Newest() string {
	r.mu.RLock()
	defer r.mu.RUnlock()
	return r.keys[len(r.keys)-1].id
}

// IDs returns the ids of the ring's keys, oldest first.
func (r *Keyring) IDs() []string {
	r.mu.RLock()
	defer r.mu.RUnlock()
	ids := make([]string, len(r.keys))
	for i, k := range r.keys {
		ids[i] = k.id
	}
	return ids
}

// Path returns the key file of the ring, or "" for a ring in memory.
func (r *Keyring) Path() string { return r.path }

// Seal encrypts plaintext with the newest key, bound to ad.
func (r *Keyring) Seal(plaintext, ad []byte) (string, error) {
	r.mu.RLock()
	k := r.keys[len(r.keys)-1]
	r.mu.RUnlock()
	nonce := make([]byte, k.aead.NonceSize(), k.aead.NonceSize()+len(plaintext)+k.aead.Overhead())
	if _, err := rand.Read(nonce); err != nil {
		return "", fmt.Errorf("seal: %w", err)
	}
	head := version + ":" + k.id + ":"
	out := k.aead.Seal(nonce, nonce, plaintext, additional(head, ad))
	return head + base64.StdEncoding.EncodeToString(out), nil
}

// Open decrypts a value that Seal returned for the same ad. It fails with
// ErrMalformed, ErrUnknownKey or ErrAuth.
func (r *Keyring) Open(sealed string, ad []byte) ([]byte, error) {
	v, rest, ok1 := strings.Cut(sealed, ":")
	id, b64, ok2 := strings.Cut(rest, ":")
	if !ok1 || !ok2 || v != version {
		return nil, ErrMalformed
	}
	data, err := base64.StdEncoding.DecodeString(b64)
	if err != nil {
		return nil, ErrMalformed
	}
	k, ok := r.find(id)
	if !ok && r.path != "" {
		if err := r.reload(); err != nil {
			return nil, fmt.Errorf("key %s: %w", id, err)
		}
		k, ok = r.find(id)
	}
	if !ok {
		return nil, fmt.Errorf("key %s: %w", id, ErrUnknownKey)
	}
	n := k.aead.NonceSize()
	if len(data) < n+k.aead.Overhead() {
		return nil, ErrMalformed
	}
	plain, err := k.aead.Open(nil, data[:n], data[n:], additional(version+":"+id+":", ad))
	if err != nil {
		return nil, fmt.Errorf("key %s: %w", id, ErrAuth)
	}
	return plain, nil
}

// additional is the data GCM authenticates besides the ciphertext: the
// value's head (version and key id) and the caller's ad.
func additional(head string, ad []byte) []byte {
	return append([]byte(head), ad...)
}

func (r *Keyring) find(id string) (key, bool) {
	r.mu.RLock()
	defer r.mu.RUnlock()
	for _, k := range r.keys {
		if k.id == id {
			return k, true
		}
	}
	return key{}, false
}
