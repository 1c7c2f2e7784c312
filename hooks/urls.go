package hooks

import (
	"fmt"
	"strings"
)

// URLs builds the absolute URLs forgehook puts in payloads and API responses.
// Web URLs hang off Public; API URLs off API, which is Public itself or
// Public + "/api/v3", depending on the prefix a request came in on.
// Clone URLs come from Clone's templates where set.
type URLs struct {
	Public string // e.g. http://git.example.com:8080, no trailing slash
	API    string // e.g. http://git.example.com:8080/api/v3, no trailing slash
	Clone  CloneURLs
}

// NewURLs returns the URLs for public (the --public-url) and an API prefix
// ("" or "/api/v3"), with no clone URL templates.
func NewURLs(public, apiPrefix string) URLs {
	public = strings.TrimRight(public, "/")
	return URLs{Public: public, API: public + strings.TrimRight(apiPrefix, "/")}
}

// Repo returns the API URL of owner/repo.
func (u URLs) Repo(owner, repo string) string { return u.API + "/repos/" + owner + "/" + repo }

// RepoWeb returns the web URL of owner/repo.
func (u URLs) RepoWeb(owner, repo string) string { return u.Public + "/" + owner + "/" + repo }

// HooksBase returns the API URL of the hooks collection of a repository, or
// of an owner's organization hooks when repo is "".
func (u URLs) HooksBase(owner, repo string) string {
	if repo == "" {
		return u.API + "/orgs/" + owner + "/hooks"
	}
	return u.Repo(owner, repo) + "/hooks"
}

// GlobalHooksBase returns the API URL of the global hooks collection, as on
// GitHub Enterprise Server.
func (u URLs) GlobalHooksBase() string { return u.API + "/admin/hooks" }

// Hook returns the API URL of hook h.
func (u URLs) Hook(h *Hook) string {
	if h.IsGlobal() {
		return fmt.Sprintf("%s/%d", u.GlobalHooksBase(), h.ID)
	}
	return fmt.Sprintf("%s/%d", u.HooksBase(h.Owner, h.Repo), h.ID)
}

// User returns the API URL of the account login.
func (u URLs) User(login string) string { return u.API + "/users/" + login }

// Commit returns the web URL of a commit.
func (u URLs) Commit(owner, repo, sha string) string {
	return u.RepoWeb(owner, repo) + "/commit/" + sha
}

// hostOf returns the host (without port) of an absolute URL, or "localhost".
func hostOf(raw string) string {
	rest := raw[strings.Index(raw, "://")+3:]
	if i := strings.IndexAny(rest, "/"); i >= 0 {
		rest = rest[:i]
	}
	if i := strings.LastIndex(rest, ":"); i >= 0 && !strings.HasSuffix(rest, "]") {
		rest = rest[:i]
	}
	if rest == "" {
		return "localhost"
	}
	return rest
}
