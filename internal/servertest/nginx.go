package servertest

import (
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

// MustNginxGit serves the repositories under root with git-http-backend
// behind nginx and fcgiwrap, asking for Basic auth from users (name →
// password). fcgiwrap runs as as on a unix socket; nginx runs in the
// foreground ("daemon off") from its own config and prefix, its workers as
// as too. Debian's fastcgi_params passes REMOTE_USER.
func MustNginxGit(tb testing.TB, root string, users map[string]string, as *User) *HTTPGit {
	tb.Helper()
	Need(tb, "nginx", "/usr/sbin/nginx", "/etc/nginx/fastcgi_params", httpBackend)
	Need(tb, "fcgiwrap", "/usr/sbin/fcgiwrap")
	h := &HTTPGit{Dir: as.MustDir(tb)} // the workers and fcgiwrap use it
	passwords := mustHtpasswd(tb, h.Dir, users)
	socket := mustFcgiwrap(tb, h.Dir, as)
	config := filepath.Join(h.Dir, "nginx.conf")
	h.Port, h.proc = mustStartListening(tb, "nginx", func(port int) *exec.Cmd {
		var c strings.Builder
		fmt.Fprintf(&c, "daemon off;\nmaster_process on;\nworker_processes 1;\nuser %s %s;\n", as.Name, as.Group)
		fmt.Fprintf(&c, "pid %s;\nerror_log stderr warn;\nevents { worker_connections 64; }\n", filepath.Join(h.Dir, "nginx.pid"))
		c.WriteString("http {\n  access_log off;\n")
		for _, t := range []string{"client_body", "proxy", "fastcgi", "uwsgi", "scgi"} {
			fmt.Fprintf(&c, "  %s_temp_path %s;\n", t, filepath.Join(h.Dir, t+"_temp"))
		}
		fmt.Fprintf(&c, "  server {\n    listen 127.0.0.1:%d;\n    location ~ ^/git(/.*)$ {\n", port)
		fmt.Fprintf(&c, "      auth_basic git;\n      auth_basic_user_file %s;\n      client_max_body_size 0;\n", passwords)
		c.WriteString("      include /etc/nginx/fastcgi_params;\n")
		fmt.Fprintf(&c, "      fastcgi_param SCRIPT_FILENAME %s;\n      fastcgi_param PATH_INFO $1;\n", httpBackend)
		for _, kv := range backendEnv(root) {
			fmt.Fprintf(&c, "      fastcgi_param %s %q;\n", kv[0], kv[1])
		}
		fmt.Fprintf(&c, "      fastcgi_pass unix:%s;\n    }\n  }\n}\n", socket)
		if err := os.WriteFile(config, []byte(c.String()), 0o644); err != nil {
			tb.Fatal(err)
		}
		return exec.Command("/usr/sbin/nginx", "-e", "stderr", "-p", h.Dir+"/", "-c", config)
	})
	return h
}

// mustFcgiwrap starts fcgiwrap as as on the unix socket dir/fcgiwrap.sock
// and returns the socket's path once it accepts connections.
func mustFcgiwrap(tb testing.TB, dir string, as *User) string {
	tb.Helper()
	socket := filepath.Join(dir, "fcgiwrap.sock")
	p, err := startProc(tb, "fcgiwrap", as.Cmd(nil, "/usr/sbin/fcgiwrap", "-c", "4", "-s", "unix:"+socket))
	if err != nil {
		tb.Fatal(err)
	}
	if err := waitFor(p, func() bool { return dial("unix", socket) }); err != nil {
		tb.Fatalf("fcgiwrap: %v\n%s", err, p.output())
	}
	return socket
}
