package hooks

import (
	"errors"
	"fmt"
	"net/url"
	"strings"
)

// CloneURLs are the templates of the clone URLs of repositories (serve's
// --clone-url and --ssh-url), for when git is served from another host or
// path than forgehook's public URL. In a template "{owner}" and "{repo}" stand
// for the repository's owner and name. An empty template keeps the URL that
// is derived from the public URL.
type CloneURLs struct {
	HTTP string // clone_url (and git_url), e.g. https://git.example.com/{owner}/{repo}.git
	SSH  string // ssh_url, e.g. git@git.example.com:{owner}/{repo}.git
}

// ValidateCloneTemplate reports what is wrong with the clone URL template t,
// or nil: a placeholder other than {owner} and {repo}, a brace outside a
// placeholder, no {repo} (every repository would get the same URL), or white
// space.
func ValidateCloneTemplate(t string) error {
	if strings.ContainsFunc(t, func(r rune) bool { return r <= ' ' || r == 0x7f }) {
		return errors.New("contains white space or control characters")
	}
	hasRepo := false
	for rest := t; rest != ""; {
		lb, rb := strings.IndexByte(rest, '{'), strings.IndexByte(rest, '}')
		switch {
		case lb < 0 && rb < 0:
			rest = ""
		case rb < 0:
			return errors.New(`"{" without "}"; the placeholders are {owner} and {repo}`)
		case lb < 0 || rb < lb:
			return errors.New(`"}" without "{"; the placeholders are {owner} and {repo}`)
		default:
			switch name := rest[lb : rb+1]; name {
			case "{repo}":
				hasRepo = true
			case "{owner}":
			default:
				return fmt.Errorf("unknown placeholder %s; the placeholders are {owner} and {repo}", name)
			}
			rest = rest[rb+1:]
		}
	}
	if !hasRepo {
		return errors.New("no {repo} placeholder")
	}
	return nil
}

// expandClone fills in template t for owner/repo. Valid names need no
// escaping in a URL path; PathEscape keeps it so should that change.
func expandClone(t, owner, repo string) string {
	return strings.NewReplacer("{owner}", url.PathEscape(owner), "{repo}", url.PathEscape(repo)).Replace(t)
}

// CloneURL returns the clone_url of owner/repo: the HTTP template filled in,
// else the web URL with ".git".
func (u URLs) CloneURL(owner, repo string) string {
	if u.Clone.HTTP != "" {
		return expandClone(u.Clone.HTTP, owner, repo)
	}
	return u.RepoWeb(owner, repo) + ".git"
}

// SSHURL returns the ssh_url of owner/repo: the SSH template filled in, else
// git@HOST:owner/repo.git with the host of the public URL.
func (u URLs) SSHURL(owner, repo string) string {
	if u.Clone.SSH != "" {
		return expandClone(u.Clone.SSH, owner, repo)
	}
	return "git@" + hostOf(u.Public) + ":" + owner + "/" + repo + ".git"
}

// GitURL returns the git_url of owner/repo. GitHub's is a git:// URL, kept
// (on the public URL's host) while no HTTP template is set; with one it is
// the clone URL, since a git:// URL on that host would name a git daemon
// that forgehook knows nothing of.
func (u URLs) GitURL(owner, repo string) string {
	if u.Clone.HTTP != "" {
		return u.CloneURL(owner, repo)
	}
	return "git://" + hostOf(u.Public) + "/" + owner + "/" + repo + ".git"
}
