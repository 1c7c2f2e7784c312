package servertest

import (
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

// Key is an ed25519 ssh key pair without a passphrase.
type Key struct {
	Name    string
	Private string // path of the private key, mode 0600
	Public  string // path of the public key
}

// MustKey makes the key pair dir/name and dir/name.pub, commented name.
func MustKey(tb testing.TB, dir, name string) *Key {
	tb.Helper()
	k := &Key{Name: name, Private: filepath.Join(dir, name), Public: filepath.Join(dir, name+".pub")}
	mustRun(tb, exec.Command("ssh-keygen", "-q", "-t", "ed25519", "-N", "", "-C", name, "-f", k.Private))
	return k
}

// AuthorizedLine returns the public key as one authorized_keys line, with
// options (e.g. `environment="FORGEHOOK_PUSHER=alice"`) before it if given.
func (k *Key) AuthorizedLine(tb testing.TB, options string) string {
	tb.Helper()
	b, err := os.ReadFile(k.Public)
	if err != nil {
		tb.Fatal(err)
	}
	line := strings.TrimSpace(string(b))
	if options != "" {
		line = options + " " + line
	}
	return line
}

// SSHD is a running sshd on 127.0.0.1 with its own host key and config.
// Users log in with keys only, from ~/.ssh/authorized_keys, which may set
// FORGEHOOK_PUSHER through environment="..." options.
type SSHD struct {
	Port int
	Dir  string // config, host key and pid file
	proc *proc
}

// MustSSHD starts "/usr/sbin/sshd -D -e" with a config of its own, and
// stops it when the test ends. Extra config lines, if given, take precedence
// over the defaults.
func MustSSHD(tb testing.TB, extra ...string) *SSHD {
	tb.Helper()
	Need(tb, "openssh-server", "/usr/sbin/sshd", "/usr/bin/ssh-keygen", "/usr/bin/ssh")
	// sshd insists on its privilege separation directory; Debian's service creates it.
	if err := os.MkdirAll("/run/sshd", 0o755); err != nil {
		tb.Fatal(err)
	}
	s := &SSHD{Dir: tb.TempDir()}
	host := MustKey(tb, s.Dir, "host_ed25519")
	config := filepath.Join(s.Dir, "sshd_config")
	s.Port, s.proc = mustStartListening(tb, "sshd", func(port int) *exec.Cmd {
		lines := append(append([]string{}, extra...), // sshd keeps a keyword's first value
			fmt.Sprintf("ListenAddress 127.0.0.1:%d", port),
			"HostKey "+host.Private,
			"PidFile "+filepath.Join(s.Dir, "sshd.pid"),
			"StrictModes no", // homes live in temporary directories
			"UsePAM no",
			"PasswordAuthentication no",
			"KbdInteractiveAuthentication no",
			"PubkeyAuthentication yes",
			"PermitRootLogin no",
			"AuthorizedKeysFile .ssh/authorized_keys",
			"PermitUserEnvironment FORGEHOOK_PUSHER",
			"LogLevel VERBOSE",
		)
		if err := os.WriteFile(config, []byte(strings.Join(lines, "\n")+"\n"), 0o600); err != nil {
			tb.Fatal(err)
		}
		return exec.Command("/usr/sbin/sshd", "-D", "-e", "-f", config)
	})
	return s
}

// Logs returns what sshd logged so far.
func (s *SSHD) Logs() string { return s.proc.output() }

// GitSSHCommand returns the GIT_SSH_COMMAND value that logs in to this
// sshd with key, ignoring the machine's ssh config and known hosts.
func (s *SSHD) GitSSHCommand(key *Key) string {
	return fmt.Sprintf("ssh -F /dev/null -i %s -p %d -o IdentitiesOnly=yes -o StrictHostKeyChecking=no -o UserKnownHostsFile=/dev/null -o BatchMode=yes -o LogLevel=ERROR",
		key.Private, s.Port)
}

// GitEnv returns GitSSHCommand as an environment entry for git.
func (s *SSHD) GitEnv(key *Key) string { return "GIT_SSH_COMMAND=" + s.GitSSHCommand(key) }
