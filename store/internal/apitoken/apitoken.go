// Package apitoken makes forgehook's API tokens and the hashes the stores
// keep of them: a store never holds a token itself.
package apitoken

import (
	"crypto/rand"
	"crypto/sha256"
	"encoding/hex"
	"strings"
	"time"
)

// Prefix starts every token; 40 hex digits (160 random bits) follow.
const Prefix = "fh_"

const length = len(Prefix) + 40

// LastUsedResolution is how stale a token's last-used time may get: an
// authenticated request writes it at most this often.
const LastUsedResolution = time.Minute

// New returns a new random token.
func New() (string, error) {
	var b [20]byte
	if _, err := rand.Read(b[:]); err != nil {
		return "", err
	}
	return Prefix + hex.EncodeToString(b[:]), nil
}

// WellFormed reports whether token could be one New made.
func WellFormed(token string) bool {
	return len(token) == length && strings.HasPrefix(token, Prefix)
}

// Hash returns the hex sha256 of token, as stored.
func Hash(token string) string {
	sum := sha256.Sum256([]byte(token))
	return hex.EncodeToString(sum[:])
}
