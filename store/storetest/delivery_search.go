package storetest

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/forgehook/forgehook/hooks"
)

func (s suite) testSearchDeliveries(t *testing.T) {
	ctx := context.Background()
	db, clock := s.open(t)
	h := MustCreateHook(t, db, "o", "r", "http://a.example/")
	org := MustCreateHook(t, db, "o", "", "http://b.example/")
	other := MustCreateHook(t, db, "p", "q", "http://c.example/")
	MustEnqueueEvent(t, db, h.ID, org.ID) // an event of o/r for both hooks of o
	failed := MustFinish(t, db, MustClaimJobs(t, db, "boot1", 10), hooks.JobFailed, 500, time.Time{})
	clock.Add(time.Hour)
	since := clock.Now()
	e := &hooks.Event{Owner: "p", Repo: "q", RepoID: 8, OwnerID: 4, Name: hooks.EventPing,
		Payload: []byte(`{}`), Targets: []int64{other.ID}}
	if err := db.EnqueueEvent(ctx, e); err != nil {
		t.Fatal(err)
	}
	ok := MustFinish(t, db, MustClaimJobs(t, db, "boot1", 10), hooks.JobSucceeded, 200, time.Time{})
	if len(failed) != 2 || len(ok) != 1 {
		t.Fatalf("%d failed and %d succeeded attempts, want 2 and 1", len(failed), len(ok))
	}

	ids := func(f hooks.DeliveryFilter) string {
		t.Helper()
		list, err := db.SearchDeliveries(ctx, f)
		if err != nil {
			t.Fatal(err)
		}
		var out []string
		for _, d := range list {
			out = append(out, fmt.Sprintf("%d:%s/%s", d.HookID, d.Owner, d.Repo))
		}
		return fmt.Sprint(out)
	}
	for _, tc := range []struct {
		name string
		f    hooks.DeliveryFilter
		want string
	}{
		{"AllNewestFirst", hooks.DeliveryFilter{}, fmt.Sprintf("[%d:p/q %d:o/r %d:o/r]", other.ID, failed[1].Job.Hook.ID, failed[0].Job.Hook.ID)},
		{"ByHook", hooks.DeliveryFilter{HookID: org.ID}, fmt.Sprintf("[%d:o/r]", org.ID)},
		{"ByRepoIncludesOrgHooks", hooks.DeliveryFilter{Owner: "o", Repo: "r"}, fmt.Sprintf("[%d:o/r %d:o/r]", failed[1].Job.Hook.ID, failed[0].Job.Hook.ID)},
		{"ByRepoIsExact", hooks.DeliveryFilter{Owner: "O", Repo: "r"}, "[]"},
		{"Failed", hooks.DeliveryFilter{Failed: true, Limit: 1}, fmt.Sprintf("[%d:o/r]", failed[1].Job.Hook.ID)},
		{"Since", hooks.DeliveryFilter{Since: since}, fmt.Sprintf("[%d:p/q]", other.ID)},
		{"ByID", hooks.DeliveryFilter{ID: ok[0].Delivery.ID}, fmt.Sprintf("[%d:p/q]", other.ID)},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if got := ids(tc.f); got != tc.want {
				t.Fatalf("deliveries=%s, want %s", got, tc.want)
			}
		})
	}
}
