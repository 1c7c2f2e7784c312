package main

import (
	"flag"

	"github.com/forgehook/forgehook/hooks"
)

// defaultListen is where serve listens unless told otherwise.
const defaultListen = "127.0.0.1:8080"

// urlFlags are the flags that shape the URLs in payloads and API objects,
// shared by serve and the admin commands so that both build the same ones.
type urlFlags struct {
	PublicURL string
	Clone     hooks.CloneURLs
}

func (u *urlFlags) register(fs *flag.FlagSet) {
	fs.StringVar(&u.PublicURL, "public-url", envOr("FORGEHOOK_PUBLIC_URL", ""), "base `URL` of every link in responses and payloads (env FORGEHOOK_PUBLIC_URL; default http://LISTEN)")
	fs.StringVar(&u.Clone.HTTP, "clone-url", envOr("FORGEHOOK_CLONE_URL", ""), "`template` of clone_url and git_url, with {owner} and {repo} (env FORGEHOOK_CLONE_URL; default PUBLIC_URL/{owner}/{repo}.git)")
	fs.StringVar(&u.Clone.SSH, "ssh-url", envOr("FORGEHOOK_SSH_URL", ""), "`template` of ssh_url, with {owner} and {repo} (env FORGEHOOK_SSH_URL; default git@PUBLIC_HOST:{owner}/{repo}.git)")
}

// urls returns the URLs the admin commands put in payloads and objects: the
// daemon's, when both get the same flags or environment. Without a
// --public-url they assume the daemon's default, http://FORGEHOOK_LISTEN.
func (u *urlFlags) urls() hooks.URLs {
	public := u.PublicURL
	if public == "" {
		public = "http://" + envOr("FORGEHOOK_LISTEN", defaultListen)
	}
	urls := hooks.NewURLs(public, "")
	urls.Clone = u.Clone
	return urls
}
