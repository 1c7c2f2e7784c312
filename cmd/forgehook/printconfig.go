package main

import (
	"bytes"
	"flag"
	"fmt"
	"io"
	"time"

	"github.com/BurntSushi/toml"

	"github.com/forgehook/forgehook/internal/redact"
)

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
	if shown := redact.Setting(name, text); shown != text {
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
