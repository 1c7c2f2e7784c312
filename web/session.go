package web

import (
	"crypto/rand"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/base64"
	"sync"
	"time"
)

// Sessions live in the daemon's memory: a restart signs everyone out, and
// Sign out ends a session for good, whoever holds a copy of its cookie. The
// cookie holds only a random id; the token it was opened with stays here
// and is checked again on every request, so a revoked token ends its
// sessions at once.

// maxSessions bounds the sessions kept; past it the oldest goes first.
const maxSessions = 10000

// session is one sign-in.
type session struct {
	token   string // the API token signed in with
	csrf    string // the token every form of this session carries
	created time.Time
	expires time.Time
}

// sessions is the daemon's sessions, by the SHA-256 of their cookie's id.
type sessions struct {
	mu  sync.Mutex
	m   map[[sha256.Size]byte]*session
	max int
}

func newSessions(max int) *sessions {
	return &sessions{m: map[[sha256.Size]byte]*session{}, max: max}
}

// randomID returns 32 random bytes, base64url-encoded.
func randomID() string {
	var b [32]byte
	_, _ = rand.Read(b[:]) // crypto/rand.Read does not fail
	return base64.RawURLEncoding.EncodeToString(b[:])
}

// create opens a session for token that lasts ttl from now, and returns the
// id its cookie carries.
func (ss *sessions) create(token string, now time.Time, ttl time.Duration) (string, *session) {
	id := randomID()
	s := &session{token: token, csrf: randomID(), created: now, expires: now.Add(ttl)}
	ss.mu.Lock()
	defer ss.mu.Unlock()
	if len(ss.m) >= ss.max {
		ss.prune(now)
	}
	ss.m[sha256.Sum256([]byte(id))] = s
	return id, s
}

// prune drops the expired sessions, and the oldest ones while there are
// still too many. ss.mu is held.
func (ss *sessions) prune(now time.Time) {
	for k, s := range ss.m {
		if !now.Before(s.expires) {
			delete(ss.m, k)
		}
	}
	for len(ss.m) >= ss.max {
		var oldest [sha256.Size]byte
		var at time.Time
		for k, s := range ss.m {
			if at.IsZero() || s.created.Before(at) {
				oldest, at = k, s.created
			}
		}
		delete(ss.m, oldest)
	}
}

// find returns the unexpired session of id, or nil.
func (ss *sessions) find(id string, now time.Time) *session {
	k := sha256.Sum256([]byte(id))
	ss.mu.Lock()
	defer ss.mu.Unlock()
	s := ss.m[k]
	if s == nil {
		return nil
	}
	if !now.Before(s.expires) {
		delete(ss.m, k)
		return nil
	}
	return s
}

// remove ends the session of id, if there is one.
func (ss *sessions) remove(id string) {
	ss.mu.Lock()
	defer ss.mu.Unlock()
	delete(ss.m, sha256.Sum256([]byte(id)))
}

// sameToken compares a form's CSRF token with the expected one in constant
// time; an empty token never matches.
func sameToken(got, want string) bool {
	return got != "" && want != "" && subtle.ConstantTimeCompare([]byte(got), []byte(want)) == 1
}
