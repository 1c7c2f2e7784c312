package main_test

import (
	"bytes"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/google/go-github/v60/github"

	"github.com/forgehook/forgehook/hooks"
	"github.com/forgehook/forgehook/hooks/hookstest"
	"github.com/forgehook/forgehook/internal/gittest"
)

const wait = 20 * time.Second

// pushEvents returns the parsed push events of received deliveries.
func pushEvents(t *testing.T, got []*hookstest.Received) []*github.PushEvent {
	t.Helper()
	var out []*github.PushEvent
	for _, r := range got {
		if r.Err != nil {
			t.Fatalf("delivery %s %s did not verify or parse: %v", r.Event, r.GUID, r.Err)
		}
		if e, ok := r.Parsed.(*github.PushEvent); ok {
			out = append(out, e)
		}
	}
	return out
}

func TestPush_ThreeCommitsReachJSONAndFormHooksSigned(t *testing.T) {
	t.Parallel()
	e := MustNewEnv(t)
	bare := e.MustRepo("acme", "widgets")
	e.MustStart()
	jsonRecv := hookstest.NewReceiver(t, "s3cret")
	formRecv := hookstest.NewReceiver(t, "other secret")
	jsonHook := e.MustCreateHook("acme", "widgets", jsonRecv.URL, "json", "s3cret")
	e.MustCreateHook("acme", "widgets", formRecv.URL, "form", "other secret")

	c := e.WS.MustClone(bare, "work")
	c1 := c.Commit("Add a and b", map[string]string{"a.txt": "a\n", "dir/b.txt": "b\n"})
	c2 := c.Commit("Change a, add c", map[string]string{"a.txt": "a2\n", "c.txt": "c\n"})
	c3 := c.Commit("Remove b\n\nWith a body.", map[string]string{"dir/b.txt": ""})
	c.Push("origin", "main")

	got := jsonRecv.WaitFor(t, "push", 1, wait)[0]
	ev := pushEvents(t, []*hookstest.Received{got})[0]
	if ev.GetRef() != "refs/heads/main" || ev.GetBefore() != hooks.ZeroSHA || ev.GetAfter() != c3 || !ev.GetCreated() {
		t.Fatalf("ref=%s before=%s after=%s created=%v, want refs/heads/main zero %s true", ev.GetRef(), ev.GetBefore(), ev.GetAfter(), ev.GetCreated(), c3)
	}
	revs := strings.Fields(c.Git("rev-list", "--reverse", "main"))
	var ids []string
	for _, cm := range ev.Commits {
		ids = append(ids, cm.GetID())
	}
	if !slices.Equal(ids, revs) || !slices.Equal(ids, []string{c1, c2, c3}) {
		t.Fatalf("commit ids = %v, want %v", ids, revs)
	}
	wantFiles := []struct{ added, removed, modified []string }{
		{[]string{"a.txt", "dir/b.txt"}, nil, nil},
		{[]string{"c.txt"}, nil, []string{"a.txt"}},
		{nil, []string{"dir/b.txt"}, nil},
	}
	for i, w := range wantFiles {
		cm := ev.Commits[i]
		if !sameSet(cm.Added, w.added) || !sameSet(cm.Removed, w.removed) || !sameSet(cm.Modified, w.modified) {
			t.Errorf("commit %d: added=%v removed=%v modified=%v, want %v %v %v", i, cm.Added, cm.Removed, cm.Modified, w.added, w.removed, w.modified)
		}
		if !cm.GetDistinct() || cm.GetAuthor().GetEmail() != "ada@example.com" || cm.GetTimestamp().IsZero() {
			t.Errorf("commit %d: distinct=%v author=%v timestamp=%v", i, cm.GetDistinct(), cm.GetAuthor(), cm.GetTimestamp())
		}
	}
	if ev.HeadCommit.GetID() != c3 || ev.HeadCommit.GetMessage() != "Remove b\n\nWith a body." {
		t.Errorf("head_commit = %s %q, want %s", ev.HeadCommit.GetID(), ev.HeadCommit.GetMessage(), c3)
	}
	if ev.GetRepo().GetFullName() != "acme/widgets" || ev.GetRepo().GetDefaultBranch() != "main" || ev.GetPusher().GetName() != "ada" || ev.GetSender().GetLogin() != "ada" {
		t.Errorf("repository=%s default=%s pusher=%s sender=%s", ev.GetRepo().GetFullName(), ev.GetRepo().GetDefaultBranch(), ev.GetPusher().GetName(), ev.GetSender().GetLogin())
	}

	// Headers, and the signature: right secret passes, wrong one fails.
	for k, want := range map[string]string{
		"Content-Type": "application/json", "X-GitHub-Event": "push",
		"X-GitHub-Hook-ID": strconv.FormatInt(jsonHook.GetID(), 10), "X-GitHub-Hook-Installation-Target-Type": "repository",
	} {
		if v := got.Header.Get(k); v != want {
			t.Errorf("%s = %q, want %q", k, v, want)
		}
	}
	if !strings.HasPrefix(got.Header.Get("User-Agent"), "GitHub-Hookshot/") || got.Header.Get("X-GitHub-Hook-Installation-Target-ID") == "" {
		t.Errorf("User-Agent = %q, target id = %q", got.Header.Get("User-Agent"), got.Header.Get("X-GitHub-Hook-Installation-Target-ID"))
	}
	if _, err := github.ValidatePayload(replay(got), []byte("wrong")); err == nil {
		t.Error("ValidatePayload with a wrong secret passed")
	}
	if _, err := github.ValidatePayload(replay(got), []byte("s3cret")); err != nil {
		t.Errorf("ValidatePayload with the right secret: %v", err)
	}

	// The form hook: payload=..., signed over the whole body, same event GUID.
	form := formRecv.WaitFor(t, "push", 1, wait)[0]
	if form.Header.Get("Content-Type") != "application/x-www-form-urlencoded" || !bytes.HasPrefix(form.Body, []byte("payload=")) {
		t.Fatalf("form delivery: Content-Type %q, body %.40q", form.Header.Get("Content-Type"), form.Body)
	}
	m := hmac.New(sha256.New, []byte("other secret"))
	m.Write(form.Body)
	if want := "sha256=" + hex.EncodeToString(m.Sum(nil)); form.Header.Get("X-Hub-Signature-256") != want {
		t.Errorf("form signature = %s, want HMAC of the whole body %s", form.Header.Get("X-Hub-Signature-256"), want)
	}
	if fe := pushEvents(t, []*hookstest.Received{form})[0]; fe.GetAfter() != c3 {
		t.Errorf("form push after = %s, want %s", fe.GetAfter(), c3)
	}
	if form.GUID != got.GUID || got.GUID == "" {
		t.Errorf("X-GitHub-Delivery json=%q form=%q: want one GUID per event", got.GUID, form.GUID)
	}
}

// replay rebuilds a request from a received delivery, for ValidatePayload.
func replay(r *hookstest.Received) *http.Request {
	req, _ := http.NewRequest(http.MethodPost, "/", io.NopCloser(bytes.NewReader(r.Body)))
	req.Header = r.Header.Clone()
	return req
}

func sameSet(got, want []string) bool {
	return slices.Equal(slices.Sorted(slices.Values(got)), slices.Sorted(slices.Values(want)))
}

func TestPush_RefCases(t *testing.T) {
	t.Parallel()
	e := MustNewEnv(t)
	bare := e.MustRepo("acme", "refs")
	e.MustStart()
	recv := hookstest.NewReceiver(t, "")
	e.MustCreateHook("acme", "refs", recv.URL, "json", "")
	c := e.WS.MustClone(bare, "work")
	base := c.Commit("base", map[string]string{"f": "1"})
	c.Push("origin", "main")
	n := len(recv.WaitFor(t, "push", 1, wait))
	next := func(count int) []*github.PushEvent {
		t.Helper()
		got := recv.WaitFor(t, "push", n+count, wait)
		n += count
		return pushEvents(t, got[len(got)-count:])
	}

	t.Run("new branch", func(t *testing.T) {
		c.Git("checkout", "--quiet", "-b", "feature")
		f1 := c.Commit("feature work", map[string]string{"g": "1"})
		c.Push("origin", "feature")
		ev := next(1)[0]
		if !ev.GetCreated() || ev.GetBefore() != hooks.ZeroSHA || ev.GetAfter() != f1 || len(ev.Commits) != 1 || ev.Commits[0].GetID() != f1 {
			t.Fatalf("created=%v before=%s after=%s commits=%d, want a created branch with only %s", ev.GetCreated(), ev.GetBefore(), ev.GetAfter(), len(ev.Commits), f1)
		}
	})
	t.Run("force push", func(t *testing.T) {
		c.Git("reset", "--quiet", "--hard", base)
		f2 := c.Commit("rewritten", map[string]string{"h": "1"})
		c.Push("--force", "origin", "feature")
		ev := next(1)[0]
		if !ev.GetForced() || ev.GetAfter() != f2 || ev.GetCreated() || ev.GetDeleted() {
			t.Fatalf("forced=%v after=%s created=%v deleted=%v, want a forced update to %s", ev.GetForced(), ev.GetAfter(), ev.GetCreated(), ev.GetDeleted(), f2)
		}
	})
	t.Run("branch delete", func(t *testing.T) {
		c.Push("origin", "--delete", "feature")
		ev := next(1)[0]
		if !ev.GetDeleted() || ev.GetAfter() != hooks.ZeroSHA || ev.HeadCommit != nil || len(ev.Commits) != 0 {
			t.Fatalf("deleted=%v after=%s head=%v commits=%d, want a deletion", ev.GetDeleted(), ev.GetAfter(), ev.HeadCommit, len(ev.Commits))
		}
	})
	t.Run("tag push", func(t *testing.T) {
		c.Git("tag", "-a", "v1.0.0", "-m", "release", base)
		c.Push("origin", "v1.0.0")
		ev := next(1)[0]
		if ev.GetRef() != "refs/tags/v1.0.0" || !ev.GetCreated() || ev.HeadCommit.GetID() != base || len(ev.Commits) != 0 {
			t.Fatalf("ref=%s created=%v head=%s commits=%d, want tag v1.0.0 at %s with no commits", ev.GetRef(), ev.GetCreated(), ev.HeadCommit.GetID(), len(ev.Commits), base)
		}
	})
	t.Run("two refs in one push", func(t *testing.T) {
		c.Git("checkout", "--quiet", "main")
		m2 := c.Commit("main again", map[string]string{"f": "2"})
		c.Git("branch", "other")
		c.Push("origin", "main", "other")
		evs := next(2)
		refs := []string{evs[0].GetRef(), evs[1].GetRef()}
		slices.Sort(refs)
		if !slices.Equal(refs, []string{"refs/heads/main", "refs/heads/other"}) || evs[0].GetAfter() != m2 || evs[1].GetAfter() != m2 {
			t.Fatalf("refs=%v, want one delivery for main and one for other at %s", refs, m2)
		}
	})
}

func TestPush_WhileDaemonDownIsDeliveredOnStart(t *testing.T) {
	t.Parallel()
	e := MustNewEnv(t)
	bare := e.MustRepo("acme", "offline")
	d := e.MustStart()
	recv := hookstest.NewReceiver(t, "k")
	e.MustCreateHook("acme", "offline", recv.URL, "form", "k")
	recv.WaitFor(t, "ping", 1, wait)
	d.Stop()

	c := e.WS.MustClone(bare, "work")
	head := c.Commit("while down", map[string]string{"x": "1"})
	c.Push("origin", "main")
	time.Sleep(200 * time.Millisecond)
	if n := len(recv.All()); n != 1 {
		t.Fatalf("received %d deliveries with the daemon down, want only the ping", n)
	}
	e.MustStart()
	ev := pushEvents(t, recv.WaitFor(t, "push", 1, wait))[0]
	if ev.GetAfter() != head {
		t.Fatalf("after = %s, want %s", ev.GetAfter(), head)
	}
}

func TestPostReceive_PushSucceedsWhenDatabaseCannotBeWritten(t *testing.T) {
	t.Parallel()
	e := MustNewEnv(t)
	bare := e.MustRepo("acme", "broken")
	// Make the database path unusable: a directory where the file should be.
	for _, f := range []string{e.DB, e.DB + "-wal", e.DB + "-shm"} {
		os.Remove(f)
	}
	if err := os.Mkdir(e.DB, 0o755); err != nil {
		t.Fatal(err)
	}
	c := e.WS.MustClone(bare, "work")
	head := c.Commit("still pushed", map[string]string{"x": "1"})
	out, err := gitPush(e, c.Dir)
	if err != nil {
		t.Fatalf("push failed: %v\n%s", err, out)
	}
	if !strings.Contains(out, "forgehook: database busy/unwritable (") || !strings.Contains(out, "push kept in "+e.DB+".spool/") {
		t.Errorf("push output lacks the hook's line saying where the push is kept:\n%s", out)
	}
	if got := e.WS.MustClone(bare, "check").Git("rev-parse", "HEAD"); got != head {
		t.Errorf("remote main = %s, want %s", got, head)
	}
}

func gitPush(e *Env, dir string) (string, error) {
	return gittest.Run(e.WS.Env, dir, "push", "origin", "main")
}

func TestInstall_KeepsExistingHookAndIsIdempotent(t *testing.T) {
	t.Parallel()
	e := MustNewEnv(t)
	bare := e.WS.MustInitBare(e.Root, "acme", "chained")
	marker := filepath.Join(e.WS.Dir, "old-hook-ran")
	old := "#!/bin/sh\ncat > " + marker + "\n"
	if err := os.WriteFile(filepath.Join(bare, "hooks", "post-receive"), []byte(old), 0o755); err != nil {
		t.Fatal(err)
	}
	e.MustRun("install", "--db", e.DB, "--repos", e.Root, bare)
	first, _ := os.ReadFile(filepath.Join(bare, "hooks", "post-receive"))
	if out := e.MustRun("install", "--db", e.DB, "--repos", e.Root, bare); !strings.Contains(out, "already present") {
		t.Errorf("second install said %q, want already present", out)
	}
	second, _ := os.ReadFile(filepath.Join(bare, "hooks", "post-receive"))
	if !bytes.Equal(first, second) {
		t.Errorf("second install changed the hook:\n%s\n---\n%s", first, second)
	}
	e.MustStart()
	recv := hookstest.NewReceiver(t, "")
	e.MustCreateHook("acme", "chained", recv.URL, "json", "")
	c := e.WS.MustClone(bare, "work")
	head := c.Commit("one", map[string]string{"x": "1"})
	c.Push("origin", "main")
	pushEvents(t, recv.WaitFor(t, "push", 1, wait))
	b, err := os.ReadFile(marker)
	if err != nil || !strings.Contains(string(b), head+" refs/heads/main") {
		t.Errorf("the previous hook got %q (%v), want the ref update line", b, err)
	}
}
