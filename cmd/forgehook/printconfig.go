package main

import (
	"bytes"
	"flag"
	"fmt"
	"io"
	"regexp"
	"strings"
	"time"

	"github.com/BurntSushi/toml"
)

// redacted replaces a secret in --print-config (and wherever a setting is
// shown).
const redacted = "********"

// secretName matches the flags whose value is a secret itself. A flag
// ending in -file names where a secret is kept, which is no secret.
var secretName = regexp.MustCompile(`secret|token|password|passwd|credential|private-key`)

// urlUserinfo matches the user:password@ part of URLs in a value.
var urlUserinfo = regexp.MustCompile(`([a-zA-Z][a-zA-Z0-9+.-]*://)[^/?#@\s]+@`)

// redact returns value as it may be shown for the flag name: a secret flag's
// value entirely hidden, and the userinfo of every URL in it hidden.
func redact(name, value string) string {
	if value != "" && secretName.MatchString(name) && !strings.HasSuffix(name, "-file") {
		return redacted
	}
	return urlUserinfo.ReplaceAllString(value, "${1}"+redacted+"@")
}

// printConfig writes the effective settings as a TOML file that --config
// can read back, with where each value came from in a comment after it.
func printConfig(w io.Writer, s *settings) error {
	var buf bytes.Buffer
	fmt.Fprintf(&buf, "# The effective configuration of %s. The comment after each\n", s.fs.Name())
	buf.WriteString("# value says where it came from: flag, env VARIABLE, file PATH or default.\n")
	for _, name := range s.Names() {
		line, err := toml.Marshal(map[string]any{name: tomlValue(name, s.fs.Lookup(name))})
		if err != nil {
			return fmt.Errorf("print config: %s: %w", name, err)
		}
		fmt.Fprintf(&buf, "%s # %s\n", bytes.TrimRight(line, "\n"), s.Source(name))
	}
	_, err := w.Write(buf.Bytes())
	return err
}

// tomlValue returns the flag's value as the TOML type it reads: a number or
// boolean for those flags, a string (durations as "10s") for the others.
func tomlValue(name string, f *flag.Flag) any {
	text := f.Value.String()
	if shown := redact(name, text); shown != text {
		return shown
	}
	if g, ok := f.Value.(flag.Getter); ok {
		switch v := g.Get().(type) {
		case bool, int, int64, uint, uint64, float64:
			return v
		case time.Duration:
			return v.String()
		}
	}
	return text
}
