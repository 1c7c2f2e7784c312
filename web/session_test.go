package web

import (
	"testing"
	"time"
)

func TestSessions(t *testing.T) {
	now := time.Unix(1_700_000_000, 0)
	ss := newSessions(2)
	id, s := ss.create("tok", now, time.Hour)
	if got := ss.find(id, now.Add(59*time.Minute)); got != s {
		t.Fatalf("find before expiry = %v, want the session", got)
	}
	if got := ss.find(id+"x", now); got != nil {
		t.Errorf("find of another id = %v, want nil", got)
	}
	if got := ss.find(id, now.Add(time.Hour)); got != nil {
		t.Errorf("find at expiry = %v, want nil", got)
	}

	a, _ := ss.create("a", now, time.Hour)
	b, _ := ss.create("b", now.Add(time.Second), time.Hour)
	c, _ := ss.create("c", now.Add(2*time.Second), time.Hour) // past the bound: a, the oldest, goes
	if ss.find(a, now) != nil || ss.find(b, now) == nil || ss.find(c, now) == nil {
		t.Errorf("after a third session with room for two: want the oldest gone, the others kept")
	}
	ss.remove(b)
	if ss.find(b, now) != nil {
		t.Errorf("find after remove: want nil")
	}
}

func TestSafeNext(t *testing.T) {
	for in, want := range map[string]string{
		"/ui/repos/a/b":     "/ui/repos/a/b",
		"":                  "/ui/",
		"https://evil.test": "/ui/",
		"//evil.test/ui/":   "/ui/",
		"/ui/signin":        "/ui/",
		"/ui/\\evil":        "/ui/",
		"/api/v3/user":      "/ui/",
	} {
		if got := safeNext(in); got != want {
			t.Errorf("safeNext(%q)=%q, want %q", in, got, want)
		}
	}
}
