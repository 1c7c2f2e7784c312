package bench

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"time"
)

// Env is where the benchmarks run: the binaries they drive and a scratch
// directory with a private HOME for git.
type Env struct {
	Forgehook string    // path of bin/forgehook
	Self      string    // path of the forgebench binary, for its time-hook command
	HookOnly  string    // path of the post-receive-only binary (cmd/hookonly), or ""
	Dir       string    // scratch directory, removed by the caller
	Log       io.Writer // progress lines
	Quick     bool      // smaller counts, for trying the harness out

	gitEnv []string
}

// Init prepares the scratch directory and git's environment.
func (e *Env) Init() error {
	home := filepath.Join(e.Dir, "home")
	if err := os.MkdirAll(home, 0o755); err != nil {
		return err
	}
	e.gitEnv = []string{
		"HOME=" + home, "XDG_CONFIG_HOME=" + home, "GIT_CONFIG_NOSYSTEM=1",
		"GIT_CONFIG_GLOBAL=" + filepath.Join(home, ".gitconfig"),
		"GIT_AUTHOR_NAME=Ada Lovelace", "GIT_AUTHOR_EMAIL=ada@example.com",
		"GIT_COMMITTER_NAME=Ada Lovelace", "GIT_COMMITTER_EMAIL=ada@example.com",
		"GIT_TERMINAL_PROMPT=0", "FORGEHOOK_PUSHER=bench",
	}
	for _, kv := range os.Environ() {
		if k, _, _ := strings.Cut(kv, "="); k == "PATH" || k == "TMPDIR" || k == "LANG" {
			e.gitEnv = append(e.gitEnv, kv)
		}
	}
	// A fixed configuration: no gc or hint output getting in the way of timings.
	return os.WriteFile(filepath.Join(home, ".gitconfig"),
		[]byte("[init]\n\tdefaultBranch = main\n[gc]\n\tauto = 0\n[advice]\n\tdetachedHead = false\n[receive]\n\tautogc = false\n"), 0o644)
}

// logf prints one progress line.
func (e *Env) logf(format string, args ...any) {
	if e.Log != nil {
		fmt.Fprintf(e.Log, "forgebench: "+format+"\n", args...)
	}
}

// Git runs git with args in dir and returns its trimmed stdout. It gives up
// after two minutes.
func (e *Env) Git(dir string, args ...string) (string, error) {
	return e.GitInput(dir, nil, args...)
}

// GitInput runs git like Git with stdin as its input.
func (e *Env) GitInput(dir string, stdin []byte, args ...string) (string, error) {
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, "git", args...)
	cmd.Dir, cmd.Env = dir, e.gitEnv
	if stdin != nil {
		cmd.Stdin = bytes.NewReader(stdin)
	}
	var out, errb bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &errb
	if err := cmd.Run(); err != nil {
		return "", fmt.Errorf("git %s: %v: %s", strings.Join(args, " "), err, strings.TrimSpace(errb.String()))
	}
	return strings.TrimSpace(out.String()), nil
}

// InitBare creates the bare repository root/owner/name.git and returns its path.
func (e *Env) InitBare(root, owner, name string) (string, error) {
	dir := filepath.Join(root, owner, name+".git")
	if err := os.MkdirAll(filepath.Dir(dir), 0o755); err != nil {
		return "", err
	}
	_, err := e.Git(root, "init", "--quiet", "--bare", dir)
	return dir, err
}

// Clone is a working copy that makes one-commit pushes.
type Clone struct {
	env *Env
	Dir string
	n   int
}

// NewClone clones remote into dir. An empty remote gets a first commit on main
// and is pushed, so that later pushes are one-commit fast-forwards.
func (e *Env) NewClone(remote, dir string) (*Clone, error) {
	if _, err := e.Git(filepath.Dir(dir), "clone", "--quiet", remote, dir); err != nil {
		return nil, err
	}
	c := &Clone{env: e, Dir: dir}
	if _, err := e.Git(dir, "checkout", "--quiet", "-B", "main"); err != nil {
		return nil, err
	}
	if err := os.WriteFile(filepath.Join(dir, "README"), []byte("bench\n"), 0o644); err != nil {
		return nil, err
	}
	if _, err := e.Git(dir, "add", "README"); err != nil {
		return nil, err
	}
	return c, nil
}

// Commit makes one commit that changes the file counter and returns its id.
func (c *Clone) Commit() (string, error) {
	c.n++
	if err := os.WriteFile(filepath.Join(c.Dir, "counter"), []byte(fmt.Sprintln(c.n)), 0o644); err != nil {
		return "", err
	}
	if c.n == 1 {
		if _, err := c.env.Git(c.Dir, "add", "counter"); err != nil {
			return "", err
		}
	}
	if _, err := c.env.Git(c.Dir, "commit", "--quiet", "-a", "-m", fmt.Sprintf("change %d", c.n)); err != nil {
		return "", err
	}
	return c.env.Git(c.Dir, "rev-parse", "HEAD")
}

// Push pushes refspec to origin and returns how long git push took and what
// it printed on stderr (the hook's output shows there as "remote:" lines).
func (c *Clone) Push(refspec string) (time.Duration, string, error) {
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, "git", "push", "--quiet", "origin", refspec)
	cmd.Dir, cmd.Env = c.Dir, c.env.gitEnv
	var errb bytes.Buffer
	cmd.Stderr = &errb
	start := time.Now()
	err := cmd.Run()
	d := time.Since(start)
	if err != nil {
		return d, errb.String(), fmt.Errorf("git push %s: %v: %s", refspec, err, strings.TrimSpace(errb.String()))
	}
	return d, errb.String(), nil
}

// Install runs forgehook install on the bare repositories dirs.
func (e *Env) Install(db, repos string, dirs ...string) error {
	args := append([]string{"install", "--db", db, "--repos", repos}, dirs...)
	out, err := exec.Command(e.Forgehook, args...).CombinedOutput()
	if err != nil {
		return fmt.Errorf("forgehook install: %v: %s", err, out)
	}
	return nil
}

// noopHook is the post-receive hook that push overhead is measured against.
const noopHook = "#!/bin/sh\ncat >/dev/null\n"

// InstallNoop makes gitDir's post-receive hook read its input and do nothing.
func InstallNoop(gitDir string) error {
	return os.WriteFile(filepath.Join(gitDir, "hooks", "post-receive"), []byte(noopHook), 0o755)
}
