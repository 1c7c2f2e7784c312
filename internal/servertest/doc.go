// Package servertest runs the real git servers forgehook is meant for, for
// end-to-end tests: sshd and gitolite3 over ssh, and git-http-backend behind
// Apache (mod_cgid) or nginx with fcgiwrap, with HTTP Basic auth.
//
// Every helper is a MustX(tb, ...) function. Each server listens on
// 127.0.0.1 only, on a port picked free at run time, keeps its config, keys
// and pid file in a directory of its own, and is stopped (with every process
// it started) when the test ends. The servers need root (to switch to their
// unix users) and Debian's packages; without them a helper skips the test
// with the reason, unless the environment variable CI is set, where it fails
// instead.
package servertest
