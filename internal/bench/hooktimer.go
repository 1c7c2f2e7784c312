package bench

import (
	"context"
	"fmt"
	"io"
	"os"
	"os/exec"
	"strconv"
	"strings"
	"time"
)

// TimeHook runs argv with the given standard streams, then appends how long
// it ran, in nanoseconds, as one line to logPath, and returns argv's exit
// code. The concurrent push benchmark puts it in front of forgehook
// post-receive in the installed hook to time the hook inside real pushes.
func TimeHook(logPath string, argv []string, stdin io.Reader, stdout, stderr io.Writer) int {
	if len(argv) == 0 {
		fmt.Fprintln(stderr, "time-hook: no command")
		return 2
	}
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, argv[0], argv[1:]...)
	cmd.Stdin, cmd.Stdout, cmd.Stderr = stdin, stdout, stderr
	start := time.Now()
	err := cmd.Run()
	took := time.Since(start)
	code := 0
	if err != nil {
		fmt.Fprintln(stderr, "time-hook:", err)
		code = 1
		if ee, ok := err.(*exec.ExitError); ok {
			code = ee.ExitCode()
		}
	}
	f, err := os.OpenFile(logPath, os.O_WRONLY|os.O_APPEND|os.O_CREATE, 0o644)
	if err != nil {
		fmt.Fprintln(stderr, "time-hook:", err)
		return code
	}
	defer f.Close()
	// One short write with O_APPEND: lines of concurrent hooks do not mix.
	if _, err := f.WriteString(strconv.FormatInt(int64(took), 10) + "\n"); err != nil {
		fmt.Fprintln(stderr, "time-hook:", err)
	}
	return code
}

// readHookTimes reads the durations TimeHook logged.
func readHookTimes(logPath string) (Sample, error) {
	b, err := os.ReadFile(logPath)
	if err != nil {
		return nil, err
	}
	var s Sample
	for _, f := range strings.Fields(string(b)) {
		n, err := strconv.ParseInt(f, 10, 64)
		if err != nil {
			return nil, fmt.Errorf("hook times: %w", err)
		}
		s = append(s, time.Duration(n))
	}
	return s, nil
}

// wrapHook puts forgebench time-hook LOG -- in front of the forgehook command
// that forgehook install wrote into gitDir's post-receive hook.
func (e *Env) wrapHook(gitDir, logPath string) error {
	path := gitDir + "/hooks/post-receive"
	b, err := os.ReadFile(path)
	if err != nil {
		return err
	}
	const old = `exec "$bin" "$@"` // the hook runs forgehook ("$bin") with "$@"
	if !strings.Contains(string(b), old) || !strings.Contains(string(b), shellQuote(e.Forgehook)) {
		return fmt.Errorf("%s: no %s of %s to wrap in:\n%s", path, old, e.Forgehook, b)
	}
	wrapped := strings.Replace(string(b), old, "exec "+shellQuote(e.Self)+" time-hook "+shellQuote(logPath)+` -- "$bin" "$@"`, 1)
	return os.WriteFile(path, []byte(wrapped), 0o755)
}

// shellQuote quotes s for sh, as forgehook install does.
func shellQuote(s string) string {
	return "'" + strings.ReplaceAll(s, "'", `'\''`) + "'"
}
