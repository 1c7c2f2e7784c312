package git

import (
	"context"
	"errors"
	"os"
	"os/exec"
	"strings"
	"time"
)

// ConfigValue returns the value of a git config key as git sees it in the
// repository at gitDir (its own, the global and the system config), or ""
// if the key is not set.
func ConfigValue(gitDir, key string) (string, error) {
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	cmd := exec.CommandContext(ctx, "git", "config", "--get", key)
	cmd.Env = append(os.Environ(), "GIT_DIR="+gitDir)
	out, err := cmd.Output()
	var exit *exec.ExitError
	if errors.As(err, &exit) && exit.ExitCode() == 1 {
		return "", nil // not set
	}
	if err != nil {
		return "", err
	}
	return strings.TrimSpace(string(out)), nil
}
