// Package storetest is the conformance suite of forgehook's stores: the
// behaviour every implementation of the hooks storage interfaces must have,
// written against the interfaces only. Each store runs it from its tests
// with Run; nothing in it is particular to one backend.
package storetest

import (
	"context"
	"reflect"
	"runtime"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/forgehook/forgehook/hooks"
)

// Store is what both stores implement: the hooks storage interfaces plus the
// administration methods the commands use.
type Store interface {
	hooks.HookService
	hooks.AccountService
	hooks.PushQueue
	hooks.DeliveryQueue
	hooks.DeliveryService
	hooks.Tokens
	hooks.RefStates
	hooks.StatsReader
	hooks.SpoolDrainer

	// CreateToken makes a new API token for login, allowed to administer
	// repos, and returns it.
	CreateToken(ctx context.Context, login string, repos []string) (string, error)
	// ListTokens returns every API token, oldest first.
	ListTokens(ctx context.Context) ([]*hooks.Token, error)
	// RevokeToken deletes token id, or returns ENOTFOUND.
	RevokeToken(ctx context.Context, id int64) error
	// PruneDeliveries deletes history older than olderThan and returns how
	// many rows it deleted.
	PruneDeliveries(ctx context.Context, olderThan time.Time) (int, error)
	// HasSealedSecrets reports whether a hook secret is sealed.
	HasSealedSecrets(ctx context.Context) (bool, error)
	// ResealSecrets seals every hook secret again with the newest key and
	// returns how many it sealed.
	ResealSecrets(ctx context.Context) (int, error)
}

// Opener opens the stores under test. Each handle is set up as Config says,
// seals hook secrets with one key shared by every handle, and is closed
// when the test ends.
type Opener struct {
	// New returns a handle on a new, empty database.
	New func(t *testing.T, c Config) Store
	// Again returns another handle on the database of s, as a second
	// process (another daemon) opens it.
	Again func(t *testing.T, s Store, c Config) Store
	// Settle waits until s has finished the writes it does in the
	// background (tokens' last use); nil if it does none.
	Settle func(s Store)
}

// Run runs the conformance suite against the stores o opens.
func Run(t *testing.T, o Opener) {
	s := suite{o}
	for _, test := range []func(*testing.T){
		s.testCreateHook, s.testFindHooks, s.testHooksFor, s.testUpdateHook, s.testDeleteHook, s.testHookTemplate, s.testHookConfigAdditions,
		s.testEnsureAccount, s.testEnsureRepo,
		s.testPushQueue, s.testClaimPushesRoundRobin, s.testCompletePushesProgress, s.testRefState,
		s.testClaimJobs, s.testFinishJobs, s.testRecoverLeases, s.testNextDue, s.testClaimJobsConcurrently,
		s.testHookOrderAcrossOwners, s.testHookHealth, s.testFarewells, s.testGlobalHooks,
		s.testFindDeliveries, s.testFindDelivery, s.testRedeliver, s.testLatestEvent, s.testEnqueueEvent,
		s.testSearchDeliveries, s.testPruneDeliveries,
		s.testTokens, s.testListAndRevokeTokens,
		s.testSecrets, s.testReadStats, s.testDrainSpool,
	} {
		t.Run(testName(test), test)
	}
}

// testName turns the method value s.testClaimJobs into "ClaimJobs".
func testName(f func(*testing.T)) string {
	name := runtime.FuncForPC(reflect.ValueOf(f).Pointer()).Name() // ...suite.testClaimJobs-fm
	name = name[strings.LastIndex(name, ".")+1:]
	name = strings.TrimSuffix(name, "-fm")
	return strings.TrimPrefix(name, "test")
}

// Config is how the suite wants a handle set up.
type Config struct {
	Now              func() time.Time // the store's clock
	MaxHooksPerEvent int              // 0: the store's default (GitHub's 20)
}

type suite struct{ o Opener }

// DB is a store under test with its clock.
type DB struct {
	Store
	clock *Clock
}

// Now returns the time of db's clock.
func (db *DB) Now() time.Time { return db.clock.Now() }

// open opens a new database with its clock pinned to a Clock.
func (s suite) open(t *testing.T) (*DB, *Clock) {
	t.Helper()
	return s.openLimited(t, 0)
}

// openLimited is open with at most maxPerEvent hooks per event.
func (s suite) openLimited(t *testing.T, maxPerEvent int) (*DB, *Clock) {
	t.Helper()
	c := NewClock()
	return &DB{Store: s.o.New(t, Config{Now: c.Now, MaxHooksPerEvent: maxPerEvent}), clock: c}, c
}

// again opens another handle on db's database, sharing its clock.
func (s suite) again(t *testing.T, db *DB) *DB {
	t.Helper()
	return &DB{Store: s.o.Again(t, db.Store, Config{Now: db.clock.Now}), clock: db.clock}
}

// settle waits for db's background writes.
func (s suite) settle(db *DB) {
	if s.o.Settle != nil {
		s.o.Settle(db.Store)
	}
}

// Clock is a settable time source.
type Clock struct {
	mu sync.Mutex
	t  time.Time
}

// NewClock returns a clock at the suite's fixed start time.
func NewClock() *Clock { return &Clock{t: time.Date(2025, 6, 1, 12, 0, 0, 0, time.UTC)} }

// Now returns the clock's time.
func (c *Clock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.t
}

// Add moves the clock by d.
func (c *Clock) Add(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.t = c.t.Add(d)
}

// MustCreateHook creates a push hook of owner/repo (repo "" for an
// organization hook) delivering to url.
func MustCreateHook(tb testing.TB, db Store, owner, repo, url string, events ...string) *hooks.Hook {
	tb.Helper()
	h := &hooks.Hook{Owner: owner, Repo: repo, Active: true, Events: events,
		Config: hooks.HookConfig{URL: url, ContentType: hooks.ContentJSON, Secret: "s3cret"}}
	if err := db.CreateHook(context.Background(), h); err != nil {
		tb.Fatal(err)
	}
	return h
}

// MustEnqueueEvent stores a push event of o/r for targets and returns it.
func MustEnqueueEvent(tb testing.TB, db Store, targets ...int64) *hooks.Event {
	tb.Helper()
	e := &hooks.Event{Owner: "o", Repo: "r", RepoID: 7, OwnerID: 3, Name: hooks.EventPush,
		Payload: []byte(`{"ref":"refs/heads/main"}`), Targets: targets}
	if err := db.EnqueueEvent(context.Background(), e); err != nil {
		tb.Fatal(err)
	}
	return e
}

// wantCode fails the test unless err has the domain error code want.
func wantCode(tb testing.TB, err error, want string) {
	tb.Helper()
	if got := hooks.ErrorCode(err); got != want {
		tb.Fatalf("error code=%q (%v), want %q", got, err, want)
	}
}
