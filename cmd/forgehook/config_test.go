package main_test

import (
	"bytes"
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strings"
	"testing"

	"github.com/BurntSushi/toml"
	"github.com/google/go-github/v60/github"
)

// serveCmd returns "forgehook serve args" run in dir (which holds ./repos)
// with no FORGEHOOK_ variables but env.
func serveCmd(dir string, env []string, args ...string) *exec.Cmd {
	cmd := exec.Command(binary, append([]string{"serve"}, args...)...)
	cmd.Dir = dir
	for _, kv := range os.Environ() {
		if !strings.HasPrefix(kv, "FORGEHOOK_") {
			cmd.Env = append(cmd.Env, kv)
		}
	}
	cmd.Env = append(cmd.Env, env...)
	return cmd
}

// mustConfigDir returns a directory with ./repos and the file forgehook.toml
// holding toml.
func mustConfigDir(t *testing.T, toml string) string {
	t.Helper()
	dir := t.TempDir()
	if err := os.Mkdir(filepath.Join(dir, "repos"), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, "forgehook.toml"), []byte(toml), 0o644); err != nil {
		t.Fatal(err)
	}
	return dir
}

// effective is the output of --print-config: each key's value as TOML
// decodes it and the source its comment names.
type effective struct {
	values  map[string]any
	sources map[string]string
	text    string
}

// mustPrintConfig runs serve --print-config and parses what it prints.
func mustPrintConfig(t *testing.T, dir string, env []string, args ...string) effective {
	t.Helper()
	var stderr bytes.Buffer
	cmd := serveCmd(dir, env, append(args, "--print-config")...)
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("serve --print-config: %v\n%s", err, stderr.Bytes())
	}
	ef := effective{sources: map[string]string{}, text: string(out)}
	if _, err := toml.Decode(string(out), &ef.values); err != nil {
		t.Fatalf("--print-config is not TOML: %v\n%s", err, out)
	}
	for _, line := range strings.Split(strings.TrimSpace(string(out)), "\n") {
		if strings.HasPrefix(line, "#") {
			continue
		}
		key, _, _ := strings.Cut(line, " = ")
		i := strings.LastIndex(line, " # ")
		if i < 0 {
			t.Fatalf("line %q names no source", line)
		}
		ef.sources[key] = line[i+3:]
	}
	return ef
}

// TestConfig_Precedence: the command line beats the environment, which
// beats the file, which beats the default, for flags of each type.
func TestConfig_Precedence(t *testing.T) {
	t.Parallel()
	dir := mustConfigDir(t, `
listen = "127.0.0.1:1003"
concurrency = 13
delivery-timeout = "13s"
retry-schedule = ["5s", "6s"]
`)
	file := "file " + filepath.Join(dir, "forgehook.toml")
	flags := []string{"--listen", "127.0.0.1:1001", "--concurrency", "11", "--delivery-timeout", "11s", "--retry-schedule", "1s,2s"}
	env := []string{"FORGEHOOK_LISTEN=127.0.0.1:1002", "FORGEHOOK_CONCURRENCY=12", "FORGEHOOK_DELIVERY_TIMEOUT=12s", "FORGEHOOK_RETRY_SCHEDULE=3s,4s"}
	config := []string{"--config", filepath.Join(dir, "forgehook.toml")}
	type want struct {
		listen      string
		concurrency int64
		timeout     string
		retry       string
		source      string
	}
	for _, tc := range []struct {
		name string
		env  []string
		args []string
		want want
	}{
		{"flag wins", env, append(flags, config...), want{"127.0.0.1:1001", 11, "11s", "1s,2s", "flag"}},
		{"env beats file", env, config, want{"127.0.0.1:1002", 12, "12s", "3s,4s", "env"}},
		{"file beats default", nil, config, want{"127.0.0.1:1003", 13, "13s", "5s,6s", file}},
		{"FORGEHOOK_CONFIG names the file", []string{"FORGEHOOK_CONFIG=" + filepath.Join(dir, "forgehook.toml")}, nil,
			want{"127.0.0.1:1003", 13, "13s", "5s,6s", file}},
		{"default", nil, nil, want{"127.0.0.1:8080", 64, "10s", "10s,1m,5m,30m,2h,6h,12h", "default"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			ef := mustPrintConfig(t, dir, tc.env, tc.args...)
			got := want{ef.values["listen"].(string), ef.values["concurrency"].(int64), ef.values["delivery-timeout"].(string),
				ef.values["retry-schedule"].(string), tc.want.source}
			if got != tc.want {
				t.Errorf("got %+v, want %+v\n%s", got, tc.want, ef.text)
			}
			for _, key := range []string{"listen", "concurrency", "delivery-timeout", "retry-schedule"} {
				if src := ef.sources[key]; !strings.HasPrefix(src, tc.want.source) {
					t.Errorf("%s came from %q, want %q", key, src, tc.want.source)
				}
			}
			if src := ef.sources["hook-concurrency"]; src != "default" {
				t.Errorf("hook-concurrency came from %q, want default", src)
			}
		})
	}
}

// TestConfig_PrintConfigReadsBack: --print-config lists every flag of serve
// (but itself and --config), and its output as a --config file gives the
// same settings.
func TestConfig_PrintConfigReadsBack(t *testing.T) {
	t.Parallel()
	dir := mustConfigDir(t, "")
	first := mustPrintConfig(t, dir, []string{"FORGEHOOK_MAX_TAGS_PER_PUSH=7"}, "--allowed-hosts", "loopback", "--retention", "48h")
	var help bytes.Buffer
	h := serveCmd(dir, nil, "-h")
	h.Stderr = &help
	if err := h.Run(); err != nil {
		t.Fatalf("serve -h: %v", err)
	}
	flags := 0
	for _, line := range strings.Split(help.String(), "\n") {
		name, ok := strings.CutPrefix(line, "  -")
		if !ok {
			continue
		}
		flags++
		name, _, _ = strings.Cut(name, " ")
		if _, listed := first.values[name]; listed == (name == "config" || name == "print-config") {
			t.Errorf("flag --%s listed = %v by --print-config", name, listed)
		}
	}
	if flags < 10 || len(first.values) != flags-2 {
		t.Errorf("serve -h shows %d flags, --print-config %d keys; want every flag but two", flags, len(first.values))
	}
	printed := filepath.Join(dir, "printed.toml")
	if err := os.WriteFile(printed, []byte(first.text), 0o600); err != nil {
		t.Fatal(err)
	}
	second := mustPrintConfig(t, dir, nil, "--config", printed)
	for key, v := range first.values {
		if second.values[key] != v {
			t.Errorf("%s = %v read back, want %v", key, second.values[key], v)
		}
		if src := second.sources[key]; src != "file "+printed {
			t.Errorf("%s came from %q, want the file", key, src)
		}
	}
}

// TestConfig_Errors: a typo in the file, a table and a bad value are
// errors that name the file and the key.
func TestConfig_Errors(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct{ name, toml, want string }{
		{"unknown key", "concurency = 8\n", `unknown key "concurency"`},
		{"unknown key overridden by a flag", "listen = \"127.0.0.1:1\"\nlisten-addr = \"x\"\n", `unknown key "listen-addr"`},
		{"table", "[serve]\nlisten = \"127.0.0.1:1\"\n", `unknown key "serve"`},
		{"the action print-config", "print-config = true\n", `unknown key "print-config"`},
		{"bad value", "concurrency = \"many\"\n", `concurrency = "many"`},
		{"not TOML", "listen = \n", "line 1"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			dir := mustConfigDir(t, tc.toml)
			path := filepath.Join(dir, "forgehook.toml")
			out, err := serveCmd(dir, nil, "--config", path, "--listen", "127.0.0.1:0", "--print-config").CombinedOutput()
			if err == nil || !strings.Contains(string(out), tc.want) || !strings.Contains(string(out), path) {
				t.Errorf("serve: %v, %q; want an error naming %s and %q", err, out, path, tc.want)
			}
		})
	}
}

// TestConfig_Redacted: userinfo in URLs is not printed.
func TestConfig_Redacted(t *testing.T) {
	t.Parallel()
	dir := mustConfigDir(t, `clone-url = "https://ci:hunter2@git.example.com/{owner}/{repo}.git"`+"\n")
	ef := mustPrintConfig(t, dir, []string{"FORGEHOOK_PUBLIC_URL=https://admin:pa55@hooks.example.com"}, "--config", filepath.Join(dir, "forgehook.toml"))
	if strings.Contains(ef.text, "hunter2") || strings.Contains(ef.text, "pa55") || strings.Contains(ef.text, "admin") {
		t.Errorf("a secret was printed:\n%s", ef.text)
	}
	if got, want := ef.values["clone-url"], "https://********@git.example.com/{owner}/{repo}.git"; got != want {
		t.Errorf("clone-url = %q, want %q", got, want)
	}
}

// TestConfig_FileReachesTheDaemon: a setting from the file governs the
// running daemon: --max-hooks-per-event 1 refuses a second push hook.
func TestConfig_FileReachesTheDaemon(t *testing.T) {
	t.Parallel()
	e := MustNewEnv(t)
	e.MustRepo("acme", "capped")
	path := filepath.Join(t.TempDir(), "forgehook.toml")
	if err := os.WriteFile(path, []byte("max-hooks-per-event = 1\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	e.MustStart("--config", path)
	e.MustCreateHook("acme", "capped", "http://127.0.0.1:1/a", "json", "")
	_, resp, err := e.Client(false).Repositories.CreateHook(context.Background(), "acme", "capped", &github.Hook{
		Config: &github.HookConfig{URL: github.String("http://127.0.0.1:1/b"), ContentType: github.String("json")},
		Events: []string{"push"}})
	if err == nil || resp == nil || resp.StatusCode != 422 {
		t.Fatalf("second push hook: %v; want 422 with max-hooks-per-event = 1", err)
	}
}

// TestVersion: --version and version print the stamped version and Go's.
func TestVersion(t *testing.T) {
	t.Parallel()
	stamped := filepath.Join(t.TempDir(), "forgehook")
	build := exec.Command("go", "build", "-ldflags", "-X main.version=v1.2.3-test", "-o", stamped, ".")
	if out, err := build.CombinedOutput(); err != nil {
		t.Fatalf("go build: %v\n%s", err, out)
	}
	for _, arg := range []string{"--version", "version"} {
		out, err := exec.Command(stamped, arg).Output()
		if err != nil || !strings.Contains(string(out), "forgehook v1.2.3-test") || !strings.Contains(string(out), runtime.Version()) {
			t.Errorf("forgehook %s = %q, %v; want the version and %s", arg, out, err, runtime.Version())
		}
	}
}

// TestHelp_ExitsCleanly: -h prints the usage and exits 0 without
// "flag: help requested".
func TestHelp_ExitsCleanly(t *testing.T) {
	t.Parallel()
	for _, cmd := range []string{"serve", "backup", "install"} {
		out, err := exec.Command(binary, cmd, "-h").CombinedOutput()
		if err != nil || !strings.Contains(string(out), "-db") || strings.Contains(string(out), "help requested") {
			t.Errorf("forgehook %s -h: %v\n%s", cmd, err, out)
		}
	}
}
