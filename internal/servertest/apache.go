package servertest

import (
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

// apacheModules are the modules the config loads, from Debian's apache2.
var apacheModules = []string{"mpm_event", "authn_core", "authn_file", "authz_core", "authz_user",
	"auth_basic", "alias", "env", "cgid"}

// MustApacheGit serves the repositories under root with git-http-backend
// behind Apache (mod_cgid), asking for Basic auth from users (name →
// password). Apache runs in the foreground from a self-contained config,
// its workers and the CGI as as; git-http-backend sets REMOTE_USER to the
// authenticated name.
func MustApacheGit(tb testing.TB, root string, users map[string]string, as *User) *HTTPGit {
	tb.Helper()
	Need(tb, "apache2", "/usr/sbin/apache2", "/usr/lib/apache2/modules/mod_cgid.so", httpBackend)
	h := &HTTPGit{Dir: as.MustDir(tb)} // the workers read the password file
	passwords := mustHtpasswd(tb, h.Dir, users)
	config := filepath.Join(h.Dir, "apache2.conf")
	h.Port, h.proc = mustStartListening(tb, "apache2", func(port int) *exec.Cmd {
		var c strings.Builder
		for _, m := range apacheModules {
			fmt.Fprintf(&c, "LoadModule %s_module /usr/lib/apache2/modules/mod_%s.so\n", m, m)
		}
		fmt.Fprintf(&c, "ServerRoot %s\nServerName 127.0.0.1\nListen 127.0.0.1:%d\n", h.Dir, port)
		fmt.Fprintf(&c, "PidFile %s\nDefaultRuntimeDir %s\nScriptSock cgid.sock\n", filepath.Join(h.Dir, "apache2.pid"), h.Dir)
		fmt.Fprintf(&c, "User %s\nGroup %s\nErrorLog /dev/stderr\nLogLevel warn\n", as.Name, as.Group)
		for _, kv := range backendEnv(root) {
			fmt.Fprintf(&c, "SetEnv %s %q\n", kv[0], kv[1])
		}
		fmt.Fprintf(&c, "ScriptAlias /git/ %s/\n", httpBackend)
		fmt.Fprintf(&c, "<Location /git/>\n  AuthType Basic\n  AuthName git\n  AuthUserFile %s\n  Require valid-user\n</Location>\n", passwords)
		if err := os.WriteFile(config, []byte(c.String()), 0o644); err != nil {
			tb.Fatal(err)
		}
		return exec.Command("/usr/sbin/apache2", "-d", h.Dir, "-f", config, "-DFOREGROUND")
	})
	return h
}
