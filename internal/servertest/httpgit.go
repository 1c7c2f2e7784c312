package servertest

import (
	"fmt"
	"net/url"
	"os/exec"
	"path/filepath"
	"sort"
	"testing"
)

// httpBackend is git's CGI program for smart HTTP.
const httpBackend = "/usr/lib/git-core/git-http-backend"

// backendEnv is what git-http-backend needs besides the CGI variables:
// every repository under root exported and open to pushes (for
// authenticated users; the web server asks for Basic auth on every request).
func backendEnv(root string) [][2]string {
	return [][2]string{
		{"GIT_PROJECT_ROOT", root},
		{"GIT_HTTP_EXPORT_ALL", "1"},
		{"GIT_CONFIG_COUNT", "1"},
		{"GIT_CONFIG_KEY_0", "http.receivepack"},
		{"GIT_CONFIG_VALUE_0", "true"},
	}
}

// HTTPGit is a web server that runs git-http-backend under /git/ for the
// repositories under one root, behind HTTP Basic auth.
type HTTPGit struct {
	Port int
	Dir  string // config, password file, pid file, logs
	proc *proc
}

// URL returns the clone URL of repo (a path under the root, such as
// "acme/web.git") with user and password in it.
func (h *HTTPGit) URL(user, password, repo string) string {
	u := url.URL{Scheme: "http", User: url.UserPassword(user, password), Host: fmt.Sprintf("127.0.0.1:%d", h.Port), Path: "/git/" + repo}
	return u.String()
}

// Logs returns what the server printed so far.
func (h *HTTPGit) Logs() string { return h.proc.output() }

// mustHtpasswd writes the Basic auth password file dir/htpasswd for users
// (name → password) with htpasswd(1), readable by the web server's workers.
func mustHtpasswd(tb testing.TB, dir string, users map[string]string) string {
	tb.Helper()
	Need(tb, "apache2-utils", "/usr/bin/htpasswd")
	file := filepath.Join(dir, "htpasswd")
	names := make([]string, 0, len(users))
	for name := range users {
		names = append(names, name)
	}
	sort.Strings(names)
	for i, name := range names {
		flags := "-b"
		if i == 0 {
			flags = "-cb"
		}
		mustRun(tb, exec.Command("/usr/bin/htpasswd", flags, file, name, users[name]))
	}
	return file
}
