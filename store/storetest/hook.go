package storetest

import (
	"context"
	"fmt"
	"slices"
	"testing"
	"time"

	"github.com/forgehook/forgehook/hooks"
)

func (s suite) testCreateHook(t *testing.T) {
	ctx := context.Background()

	t.Run("OK", func(t *testing.T) {
		db, clock := s.open(t)
		h := &hooks.Hook{Owner: "Octo", Repo: "Hello", Active: true, Events: []string{"push", "create"},
			Config: hooks.HookConfig{URL: "https://ci.example/hook", ContentType: hooks.ContentJSON, Secret: "s", InsecureSSL: true}}
		if err := db.CreateHook(ctx, h); err != nil {
			t.Fatal(err)
		}
		if h.ID == 0 {
			t.Fatal("ID not set")
		}
		if !h.CreatedAt.Equal(clock.Now()) || !h.UpdatedAt.Equal(clock.Now()) {
			t.Fatalf("created=%v updated=%v, want %v", h.CreatedAt, h.UpdatedAt, clock.Now())
		}
		if want := (hooks.LastResponse{Status: "unused"}); h.LastResponse != want {
			t.Fatalf("last response=%+v, want %+v", h.LastResponse, want)
		}
		got, err := db.FindHookByID(ctx, h.ID)
		if err != nil {
			t.Fatal(err)
		}
		if fmt.Sprintf("%+v", got) != fmt.Sprintf("%+v", h) {
			t.Fatalf("FindHookByID=%+v\nwant %+v", got, h)
		}
	})

	t.Run("Defaults", func(t *testing.T) {
		db, _ := s.open(t)
		h := &hooks.Hook{Owner: "o", Repo: "r", Config: hooks.HookConfig{URL: "http://x.example/"}}
		if err := db.CreateHook(ctx, h); err != nil {
			t.Fatal(err)
		}
		got, err := db.FindHookByID(ctx, h.ID)
		if err != nil {
			t.Fatal(err)
		}
		if got.Name != "web" || !slices.Equal(got.Events, []string{"push"}) || got.Config.ContentType != hooks.ContentForm {
			t.Fatalf("name=%q events=%v content type=%q, want web [push] form", got.Name, got.Events, got.Config.ContentType)
		}
	})

	t.Run("ErrInvalid", func(t *testing.T) {
		db, _ := s.open(t)
		err := db.CreateHook(ctx, &hooks.Hook{Owner: "o", Repo: "r", Config: hooks.HookConfig{URL: "ftp://x"}})
		wantCode(t, err, hooks.EINVALID)
	})

	t.Run("ErrDuplicate", func(t *testing.T) {
		db, _ := s.open(t)
		MustCreateHook(t, db, "o", "r", "http://x.example/", "push", "create")
		for _, tt := range []struct {
			name   string
			owner  string
			repo   string
			url    string
			events []string
			code   string
		}{
			{"same event", "o", "r", "http://x.example/", []string{"push"}, hooks.EINVALID},
			{"repository spelled in another case", "O", "R", "http://x.example/", []string{"push"}, ""},
			{"wildcard", "o", "r", "http://x.example/", []string{"*"}, hooks.EINVALID},
			{"other events", "o", "r", "http://x.example/", []string{"delete"}, ""},
			{"other URL", "o", "r", "http://y.example/", []string{"push"}, ""},
			{"other repository", "o", "r2", "http://x.example/", []string{"push"}, ""},
			{"organization hook", "o", "", "http://x.example/", []string{"push"}, ""},
		} {
			t.Run(tt.name, func(t *testing.T) {
				h := &hooks.Hook{Owner: tt.owner, Repo: tt.repo, Events: tt.events, Config: hooks.HookConfig{URL: tt.url}}
				err := db.CreateHook(ctx, h)
				wantCode(t, err, tt.code)
				if err != nil && hooks.ErrorMessage(err) != "Validation Failed" {
					t.Fatalf("message=%q, want Validation Failed", hooks.ErrorMessage(err))
				}
				if err != nil && err.Error() != "Validation Failed: Hook already exists on this repository" {
					t.Fatalf("error=%q", err)
				}
			})
		}
	})

	t.Run("ErrHooksPerEvent", func(t *testing.T) {
		db, _ := s.openLimited(t, 2)
		MustCreateHook(t, db, "o", "r", "http://a.example/", "push")
		MustCreateHook(t, db, "o", "r", "http://b.example/", "*")
		MustCreateHook(t, db, "o", "r2", "http://c.example/", "push") // another repository
		MustCreateHook(t, db, "o", "r", "http://c.example/", "create")

		err := db.CreateHook(ctx, &hooks.Hook{Owner: "o", Repo: "r", Events: []string{"push", "delete"},
			Config: hooks.HookConfig{URL: "http://d.example/"}})
		wantCode(t, err, hooks.EINVALID)
		if got, want := err.Error(), `Validation Failed: The "push" event cannot have more than 2 hooks`; got != want {
			t.Fatalf("error=%q, want %q", got, want)
		}
		// A wildcard hook counts for every event: create now has two hooks too.
		err = db.CreateHook(ctx, &hooks.Hook{Owner: "o", Repo: "r", Events: []string{"*"},
			Config: hooks.HookConfig{URL: "http://d.example/"}})
		wantCode(t, err, hooks.EINVALID)
		if e := err.(*hooks.Error); len(e.Fields) != 2 {
			t.Fatalf("fields=%+v, want one for create and one for push", e.Fields)
		}
		// delete has one hook (the wildcard) and may get another.
		MustCreateHook(t, db, "o", "r", "http://d.example/", "delete")
	})

	t.Run("ErrHooksPerRepo", func(t *testing.T) {
		if testing.Short() {
			t.Skip("creates 250 hooks")
		}
		db, _ := s.openLimited(t, 1000)
		for i := range hooks.MaxHooksPerRepo {
			MustCreateHook(t, db, "o", "r", fmt.Sprintf("http://x.example/%d", i))
		}
		err := db.CreateHook(ctx, &hooks.Hook{Owner: "o", Repo: "r", Config: hooks.HookConfig{URL: "http://y.example/"}})
		wantCode(t, err, hooks.EINVALID)
		if got, want := err.Error(), "Validation Failed: The repository cannot have more than 250 hooks"; got != want {
			t.Fatalf("error=%q, want %q", got, want)
		}
	})
}

func (s suite) testFindHooks(t *testing.T) {
	ctx := context.Background()
	db, _ := s.open(t)
	a := MustCreateHook(t, db, "octo", "hello", "http://a.example/")
	b := MustCreateHook(t, db, "octo", "hello", "http://b.example/")
	c := MustCreateHook(t, db, "octo", "other", "http://a.example/")
	org := MustCreateHook(t, db, "octo", "", "http://a.example/")
	d := MustCreateHook(t, db, "someone", "hello", "http://a.example/")

	for _, tt := range []struct {
		name  string
		f     hooks.HookFilter
		want  []*hooks.Hook
		total int
	}{
		{"all", hooks.HookFilter{}, []*hooks.Hook{a, b, c, org, d}, 5},
		{"by id", hooks.HookFilter{ID: c.ID}, []*hooks.Hook{c}, 1},
		{"unknown id", hooks.HookFilter{ID: 999}, nil, 0},
		{"repository", hooks.HookFilter{Owner: "octo", Repo: "hello"}, []*hooks.Hook{a, b}, 2},
		{"repository in another case", hooks.HookFilter{Owner: "OCTO", Repo: "Hello"}, nil, 0},
		{"owner", hooks.HookFilter{Owner: "octo"}, []*hooks.Hook{a, b, c, org}, 4},
		{"owner in another case", hooks.HookFilter{Owner: "Octo"}, nil, 0},
		{"organization", hooks.HookFilter{Owner: "octo", Org: true}, []*hooks.Hook{org}, 1},
		{"url", hooks.HookFilter{Owner: "octo", URL: "http://a.example/"}, []*hooks.Hook{a, c, org}, 3},
		{"page", hooks.HookFilter{Owner: "octo", Offset: 1, Limit: 2}, []*hooks.Hook{b, c}, 4},
		{"past the end", hooks.HookFilter{Owner: "octo", Offset: 10, Limit: 2}, nil, 4},
	} {
		t.Run(tt.name, func(t *testing.T) {
			got, n, err := db.FindHooks(ctx, tt.f)
			if err != nil {
				t.Fatal(err)
			}
			if n != tt.total {
				t.Fatalf("total=%d, want %d", n, tt.total)
			}
			if g, w := HookIDs(got), HookIDs(tt.want); !slices.Equal(g, w) {
				t.Fatalf("ids=%v, want %v", g, w)
			}
		})
	}
}

func (s suite) testHooksFor(t *testing.T) {
	ctx := context.Background()
	db, _ := s.open(t)
	repo := MustCreateHook(t, db, "octo", "hello", "http://a.example/")
	org := MustCreateHook(t, db, "octo", "", "http://b.example/")
	inactive := MustCreateHook(t, db, "octo", "hello", "http://c.example/")
	off := false
	if _, err := db.UpdateHook(ctx, inactive.ID, hooks.HookUpdate{Active: &off}); err != nil {
		t.Fatal(err)
	}
	MustCreateHook(t, db, "octo", "other", "http://d.example/")
	MustCreateHook(t, db, "someone", "", "http://e.example/")

	got, err := db.HooksFor(ctx, "octo", "hello")
	if err != nil {
		t.Fatal(err)
	}
	if g, w := HookIDs(got), []int64{repo.ID, org.ID}; !slices.Equal(g, w) {
		t.Fatalf("ids=%v, want %v", g, w)
	}
	// Names are exact: Octo/HELLO is another repository, with no hooks.
	if got, err := db.HooksFor(ctx, "Octo", "HELLO"); err != nil || len(got) != 0 {
		t.Fatalf("hooks of Octo/HELLO: ids=%v (%v), want none", HookIDs(got), err)
	}
}

func (s suite) testUpdateHook(t *testing.T) {
	ctx := context.Background()

	t.Run("OK", func(t *testing.T) {
		db, clock := s.open(t)
		h := MustCreateHook(t, db, "o", "r", "http://a.example/", "push")
		clock.Add(time.Hour)
		off := false
		got, err := db.UpdateHook(ctx, h.ID, hooks.HookUpdate{AddEvents: []string{"create"}, Active: &off,
			Config: &hooks.HookConfig{URL: "http://b.example/", ContentType: hooks.ContentForm, Secret: hooks.SecretMask}})
		if err != nil {
			t.Fatal(err)
		}
		if !slices.Equal(got.Events, []string{"push", "create"}) || got.Active || got.Config.URL != "http://b.example/" {
			t.Fatalf("events=%v active=%v url=%q", got.Events, got.Active, got.Config.URL)
		}
		if got.Config.Secret != "s3cret" {
			t.Fatalf("secret=%q, want the old one kept", got.Config.Secret)
		}
		if !got.UpdatedAt.Equal(clock.Now()) || !got.CreatedAt.Equal(h.CreatedAt) {
			t.Fatalf("created=%v updated=%v", got.CreatedAt, got.UpdatedAt)
		}
		stored, err := db.FindHookByID(ctx, h.ID)
		if err != nil {
			t.Fatal(err)
		}
		if fmt.Sprintf("%+v", stored) != fmt.Sprintf("%+v", got) {
			t.Fatalf("stored=%+v\nwant %+v", stored, got)
		}
	})

	t.Run("SameURLAsItself", func(t *testing.T) {
		db, _ := s.open(t)
		h := MustCreateHook(t, db, "o", "r", "http://a.example/", "push")
		if _, err := db.UpdateHook(ctx, h.ID, hooks.HookUpdate{AddEvents: []string{"delete"}}); err != nil {
			t.Fatal(err)
		}
	})

	t.Run("ErrDuplicate", func(t *testing.T) {
		db, _ := s.open(t)
		MustCreateHook(t, db, "o", "r", "http://a.example/", "push")
		h := MustCreateHook(t, db, "o", "r", "http://a.example/", "create")
		_, err := db.UpdateHook(ctx, h.ID, hooks.HookUpdate{AddEvents: []string{"push"}})
		wantCode(t, err, hooks.EINVALID)
		got, err := db.FindHookByID(ctx, h.ID)
		if err != nil {
			t.Fatal(err)
		}
		if !slices.Equal(got.Events, []string{"create"}) {
			t.Fatalf("events=%v, want unchanged [create]", got.Events)
		}
	})

	t.Run("ErrInvalid", func(t *testing.T) {
		db, _ := s.open(t)
		h := MustCreateHook(t, db, "o", "r", "http://a.example/")
		_, err := db.UpdateHook(ctx, h.ID, hooks.HookUpdate{AddEvents: []string{"nonsense"}})
		wantCode(t, err, hooks.EINVALID)
	})

	t.Run("ErrNotFound", func(t *testing.T) {
		db, _ := s.open(t)
		_, err := db.UpdateHook(ctx, 42, hooks.HookUpdate{})
		wantCode(t, err, hooks.ENOTFOUND)
	})
}

func (s suite) testDeleteHook(t *testing.T) {
	ctx := context.Background()

	t.Run("OK", func(t *testing.T) {
		db, _ := s.open(t)
		h := MustCreateHook(t, db, "o", "r", "http://a.example/")
		other := MustCreateHook(t, db, "o", "r", "http://b.example/")
		MustEnqueueEvent(t, db, h.ID, other.ID)
		MustDeliverAll(t, db)
		if err := db.DeleteHook(ctx, h.ID); err != nil {
			t.Fatal(err)
		}
		_, err := db.FindHookByID(ctx, h.ID)
		wantCode(t, err, hooks.ENOTFOUND)
		if ds, err := db.FindDeliveries(ctx, h.ID, 0, 0); err != nil || len(ds) != 0 {
			t.Fatalf("deliveries of the deleted hook=%d (%v), want 0", len(ds), err)
		}
		if ds, err := db.FindDeliveries(ctx, other.ID, 0, 0); err != nil || len(ds) != 1 {
			t.Fatalf("deliveries of the other hook=%d (%v), want 1", len(ds), err)
		}
	})

	t.Run("IDNotReused", func(t *testing.T) {
		db, _ := s.open(t)
		h := MustCreateHook(t, db, "o", "r", "http://a.example/")
		if err := db.DeleteHook(ctx, h.ID); err != nil {
			t.Fatal(err)
		}
		if next := MustCreateHook(t, db, "o", "r", "http://a.example/"); next.ID <= h.ID {
			t.Fatalf("new hook id=%d after deleting hook %d, want a new id", next.ID, h.ID)
		}
	})

	t.Run("ErrNotFound", func(t *testing.T) {
		db, _ := s.open(t)
		wantCode(t, db.DeleteHook(ctx, 42), hooks.ENOTFOUND)
		_, err := db.FindHookByID(ctx, 42)
		wantCode(t, err, hooks.ENOTFOUND)
	})
}

// HookIDs returns the ids of list, in order.
func HookIDs(list []*hooks.Hook) []int64 {
	var ids []int64
	for _, h := range list {
		ids = append(ids, h.ID)
	}
	return ids
}
