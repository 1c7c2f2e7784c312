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

// HookSpec is what an installed hook runs: `Binary post-receive --db DB
// --repos REPOS [--node NODE]`, then each of Chain (absolute, or relative to
// the git dir).
type HookSpec struct {
	Binary string
	DB     string
	Repos  string
	Node   string // the git server pushes are recorded as of; "" for the host name
	Chain  []string
}

// InstallState says what Install did.
type InstallState string

// What Install did to a repository.
const (
	Installed InstallState = "installed"       // wrote the hook
	Chained   InstallState = "chained"         // wrote the hook, keeping the one that was there
	Unchanged InstallState = "already present" // the hook was already as it would write it
	Wrapped   InstallState = "wrapped"         // the existing hook already runs forgehook: left as is
)

// Install writes the post-receive hook of the bare repository at gitDir: a
// shell script that runs forgehook with absolute paths and, if the binary
// has moved, still runs the chained hooks and says what to do. A hook that
// Install did not write is moved to hooks/post-receive.forgehook-chained,
// keeping its mode, and keeps running with the same input; one that already
// runs forgehook (a wrapper, or gitolite's link to forgehook's common hook)
// is left alone, so that a push is never recorded twice. Installing again
// with the same spec changes nothing. The hook is replaced atomically.
func Install(spec HookSpec, gitDir string) (InstallState, error) {
	spec, gitDir, err := absSpec(spec, gitDir)
	if err != nil {
		return "", err
	}
	if !IsBareRepo(gitDir) {
		return "", fmt.Errorf("install hook: %s is not a bare git repository", gitDir)
	}
	dir := filepath.Join(gitDir, "hooks")
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return "", fmt.Errorf("install hook: %w", err)
	}
	hook, chained := filepath.Join(dir, "post-receive"), filepath.Join(dir, ChainedHookName)
	kind, old, err := classifyHook(hook)
	if err != nil {
		return "", fmt.Errorf("install hook: %w", err)
	}
	if kind == hookWrapper {
		return Wrapped, nil
	}
	_, err = os.Lstat(chained)
	hasChained := err == nil
	if kind == hookForeign && hasChained {
		return "", fmt.Errorf("install hook: %s and %s both exist; merge them by hand", hook, chained)
	}
	if kind == hookForeign || hasChained {
		spec.Chain = append([]string{chained}, spec.Chain...)
	}
	script := HookScript(spec)
	if kind == hookOurs && bytes.Equal(old, script) {
		if fi, err := os.Stat(hook); err == nil && fi.Mode().Perm() == 0o755 {
			return Unchanged, nil
		}
	}
	if kind == hookForeign {
		if err := keepHook(hook, chained); err != nil {
			return "", err
		}
	}
	if err := writeFileAtomic(hook, script, 0o755); err != nil {
		return "", fmt.Errorf("install hook: %w", err)
	}
	if kind == hookForeign {
		return Chained, nil
	}
	return Installed, nil
}

// UninstallState says what Uninstall did.
type UninstallState string

// What Uninstall did to a repository.
const (
	Removed      UninstallState = "removed"       // forgehook's hook is gone; there was none before
	Restored     UninstallState = "restored"      // the hook that was there before is back
	NotInstalled UninstallState = "not installed" // the hook is not forgehook's: left alone
)

// Uninstall removes the post-receive hook Install wrote into the bare
// repository at gitDir and puts back the hook it had chained, if any.
func Uninstall(gitDir string) (UninstallState, error) {
	hook := filepath.Join(gitDir, "hooks", "post-receive")
	chained := filepath.Join(gitDir, "hooks", ChainedHookName)
	kind, _, err := classifyHook(hook)
	if err != nil {
		return "", fmt.Errorf("uninstall hook: %w", err)
	}
	if kind != hookOurs {
		return NotInstalled, nil
	}
	if _, err := os.Lstat(chained); err == nil {
		if err := os.Rename(chained, hook); err != nil {
			return "", fmt.Errorf("uninstall hook: %w", err)
		}
		return Restored, nil
	}
	if err := os.Remove(hook); err != nil {
		return "", fmt.Errorf("uninstall hook: %w", err)
	}
	return Removed, nil
}

// hookKind is what a post-receive file is.
type hookKind int

const (
	hookNone    hookKind = iota // no file
	hookOurs                    // a file Install wrote
	hookWrapper                 // runs forgehook otherwise: a wrapper, or a link to a forgehook hook
	hookForeign                 // anything else, dangling links included
)

// classifyHook tells what the post-receive hook at path is, and returns its
// content.
func classifyHook(path string) (hookKind, []byte, error) {
	fi, err := os.Lstat(path)
	if errors.Is(err, os.ErrNotExist) {
		return hookNone, nil, nil
	}
	if err != nil {
		return 0, nil, err
	}
	content, err := os.ReadFile(path)
	if err != nil && !errors.Is(err, os.ErrNotExist) {
		return 0, nil, fmt.Errorf("read existing hook: %w", err)
	}
	switch {
	case fi.Mode()&os.ModeSymlink == 0 && isOurHook(content):
		return hookOurs, content, nil
	case isOurHook(content) || bytes.Contains(content, []byte("forgehook post-receive")) ||
		bytes.Contains(content, []byte("forgehook' post-receive")):
		return hookWrapper, content, nil
	}
	return hookForeign, content, nil
}

// absSpec makes the spec's paths (not a database URL) and gitDir absolute and checks that none
// is missing.
func absSpec(spec HookSpec, gitDir string) (HookSpec, string, error) {
	for _, arg := range []struct{ name, value string }{{"binary", spec.Binary}, {"db", spec.DB}, {"repos", spec.Repos}, {"git dir", gitDir}} {
		if arg.value == "" {
			return spec, "", fmt.Errorf("install hook: no %s", arg.name)
		}
	}
	abs := func(p string) string {
		if a, err := filepath.Abs(p); err == nil {
			return a
		}
		return p
	}
	spec.Binary, spec.Repos = abs(spec.Binary), abs(spec.Repos)
	if !strings.Contains(spec.DB, "://") { // a database URL (PostgreSQL) is no path
		spec.DB = abs(spec.DB)
	}
	spec.Chain = append([]string(nil), spec.Chain...)
	return spec, abs(gitDir), nil
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

// HookScript returns the content of the post-receive hook for spec. It runs
// forgehook, or, if the binary is gone, forgehook from PATH; failing both,
// it says so on stderr and runs the chained hooks itself, so that they keep
// working.
func HookScript(spec HookSpec) []byte {
	var b strings.Builder
	b.WriteString("#!/bin/sh\n")
	b.WriteString(HookMarker + "\n")
	b.WriteString("# Written by forgehook install: it records each push for the forgehook daemon.\n")
	b.WriteString("# After moving or upgrading the binary, run forgehook install again.\n")
	args := []string{"post-receive", "--db", shellQuote(spec.DB), "--repos", shellQuote(spec.Repos)}
	if spec.Node != "" {
		args = append(args, "--node", shellQuote(spec.Node))
	}
	var chains []string
	for _, c := range spec.Chain {
		args = append(args, "--chain", shellQuote(c))
		chains = append(chains, shellQuote(c))
	}
	fmt.Fprintf(&b, "set -- %s\n", strings.Join(args, " "))
	fmt.Fprintf(&b, "for bin in %s \"$(command -v forgehook)\"; do\n\t[ -x \"$bin\" ] && exec \"$bin\" \"$@\"\ndone\n", shellQuote(spec.Binary))
	fmt.Fprintf(&b, "echo %s >&2\n", shellQuote("forgehook: "+spec.Binary+" not found: this push was not recorded for webhooks; run forgehook install again with the binary where it is now"))
	if len(chains) > 0 {
		b.WriteString("input=$(cat)\n")
		fmt.Fprintf(&b, "for hook in %s; do\n\t[ -x \"$hook\" ] && printf '%%s\\n' \"$input\" | \"$hook\"\ndone\n", strings.Join(chains, " "))
	}
	b.WriteString("exit 0\n")
	return []byte(b.String())
}

// shellQuote quotes s as one word for sh.
func shellQuote(s string) string {
	return "'" + strings.ReplaceAll(s, "'", `'\''`) + "'"
}

// keepHook links (or, failing that, moves) the hook at path to chained.
func keepHook(path, chained string) error {
	if err := os.Link(path, chained); err != nil {
		if err := os.Rename(path, chained); err != nil {
			return fmt.Errorf("install hook: keep existing hook: %w", err)
		}
	}
	return nil
}

// writeFileAtomic replaces path with content and mode, through a temporary
// file in the same directory.
func writeFileAtomic(path string, content []byte, mode os.FileMode) (err error) {
	f, err := os.CreateTemp(filepath.Dir(path), "."+filepath.Base(path)+".tmp-*")
	if err != nil {
		return err
	}
	defer func() {
		if err != nil {
			os.Remove(f.Name())
		}
	}()
	_, err = f.Write(content)
	if err == nil {
		err = f.Chmod(mode)
	}
	if err == nil {
		err = f.Sync()
	}
	if err = errors.Join(err, f.Close()); err != nil {
		return fmt.Errorf("write %s: %w", path, err)
	}
	return os.Rename(f.Name(), path)
}

// ReadHook reads the post-receive hook at path, following links, and
// returns the spec it runs if Install (or InstallGitolite) wrote it.
func ReadHook(path string) (HookSpec, bool) {
	content, err := os.ReadFile(path)
	if err != nil || !isOurHook(content) {
		return HookSpec{}, false
	}
	var spec HookSpec
	for _, line := range strings.Split(string(content), "\n") {
		switch {
		case strings.HasPrefix(line, "set -- "):
			words := shellWords(strings.TrimPrefix(line, "set -- "))
			for i := 0; i+1 < len(words); i++ {
				switch words[i] {
				case "--db":
					spec.DB = words[i+1]
				case "--repos":
					spec.Repos = words[i+1]
				case "--node":
					spec.Node = words[i+1]
				case "--chain":
					spec.Chain = append(spec.Chain, words[i+1])
				}
			}
		case strings.HasPrefix(line, "for bin in "):
			if words := shellWords(strings.TrimPrefix(line, "for bin in ")); len(words) > 0 {
				spec.Binary = words[0]
			}
		}
	}
	return spec, spec.Binary != "" && spec.DB != ""
}

// shellWords splits the single-quoted words shellQuote wrote, and stops at
// the first word that is not quoted.
func shellWords(s string) []string {
	var words []string
	for s = strings.TrimLeft(s, " "); s != ""; s = strings.TrimLeft(s, " ") {
		if !strings.HasPrefix(s, "'") {
			word, rest, _ := strings.Cut(s, " ")
			if strings.ContainsAny(word, `'"$;`) {
				return words
			}
			words, s = append(words, word), rest
			continue
		}
		var b strings.Builder
		for {
			s = s[1:] // the opening quote
			i := strings.IndexByte(s, '\'')
			if i < 0 {
				return words
			}
			b.WriteString(s[:i])
			s = s[i+1:]
			if !strings.HasPrefix(s, `\''`) {
				break
			}
			b.WriteString("'")
			s = s[2:] // leave the quote that reopens
		}
		words = append(words, b.String())
	}
	return words
}

// RunsForgehook reports whether the post-receive hook at path runs
// forgehook: Install wrote it, it wraps forgehook, or it links to such a hook.
func RunsForgehook(path string) bool {
	kind, _, err := classifyHook(path)
	return err == nil && (kind == hookOurs || kind == hookWrapper)
}
