package main_test

import (
	"context"
	"io"
	"net/http"
	"net/http/cookiejar"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/forgehook/forgehook/hooks/hookstest"
)

// uiEnv is an installation for the web pages' tests: acme/widgets with a
// hook to a receiver that has seen a real push and one to a receiver that
// answers 500, and acme/secret with a hook of its own.
type uiEnv struct {
	*Env
	Recv       *hookstest.Receiver
	HookID     int64 // acme/widgets' hook
	FailingID  int64 // acme/widgets' hook whose receiver answers 500
	SecretHook int64 // acme/secret's hook
	Head       string
}

// mustUIEnv starts the daemon, creates the hooks and pushes to acme/widgets,
// waiting until the receiver has the push.
func mustUIEnv(t *testing.T) *uiEnv {
	t.Helper()
	e := MustNewEnv(t)
	bare := e.MustRepo("acme", "widgets")
	e.MustRepo("acme", "secret")
	e.MustStart()
	u := &uiEnv{Env: e, Recv: hookstest.NewReceiver(t, "s3cret-value")}
	u.HookID = e.MustCreateHook("acme", "widgets", u.Recv.URL+"/hook", "json", "s3cret-value", "push").GetID()
	failing := hookstest.NewReceiver(t, "")
	failing.Respond = func(*http.Request) int { return http.StatusInternalServerError }
	u.FailingID = e.MustCreateHook("acme", "widgets", failing.URL+"/broken", "form", "", "push").GetID()
	u.SecretHook = e.MustCreateHook("acme", "secret", u.Recv.URL+"/other", "json", "s3cret-value", "push").GetID()
	u.Recv.WaitFor(t, "ping", 2, wait)
	c := e.WS.MustClone(bare, "work")
	u.Head = c.Commit("Add the README", map[string]string{"README.md": "# widgets\n"})
	c.Push("origin", "main")
	u.Recv.WaitFor(t, "push", 1, wait)
	return u
}

// webClient is a plain HTTP client with a cookie jar, signed in to the pages.
type webClient struct {
	t    *testing.T
	base string
	http *http.Client
}

var csrfField = regexp.MustCompile(`name="csrf" value="([^"]+)"`)

// mustSignIn signs in with token through the sign-in form.
func mustSignIn(t *testing.T, base, token string) *webClient {
	t.Helper()
	jar, _ := cookiejar.New(nil)
	w := &webClient{t: t, base: base, http: &http.Client{Jar: jar}}
	_, body := w.get("/ui/signin")
	m := csrfField.FindStringSubmatch(body)
	if m == nil {
		t.Fatalf("sign-in form without a csrf field:\n%s", body)
	}
	status, body := w.post("/ui/signin", url.Values{"csrf": {m[1]}, "token": {token}, "next": {"/ui/"}})
	if status != http.StatusOK || !strings.Contains(body, "<h1>Repositories</h1>") {
		t.Fatalf("sign in: status=%d, want 200 and the repository list:\n%s", status, body)
	}
	return w
}

func (w *webClient) get(path string) (int, string) {
	w.t.Helper()
	resp, err := w.http.Get(w.base + path)
	if err != nil {
		w.t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, string(b)
}

func (w *webClient) post(path string, form url.Values) (int, string) {
	w.t.Helper()
	resp, err := w.http.PostForm(w.base+path, form)
	if err != nil {
		w.t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, string(b)
}

// csrf returns the CSRF token of the page at path.
func (w *webClient) csrf(path string) string {
	w.t.Helper()
	_, body := w.get(path)
	m := csrfField.FindStringSubmatch(body)
	if m == nil {
		w.t.Fatalf("%s: no csrf field", path)
	}
	return m[1]
}

// TestUI_ScopedTokenSeesOnlyItsRepositories signs in with a token limited
// to acme/widgets: acme/secret is not listed, and its pages, and its hook
// under either repository's URL, are 404 like an unknown repository.
func TestUI_ScopedTokenSeesOnlyItsRepositories(t *testing.T) {
	t.Parallel()
	u := mustUIEnv(t)
	w := mustSignIn(t, u.Daemon.URL, u.MustToken("bob", "acme/widgets"))
	_, index := w.get("/ui/")
	if !strings.Contains(index, "acme/widgets") || strings.Contains(index, "acme/secret") {
		t.Errorf("repository list: want acme/widgets and not acme/secret:\n%s", index)
	}
	if strings.Contains(index, "Deliveries waiting") {
		t.Errorf("repository list: a limited token sees the queue's figures, which are every repository's")
	}
	secretHook := "/ui/repos/acme/secret/hooks/" + itoa(u.SecretHook)
	for _, path := range []string{
		"/ui/repos/acme/secret",
		"/ui/repos/acme/secret/hooks/new",
		secretHook,
		secretHook + "/delete",
		"/ui/repos/acme/widgets/hooks/" + itoa(u.SecretHook), // another repository's hook under an allowed URL
		"/ui/repos/acme/nosuch",
	} {
		if status, body := w.get(path); status != http.StatusNotFound || !strings.Contains(body, "Not Found") {
			t.Errorf("GET %s: status=%d, want 404 Not Found", path, status)
		}
	}
	csrf := w.csrf("/ui/repos/acme/widgets")
	if status, _ := w.post(secretHook+"/delete", url.Values{"csrf": {csrf}}); status != http.StatusNotFound {
		t.Errorf("POST delete of acme/secret's hook: status=%d, want 404", status)
	}
	if _, _, err := u.Client(false).Repositories.GetHook(context.Background(), "acme", "secret", u.SecretHook); err != nil {
		t.Errorf("acme/secret's hook after the refused delete: %v", err)
	}
	if status, _ := w.get("/ui/repos/acme/widgets/hooks/" + itoa(u.HookID)); status != http.StatusOK {
		t.Errorf("own hook page: status=%d, want 200", status)
	}

	// Revoking the token ends its session at once.
	for _, line := range strings.Split(u.MustRun("token", "list", "--db", u.DB), "\n") {
		if f := strings.Fields(line); len(f) > 1 && f[1] == "bob" {
			u.MustRun("token", "revoke", "--db", u.DB, f[0])
		}
	}
	if status, body := w.get("/ui/"); status != http.StatusOK || !strings.Contains(body, "Sign in to forgehook") {
		t.Errorf("after revoking the token: status=%d, want the sign-in form", status)
	}
}

// TestUI_PostsWithoutTheCSRFTokenAreRefused posts each form of the pages
// without the session's CSRF token, with a wrong one, and without a
// session: every one is 403 and changes nothing.
func TestUI_PostsWithoutTheCSRFTokenAreRefused(t *testing.T) {
	t.Parallel()
	u := mustUIEnv(t)
	w := mustSignIn(t, u.Daemon.URL, u.Token)
	hook := "/ui/repos/acme/widgets/hooks/" + itoa(u.HookID)
	forms := map[string]url.Values{
		hook + "/delete":               {},
		hook:                           {"url": {"http://127.0.0.1:1/changed"}, "content_type": {"json"}, "active": {"1"}},
		hook + "/pings":                {},
		"/ui/repos/acme/widgets/hooks": {"url": {"http://127.0.0.1:1/new"}, "content_type": {"json"}, "active": {"1"}},
		"/ui/signout":                  {},
	}
	anon := &http.Client{}
	for path, form := range forms {
		if status, _ := w.post(path, form); status != http.StatusForbidden {
			t.Errorf("POST %s without csrf: status=%d, want 403", path, status)
		}
		bad := url.Values{"csrf": {"not-the-token"}}
		for k, v := range form {
			bad[k] = v
		}
		if status, _ := w.post(path, bad); status != http.StatusForbidden {
			t.Errorf("POST %s with a wrong csrf: status=%d, want 403", path, status)
		}
		resp, err := anon.PostForm(u.Daemon.URL+path, form)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if resp.StatusCode != http.StatusForbidden {
			t.Errorf("POST %s without a session: status=%d, want 403", path, resp.StatusCode)
		}
	}
	resp, err := anon.PostForm(u.Daemon.URL+"/ui/signin", url.Values{"token": {u.Token}})
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusForbidden {
		t.Errorf("POST /ui/signin without csrf: status=%d, want 403", resp.StatusCode)
	}
	h, _, err := u.Client(false).Repositories.GetHook(context.Background(), "acme", "widgets", u.HookID)
	if err != nil {
		t.Fatalf("hook after the refused posts: %v", err)
	}
	if got := h.Config.GetURL(); got != u.Recv.URL+"/hook" {
		t.Errorf("hook URL after the refused update = %q, want it unchanged", got)
	}
	hooksNow, _, err := u.Client(false).Repositories.ListHooks(context.Background(), "acme", "widgets", nil)
	if err != nil || len(hooksNow) != 2 {
		t.Errorf("hooks of acme/widgets after the refused create: %d (%v), want 2", len(hooksNow), err)
	}
	if status, _ := w.get("/ui/"); status != http.StatusOK {
		t.Errorf("after the refused sign-out: status=%d, want the session still signed in (200)", status)
	}
	// The same post with the token goes through.
	if status, body := w.post(hook+"/pings", url.Values{"csrf": {w.csrf(hook)}}); status != http.StatusOK || !strings.Contains(body, "we sent a ping") {
		t.Errorf("POST pings with csrf: status=%d, want 200 and the notice", status)
	}
}

// needChromium returns Debian's chromium, skipping the test without it
// (failing it instead when CI is set).
func needChromium(t *testing.T) string {
	t.Helper()
	path, err := exec.LookPath("chromium")
	if err != nil {
		if os.Getenv("CI") != "" {
			t.Fatalf("chromium not found (Debian package chromium; .ci/run installs it): CI is set, so this is a failure, not a skip")
		}
		t.Skip("needs chromium (Debian package chromium, apt-get install chromium) for the browser tests")
	}
	return path
}

// mustBrowser starts headless chromium with a fresh profile, its network
// features that call out switched off, and returns its context.
func mustBrowser(t *testing.T) context.Context {
	t.Helper()
	opts := []chromedp.ExecAllocatorOption{
		chromedp.ExecPath(needChromium(t)),
		chromedp.Headless, chromedp.NoSandbox, chromedp.DisableGPU, chromedp.NoFirstRun,
		chromedp.Flag("disable-quic", true),
		chromedp.Flag("disable-background-networking", true),
		chromedp.Flag("disable-component-update", true),
		chromedp.Flag("disable-sync", true),
		chromedp.UserDataDir(t.TempDir()),
		chromedp.WindowSize(1280, 900),
	}
	actx, cancelAlloc := chromedp.NewExecAllocator(context.Background(), opts...)
	ctx, cancelCtx := chromedp.NewContext(actx)
	ctx, cancelTimeout := context.WithTimeout(ctx, 3*time.Minute)
	t.Cleanup(func() { cancelTimeout(); cancelCtx(); cancelAlloc() })
	if err := chromedp.Do(ctx); err != nil {
		t.Fatalf("start chromium: %v", err)
	}
	return ctx
}

// browser drives one page.
type browser struct {
	t     *testing.T
	ctx   context.Context
	shots string // where screenshots go
}

// do runs steps, failing the test on an error.
func (b *browser) do(what string, steps ...chromedp.Action[chromedp.Void]) {
	b.t.Helper()
	if err := chromedp.Do(b.ctx, steps...); err != nil {
		b.t.Fatalf("%s: %v", what, err)
	}
}

// get runs a and returns its value, failing the test on an error.
func get[T any](b *browser, what string, a chromedp.Action[T]) T {
	b.t.Helper()
	v, err := chromedp.Run(b.ctx, a)
	if err != nil {
		b.t.Fatalf("%s: %v", what, err)
	}
	return v
}

// text returns the text of the first element matching the XPath sel.
func (b *browser) text(sel string) string {
	b.t.Helper()
	return get(b, "text of "+sel, chromedp.Text(sel))
}

// eval returns the number expr evaluates to.
func (b *browser) eval(expr string) int {
	b.t.Helper()
	return get(b, expr, chromedp.Evaluate[int](expr))
}

// labelled returns the id of the control the label whose text starts with
// label is for, as a screen reader finds it.
func (b *browser) labelled(label string) string {
	b.t.Helper()
	a := get(b, "label "+label, chromedp.AttributeValue(`//label[starts-with(normalize-space(.), "`+label+`")]`, "for"))
	if !a.Exists || a.Value == "" {
		b.t.Fatalf("label %q has no for attribute", label)
	}
	return a.Value
}

// fill types value into the control labelled label.
func (b *browser) fill(label, value string) {
	b.t.Helper()
	id := b.labelled(label)
	b.do("fill "+label, chromedp.Evaluate[chromedp.Void](`document.getElementById("`+id+`").value = ""`),
		chromedp.SendKeys(chromedp.ID(id), value))
}

// click presses the button named name and waits for the page it loads.
func (b *browser) click(name string) {
	b.t.Helper()
	b.do("click "+name,
		chromedp.Evaluate[chromedp.Void](`document.documentElement.dataset.stale = "1"`),
		chromedp.Click(`//button[normalize-space(.)="`+name+`"]`))
	b.waitLoaded()
}

// follow clicks the link matching the XPath sel and waits for the page it loads.
func (b *browser) follow(sel string) {
	b.t.Helper()
	b.do("follow "+sel, chromedp.Evaluate[chromedp.Void](`document.documentElement.dataset.stale = "1"`), chromedp.Click(sel))
	b.waitLoaded()
}

// open navigates to url.
func (b *browser) open(url string) {
	b.t.Helper()
	b.do("open "+url, chromedp.Navigate(url))
	b.waitLoaded()
}

// waitLoaded waits until the page that replaced the one marked stale has
// loaded; evaluating fails while the navigation is under way.
func (b *browser) waitLoaded() {
	b.t.Helper()
	var err error
	for deadline := time.Now().Add(wait); time.Now().Before(deadline); waitBrief() {
		var done bool
		done, err = chromedp.Run(b.ctx, chromedp.Evaluate[bool](`!document.documentElement.dataset.stale && document.readyState === "complete"`))
		if err == nil && done {
			return
		}
	}
	b.t.Fatalf("page did not load within %s: %v", wait, err)
}

// shoot saves full-page screenshots of the current page at desktop and
// phone width, and checks that the phone's page does not scroll sideways.
func (b *browser) shoot(name string) {
	b.t.Helper()
	wide := get(b, "screenshot "+name, chromedp.FullScreenshot(100))
	b.do("phone", chromedp.EmulateViewport(375, 812, chromedp.EmulateMobile))
	if overflow := b.eval(`document.documentElement.scrollWidth - window.innerWidth`); overflow > 0 {
		b.t.Errorf("%s at 375 px: the page is %d px wider than the screen", name, overflow)
	}
	narrow := get(b, "screenshot "+name, chromedp.FullScreenshot(100))
	b.do("desktop", chromedp.EmulateViewport(1280, 900))
	for suffix, img := range map[string][]byte{"1280": wide, "375": narrow} {
		if err := os.WriteFile(filepath.Join(b.shots, name+"-"+suffix+".png"), img, 0o644); err != nil {
			b.t.Fatal(err)
		}
	}
}

// TestUI_Browser drives the pages in headless chromium: sign in, find the
// push's delivery, open it, redeliver it and see the new attempt, add a
// hook with a bad URL and see the message next to the field, sign out.
// Screenshots of each page go to $FORGEHOOK_SCREENSHOTS (or a temporary
// directory).
func TestUI_Browser(t *testing.T) {
	if testing.Short() {
		t.Skip("browser test")
	}
	t.Parallel()
	ctx := mustBrowser(t)
	u := mustUIEnv(t)
	shots := os.Getenv("FORGEHOOK_SCREENSHOTS")
	if shots == "" {
		shots = t.TempDir()
	} else if err := os.MkdirAll(shots, 0o755); err != nil {
		t.Fatal(err)
	}
	b := &browser{t: t, ctx: ctx, shots: shots}
	base := u.Daemon.URL

	b.open(base + "/ui/")
	if loc := get(b, "location", chromedp.Location()); !strings.Contains(loc, "/ui/signin") {
		t.Fatalf("/ui/ signed out went to %s, want the sign-in form", loc)
	}
	b.shoot("signin")
	b.fill("Token", u.Token)
	b.click("Sign in")
	if got := b.text(`//h1`); got != "Repositories" {
		t.Fatalf("after signing in: h1=%q, want Repositories", got)
	}
	waitUntil(t, "the push's delivery shown as the hook's last status", func() bool {
		b.do("reload", chromedp.Reload())
		html := get(b, "main", chromedp.OuterHTML(chromedp.CSS("main")))
		return strings.Contains(html, "Last delivery was successful.") && strings.Contains(html, "Last delivery was not successful. Invalid HTTP Response: 500")
	})
	b.shoot("repositories")

	hookPage := base + "/ui/repos/acme/widgets/hooks/" + itoa(u.HookID)
	b.follow(`//a[contains(@href, "/hooks/` + itoa(u.HookID) + `")]`)
	push := `//table[contains(@class,"deliveries")]//tr[td[@data-label="Event"][normalize-space(.)="push"]]//a[contains(@class,"guid")]`
	guid := b.text(push)
	if want := u.Recv.WaitFor(t, "push", 1, wait)[0].GUID; guid != want {
		t.Fatalf("push delivery GUID on the hook page = %q, want the receiver's %q", guid, want)
	}
	b.shoot("hook")

	b.follow(push)
	page := get(b, "delivery", chromedp.Text(chromedp.CSS("main")))
	for _, want := range []string{guid, "X-GitHub-Event: push", `"after": "` + u.Head + `"`, "Response 200", "Redeliver"} {
		if !strings.Contains(page, want) {
			t.Errorf("delivery page lacks %q", want)
		}
	}
	if strings.Contains(page, "s3cret-value") {
		t.Errorf("delivery page shows the hook's secret")
	}
	b.shoot("delivery")

	b.click("Redeliver")
	if got := b.text(`//p[@role="status"]`); !strings.Contains(got, "queued again") {
		t.Errorf("after Redeliver: notice %q, want the redelivery queued", got)
	}
	u.Recv.WaitFor(t, "push", 2, wait)
	attempts := `[...document.querySelectorAll("table.deliveries tbody tr")].filter(r => r.querySelector("a.guid").textContent === "` + guid + `")`
	waitUntil(t, "the redelivery listed with the same GUID", func() bool {
		b.do("reload", chromedp.Reload())
		b.waitLoaded()
		return b.eval(attempts+`.filter(r => r.textContent.includes("redelivery")).length`) == 1
	})
	if n := b.eval(attempts + `.length`); n != 2 {
		t.Errorf("attempts listed with GUID %s = %d, want 2 (the push and its redelivery)", guid, n)
	}
	b.open(hookPage + "?outcome=failure")
	if n := b.eval(`document.querySelectorAll("table.deliveries tbody tr").length`); n != 0 {
		t.Errorf("deliveries filtered to failures: %d rows, want 0 (every attempt succeeded)", n)
	}
	b.open(hookPage + "?outcome=success")
	if n := b.eval(`document.querySelectorAll("table.deliveries tbody tr").length`); n < 3 {
		t.Errorf("deliveries filtered to successes: %d rows, want the ping, the push and its redelivery", n)
	}

	b.open(base + "/ui/repos/acme/widgets/hooks/" + itoa(u.FailingID) + "?outcome=failure")
	if n := b.eval(`document.querySelectorAll("table.deliveries tbody tr").length`); n < 2 {
		t.Errorf("failing hook's failures: %d rows, want its ping and push at least", n)
	}
	if s := b.text(`//section[@aria-labelledby="health-title"]/p`); !strings.Contains(s, " 0 deliveries succeeded") || strings.Contains(s, "and 0 failed") {
		t.Errorf("failing hook's health: %q, want failures and no successes", s)
	}
	b.shoot("hook-failing")

	b.open(base + "/ui/repos/acme/widgets")
	b.shoot("webhooks")
	b.follow(`//a[normalize-space(.)="Add webhook"]`)
	for _, label := range []string{"Payload URL", "Content type", "Secret", "Active"} {
		if id := b.labelled(label); b.eval(`document.getElementById("`+id+`") ? 1 : 0`) != 1 {
			t.Errorf("add webhook form: the label %q is for no control", label)
		}
	}
	b.shoot("add-webhook")
	b.do("bad url", chromedp.SendKeys(chromedp.ID(b.labelled("Payload URL")), "not a url"))
	b.fill("Secret", "another-secret")
	b.click("Add webhook")
	msg := b.text(`//*[@id="url"]/following-sibling::p[contains(@class,"field-error")]`)
	if !strings.Contains(msg, "The URL you've entered is not valid") {
		t.Errorf("message next to Payload URL = %q, want GitHub's invalid URL message", msg)
	}
	if a := get(b, "described", chromedp.AttributeValue(chromedp.ID("url"), "aria-describedby")); a.Value != "url-error" {
		t.Errorf("Payload URL aria-describedby=%q, want url-error", a.Value)
	}
	b.shoot("add-webhook-error")

	b.click("Sign out")
	if got := b.text(`//p[@role="status"]`); got != "You have signed out." {
		t.Errorf("after Sign out: notice %q", got)
	}
	b.open(hookPage)
	if loc := get(b, "location", chromedp.Location()); !strings.Contains(loc, "/ui/signin") {
		t.Errorf("hook page after signing out went to %s, want the sign-in form", loc)
	}
	t.Logf("screenshots in %s", shots)
}

// TestUI_EditPingAndDeleteAHook submits the hook's settings form with the
// secret's dots left in place (the secret stays: the next ping verifies),
// then with a bad URL (422, the message next to the field, nothing saved),
// and deletes the hook through the confirmation page.
func TestUI_EditPingAndDeleteAHook(t *testing.T) {
	t.Parallel()
	u := mustUIEnv(t)
	w := mustSignIn(t, u.Daemon.URL, u.Token)
	hook := "/ui/repos/acme/widgets/hooks/" + itoa(u.HookID)
	form := url.Values{"csrf": {w.csrf(hook)}, "url": {u.Recv.URL + "/moved"}, "content_type": {"form"},
		"secret": {"********"}, "insecure_ssl": {"0"}, "events_choice": {"custom"}, "events": {"push", "create"}, "active": {"1"}}
	if status, body := w.post(hook, form); status != http.StatusOK || !strings.Contains(body, "successfully updated") {
		t.Fatalf("update: status=%d, want 200 and the notice", status)
	}
	h, _, err := u.Client(false).Repositories.GetHook(context.Background(), "acme", "widgets", u.HookID)
	if err != nil {
		t.Fatal(err)
	}
	if h.Config.GetURL() != u.Recv.URL+"/moved" || h.Config.GetContentType() != "form" || strings.Join(h.Events, ",") != "push,create" || h.Config.GetSecret() != "********" {
		t.Errorf("hook after update: url=%s content_type=%s events=%v secret=%q", h.Config.GetURL(), h.Config.GetContentType(), h.Events, h.Config.GetSecret())
	}
	if status, _ := w.post(hook+"/pings", url.Values{"csrf": {w.csrf(hook)}}); status != http.StatusOK {
		t.Fatalf("ping: status=%d", status)
	}
	pings := u.Recv.WaitFor(t, "ping", 3, wait)
	if last := pings[len(pings)-1]; last.Err != nil || !strings.HasSuffix(last.Header.Get("Content-Type"), "x-www-form-urlencoded") {
		t.Errorf("ping after update: err=%v content-type=%s, want signed with the kept secret, as a form", last.Err, last.Header.Get("Content-Type"))
	}

	form.Set("csrf", w.csrf(hook))
	form.Set("url", "ftp://example.com/")
	status, body := w.post(hook, form)
	if status != http.StatusUnprocessableEntity || !strings.Contains(body, `<p class="field-error" id="url-error">The URL you&#39;ve entered is not valid.`) {
		t.Errorf("update with a bad URL: status=%d, want 422 and the message next to the field:\n%s", status, body)
	}
	if h, _, _ := u.Client(false).Repositories.GetHook(context.Background(), "acme", "widgets", u.HookID); h.Config.GetURL() != u.Recv.URL+"/moved" {
		t.Errorf("hook URL after the rejected update = %s, want it unchanged", h.Config.GetURL())
	}

	if status, body := w.get(hook + "/delete"); status != http.StatusOK || !strings.Contains(body, "Yes, delete webhook") {
		t.Fatalf("delete page: status=%d", status)
	}
	if status, body := w.post(hook+"/delete", url.Values{"csrf": {w.csrf(hook + "/delete")}}); status != http.StatusOK || !strings.Contains(body, "successfully deleted") {
		t.Fatalf("delete: status=%d, want 200 and the notice", status)
	}
	if _, resp, err := u.Client(false).Repositories.GetHook(context.Background(), "acme", "widgets", u.HookID); err == nil || resp.StatusCode != http.StatusNotFound {
		t.Errorf("hook after delete: %v, want 404", err)
	}
	if status, _ := w.get(hook); status != http.StatusNotFound {
		t.Errorf("hook page after delete: status=%d, want 404", status)
	}
}
