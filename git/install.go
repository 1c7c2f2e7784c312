package git

import (
	"bytes"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
)

// HookMarker is the comment line that marks a post-receive hook as written
// by Install.
const HookMarker = "# forgehook post-receive hook"

// ChainedHookName is where Install moves a post-receive hook that was there
// before, inside the repository's hooks directory.
const ChainedHookName = "post-receive.forgehook-chained"

// Install writes the post-receive hook of the bare repository at gitDir: a
// shell script that runs `binary post-receive --db DB --repos REPOS` with
// absolute paths. A post-receive hook that Install did not write is first
// moved to hooks/post-receive.forgehook-chained, keeping its mode, and the
// script passes it with --chain so that it keeps running. Installing again
// with the same arguments changes nothing and reports changed false. The hook
// is replaced atomically.
func Install(binary, db, repos string, gitDir string) (changed bool, err error) {
	for _, arg := range []struct{ name, value string }{{"binary", binary}, {"db", db}, {"repos", repos}, {"git dir", gitDir}} {
		if arg.value == "" {
			return false, fmt.Errorf("install hook: no %s", arg.name)
		}
	}
	abs := func(p string) string {
		if a, err := filepath.Abs(p); err == nil {
			return a
		}
		return p
	}
	binary, db, repos, gitDir = abs(binary), abs(db), abs(repos), abs(gitDir)
	if !isBareRepo(gitDir) {
		return false, fmt.Errorf("install hook: %s is not a bare git repository", gitDir)
	}
	dir := filepath.Join(gitDir, "hooks")
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return false, fmt.Errorf("install hook: %w", err)
	}
	hook, chained := filepath.Join(dir, "post-receive"), filepath.Join(dir, ChainedHookName)

	_, err = os.Lstat(hook)
	exists := err == nil
	old, err := os.ReadFile(hook)
	if err != nil && exists && !os.IsNotExist(err) {
		return false, fmt.Errorf("install hook: read existing hook: %w", err)
	}
	foreign := exists && !isOurHook(old) // a dangling link reads as empty: foreign
	if _, err := os.Lstat(chained); err == nil && foreign {
		return false, fmt.Errorf("install hook: %s and %s both exist; merge them by hand", hook, chained)
	}
	chain := foreign
	if _, err := os.Lstat(chained); err == nil {
		chain = true
	}
	script := hookScript(binary, db, repos, chained, chain)
	if exists && !foreign && bytes.Equal(old, script) {
		if fi, err := os.Stat(hook); err == nil && fi.Mode().Perm() == 0o755 {
			return false, nil
		}
	}
	return true, writeHook(hook, chained, script, foreign)
}

// isOurHook reports whether hook content carries HookMarker.
func isOurHook(content []byte) bool {
	for _, line := range strings.Split(string(content), "\n") {
		if strings.TrimSpace(line) == HookMarker {
			return true
		}
	}
	return false
}

// hookScript returns the content of the post-receive hook.
func hookScript(binary, db, repos, chained string, chain bool) []byte {
	var b strings.Builder
	b.WriteString("#!/bin/sh\n")
	b.WriteString(HookMarker + "\n")
	b.WriteString("# Written by forgehook install: it records each push for the forgehook daemon.\n")
	fmt.Fprintf(&b, "exec %s post-receive --db %s --repos %s", shellQuote(binary), shellQuote(db), shellQuote(repos))
	if chain {
		fmt.Fprintf(&b, " --chain %s", shellQuote(chained))
	}
	b.WriteString("\n")
	return []byte(b.String())
}

// shellQuote quotes s as one word for sh.
func shellQuote(s string) string {
	return "'" + strings.ReplaceAll(s, "'", `'\''`) + "'"
}

// writeHook replaces hook with script. If foreign, the existing hook is first
// linked (or, failing that, moved) to chained.
func writeHook(hook, chained string, script []byte, foreign bool) (err error) {
	f, err := os.CreateTemp(filepath.Dir(hook), ".post-receive.tmp-*")
	if err != nil {
		return fmt.Errorf("install hook: %w", err)
	}
	defer func() {
		if err != nil {
			os.Remove(f.Name())
		}
	}()
	_, err = f.Write(script)
	if err == nil {
		err = f.Chmod(0o755)
	}
	if err == nil {
		err = f.Sync()
	}
	if err = errors.Join(err, f.Close()); err != nil {
		return fmt.Errorf("install hook: write: %w", err)
	}
	if foreign {
		if err := os.Link(hook, chained); err != nil {
			if err := os.Rename(hook, chained); err != nil {
				return fmt.Errorf("install hook: keep existing hook: %w", err)
			}
		}
	}
	if err := os.Rename(f.Name(), hook); err != nil {
		return fmt.Errorf("install hook: %w", err)
	}
	return nil
}
