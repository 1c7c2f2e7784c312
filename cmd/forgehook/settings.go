package main

import (
	"errors"
	"flag"
	"fmt"
	"os"
	"sort"
	"strconv"
	"strings"

	"github.com/BurntSushi/toml"
)

// settings resolves every flag of a flag set from four layers, first match
// wins: the command line, the environment (FORGEHOOK_ and the flag's name in
// capitals, dashes as underscores: FORGEHOOK_RETRY_SCHEDULE), a TOML file
// whose keys are the flags' names, and the flag's default. A flag added to
// the set is in every layer without more code. It remembers where each
// value came from, for --print-config.
type settings struct {
	fs   *flag.FlagSet
	from map[string]string // flag name -> "flag", "env NAME", "file PATH"; absent: default
	// local names flags that are actions, not settings: neither in the
	// environment nor in the file (--print-config).
	local map[string]bool
}

// configFlag is the flag naming the file; its environment variable is
// FORGEHOOK_CONFIG, as for every flag.
const configFlag = "config"

// envName returns the environment variable of the flag name.
func envName(name string) string {
	return "FORGEHOOK_" + strings.ToUpper(strings.ReplaceAll(name, "-", "_"))
}

// parseSettings parses args into fs, then fills each flag not on the
// command line from the environment, then from the file named by --config
// (or FORGEHOOK_CONFIG), if any. A key of the file that is no flag, or a
// value a flag rejects, is an error naming the file and the key.
func parseSettings(fs *flag.FlagSet, args []string, local ...string) (*settings, error) {
	s := &settings{fs: fs, from: map[string]string{}, local: map[string]bool{configFlag: true}}
	for _, name := range local {
		s.local[name] = true
	}
	if err := fs.Parse(args); err != nil {
		return nil, err
	}
	fs.Visit(func(f *flag.Flag) { s.from[f.Name] = "flag" })
	var err error
	fs.VisitAll(func(f *flag.Flag) {
		if err != nil || s.from[f.Name] != "" || (s.local[f.Name] && f.Name != configFlag) {
			return
		}
		env := envName(f.Name)
		if v := os.Getenv(env); v != "" {
			if e := fs.Set(f.Name, v); e != nil {
				err = fmt.Errorf("%s=%q: %w", env, v, e)
			}
			s.from[f.Name] = "env " + env
		}
	})
	if err != nil {
		return nil, err
	}
	if f := fs.Lookup(configFlag); f != nil && f.Value.String() != "" {
		if err := s.loadFile(f.Value.String()); err != nil {
			return nil, err
		}
	}
	return s, nil
}

// loadFile sets the flags that are still at their defaults from the TOML
// file at path. Every key must be a flag's name, even those the command
// line or the environment override, so that a typo is never silent.
func (s *settings) loadFile(path string) error {
	var file map[string]any
	md, err := toml.DecodeFile(path, &file)
	if err != nil {
		var perr toml.ParseError
		if errors.As(err, &perr) {
			return fmt.Errorf("config %s: line %d: %s", path, perr.Position.Line, perr.Message)
		}
		return fmt.Errorf("config %s: %w", path, err)
	}
	for _, key := range md.Keys() {
		if len(key) != 1 {
			continue // inside a table, which is reported as the table's key
		}
		name := key[0]
		if f := s.fs.Lookup(name); f == nil || s.local[name] {
			return fmt.Errorf("config %s: unknown key %q: keys are the names of %s's flags (see -h)", path, name, s.fs.Name())
		}
		v, err := tomlFlagValue(file[name])
		if err != nil {
			return fmt.Errorf("config %s: %s: %w", path, name, err)
		}
		if s.from[name] != "" {
			continue // the command line or the environment wins
		}
		if err := s.fs.Set(name, v); err != nil {
			return fmt.Errorf("config %s: %s = %q: %w", path, name, v, err)
		}
		s.from[name] = "file " + path
	}
	return nil
}

// tomlFlagValue turns a TOML value into a flag's text: an array becomes the
// comma-separated list the list flags take.
func tomlFlagValue(v any) (string, error) {
	switch v := v.(type) {
	case string:
		return v, nil
	case bool:
		return strconv.FormatBool(v), nil
	case int64:
		return strconv.FormatInt(v, 10), nil
	case float64:
		return strconv.FormatFloat(v, 'g', -1, 64), nil
	case []any:
		parts := make([]string, len(v))
		for i, e := range v {
			s, err := tomlFlagValue(e)
			if err != nil {
				return "", err
			}
			if _, nested := e.([]any); nested || strings.Contains(s, ",") {
				return "", errors.New("an array holds plain values without commas")
			}
			parts[i] = s
		}
		return strings.Join(parts, ","), nil
	default:
		return "", fmt.Errorf("a %T is not a flag value: use a string, number, boolean or array", v)
	}
}

// Source returns where the flag name's value came from: "flag", "env
// NAME", "file PATH" or "default".
func (s *settings) Source(name string) string {
	if from := s.from[name]; from != "" {
		return from
	}
	return "default"
}

// Names returns the names of the flags that are settings, sorted.
func (s *settings) Names() []string {
	var names []string
	s.fs.VisitAll(func(f *flag.Flag) {
		if !s.local[f.Name] {
			names = append(names, f.Name)
		}
	})
	sort.Strings(names)
	return names
}
