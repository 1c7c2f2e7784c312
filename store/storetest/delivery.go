package storetest

import (
	"context"
	"fmt"
	"maps"
	"testing"
	"time"

	"github.com/forgehook/forgehook/hooks"
)

func (s suite) testFindDeliveries(t *testing.T) {
	ctx := context.Background()
	db, _ := s.open(t)
	h := MustCreateHook(t, db, "o", "r", "http://a.example/")
	other := MustCreateHook(t, db, "o", "r", "http://b.example/")
	var want []int64 // newest first
	for range 5 {
		MustEnqueueEvent(t, db, h.ID, other.ID)
		for _, o := range MustFinish(t, db, MustClaimJobs(t, db, "boot1", 10), hooks.JobSucceeded, 200, time.Time{}) {
			if o.Job.Hook.ID == h.ID {
				want = append([]int64{o.Delivery.ID}, want...)
			}
		}
	}

	var got []int64
	for before := int64(0); ; {
		page, err := db.FindDeliveries(ctx, h.ID, before, 2)
		if err != nil {
			t.Fatal(err)
		}
		if len(page) == 0 {
			break
		}
		if len(page) > 2 {
			t.Fatalf("page of %d, want at most 2", len(page))
		}
		for _, d := range page {
			if d.HookID != h.ID || d.Payload != nil || d.RequestHeaders != nil {
				t.Fatalf("delivery=%+v, want hook %d without payload or headers", d, h.ID)
			}
			got = append(got, d.ID)
		}
		before = page[len(page)-1].ID
	}
	if fmt.Sprint(got) != fmt.Sprint(want) {
		t.Fatalf("ids=%v, want %v", got, want)
	}
	all, err := db.FindDeliveries(ctx, h.ID, 0, 0)
	if err != nil || len(all) != 5 {
		t.Fatalf("without a limit: %d deliveries (%v), want 5", len(all), err)
	}
}

func (s suite) testFindDelivery(t *testing.T) {
	ctx := context.Background()
	db, _ := s.open(t)
	h := MustCreateHook(t, db, "o", "r", "http://a.example/")
	other := MustCreateHook(t, db, "o", "r", "http://b.example/")
	e := MustEnqueueEvent(t, db, h.ID)
	want := MustFinish(t, db, MustClaimJobs(t, db, "boot1", 10), hooks.JobRetry, 500, time.Time{})[0].Delivery

	t.Run("OK", func(t *testing.T) {
		got, err := db.FindDelivery(ctx, h.ID, want.ID)
		if err != nil {
			t.Fatal(err)
		}
		if string(got.Payload) != string(e.Payload) {
			t.Fatalf("payload=%s, want %s", got.Payload, e.Payload)
		}
		if !maps.Equal(got.RequestHeaders, want.RequestHeaders) || !maps.Equal(got.ResponseHeaders, want.ResponseHeaders) {
			t.Fatalf("headers=%v %v, want %v %v", got.RequestHeaders, got.ResponseHeaders, want.RequestHeaders, want.ResponseHeaders)
		}
		got.Payload = nil
		w := *want
		w.Owner, w.Repo = e.Owner, e.Repo // the event's repository, which the attempt does not carry
		if fmt.Sprintf("%+v", *got) != fmt.Sprintf("%+v", w) {
			t.Fatalf("delivery=%+v\nwant     %+v", *got, w)
		}
	})

	t.Run("ErrOtherHook", func(t *testing.T) {
		_, err := db.FindDelivery(ctx, other.ID, want.ID)
		wantCode(t, err, hooks.ENOTFOUND)
	})

	t.Run("ErrNotFound", func(t *testing.T) {
		_, err := db.FindDelivery(ctx, h.ID, want.ID+100)
		wantCode(t, err, hooks.ENOTFOUND)
	})
}

func (s suite) testRedeliver(t *testing.T) {
	ctx := context.Background()
	db, _ := s.open(t)
	h := MustCreateHook(t, db, "o", "r", "http://a.example/")
	other := MustCreateHook(t, db, "o", "r", "http://b.example/")
	e := MustEnqueueEvent(t, db, h.ID)
	first := MustFinish(t, db, MustClaimJobs(t, db, "boot1", 10), hooks.JobFailed, 500, time.Time{})[0]

	t.Run("ErrOtherHook", func(t *testing.T) {
		wantCode(t, db.Redeliver(ctx, other.ID, first.Delivery.ID), hooks.ENOTFOUND)
	})

	t.Run("OK", func(t *testing.T) {
		if err := db.Redeliver(ctx, h.ID, first.Delivery.ID); err != nil {
			t.Fatal(err)
		}
		jobs := MustClaimJobs(t, db, "boot1", 10)
		if len(jobs) != 1 {
			t.Fatalf("claimed %d jobs, want the redelivery", len(jobs))
		}
		j := jobs[0]
		if j.ID == first.Job.ID || j.Event.ID != e.ID || j.Event.GUID != e.GUID || j.Hook.ID != h.ID ||
			!j.Redelivery || j.Attempt != 1 {
			t.Fatalf("job=%+v, want a new redelivery job of event %d (guid %s), attempt 1", j, e.ID, e.GUID)
		}
		o := MustFinish(t, db, jobs, hooks.JobSucceeded, 200, time.Time{})[0]
		d, err := db.FindDelivery(ctx, h.ID, o.Delivery.ID)
		if err != nil {
			t.Fatal(err)
		}
		if !d.Redelivery || d.GUID != e.GUID {
			t.Fatalf("delivery redelivery=%v guid=%q, want true %q", d.Redelivery, d.GUID, e.GUID)
		}
	})
}

func (s suite) testLatestEvent(t *testing.T) {
	ctx := context.Background()
	db, _ := s.open(t)
	_, err := db.LatestEvent(ctx, "o", "r", "push")
	wantCode(t, err, hooks.ENOTFOUND)

	MustEnqueueEvent(t, db)
	want := MustEnqueueEvent(t, db)
	ping := &hooks.Event{Owner: "o", Repo: "r", Name: "ping", Payload: []byte(`{}`)}
	if err := db.EnqueueEvent(ctx, ping); err != nil {
		t.Fatal(err)
	}
	got, err := db.LatestEvent(ctx, "o", "r", "push")
	if err != nil {
		t.Fatal(err)
	}
	if got.ID != want.ID || got.GUID != want.GUID || string(got.Payload) != string(want.Payload) ||
		got.RepoID != want.RepoID || got.OwnerID != want.OwnerID || !got.CreatedAt.Equal(want.CreatedAt) {
		t.Fatalf("latest=%+v, want %+v", got, want)
	}
	// Names are exact: O/R is another repository, never pushed to.
	_, err = db.LatestEvent(ctx, "O", "R", "push")
	wantCode(t, err, hooks.ENOTFOUND)
}

func (s suite) testEnqueueEvent(t *testing.T) {
	t.Run("ErrDuplicateGUID", func(t *testing.T) {
		ctx := context.Background()
		db, _ := s.open(t)
		e := MustEnqueueEvent(t, db)
		dup := &hooks.Event{GUID: e.GUID, Owner: "o", Repo: "r", Name: "push", Payload: []byte(`{}`)}
		wantCode(t, db.EnqueueEvent(ctx, dup), hooks.ECONFLICT)
	})
}
