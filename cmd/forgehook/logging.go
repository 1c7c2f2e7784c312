package main

import (
	"flag"
	"fmt"
	"io"
	"log/slog"
	"strings"
)

// logConfig is how the daemon logs.
type logConfig struct {
	Format string // text or json
	Level  slog.Level
}

func (c *logConfig) register(fs *flag.FlagSet) {
	c.Format = "text"
	fs.Func("log-format", "log `format`: text (the default) or json, one object per line (env FORGEHOOK_LOG_FORMAT)", c.setFormat)
	fs.Func("log-level", "least `level` logged: debug, info (the default), warn or error (env FORGEHOOK_LOG_LEVEL)", c.setLevel)
	if v := envOr("FORGEHOOK_LOG_FORMAT", ""); v != "" {
		_ = c.setFormat(v) // a bad value is reported if the flag is not given either
	}
	if v := envOr("FORGEHOOK_LOG_LEVEL", ""); v != "" {
		_ = c.setLevel(v)
	}
}

func (c *logConfig) setFormat(v string) error {
	switch v {
	case "text", "json":
		c.Format = v
		return nil
	}
	return fmt.Errorf("want text or json, got %q", v)
}

func (c *logConfig) setLevel(v string) error {
	switch strings.ToLower(v) {
	case "debug", "info", "warn", "error":
		return c.Level.UnmarshalText([]byte(v))
	}
	return fmt.Errorf("want debug, info, warn or error, got %q", v)
}

// logger returns the daemon's logger, writing to w.
func (c *logConfig) logger(w io.Writer) *slog.Logger {
	opts := &slog.HandlerOptions{Level: c.Level}
	if c.Format == "json" {
		return slog.New(slog.NewJSONHandler(w, opts))
	}
	return slog.New(slog.NewTextHandler(w, opts))
}

// redactURL hides the user information (a password, or a token given as
// the user name) of a URL or URL template, if it has any.
func redactURL(s string) string {
	scheme, rest, ok := strings.Cut(s, "://")
	if !ok {
		return s
	}
	authority := rest
	if i := strings.IndexAny(rest, "/?#"); i >= 0 {
		authority = rest[:i]
	}
	at := strings.LastIndex(authority, "@")
	if at < 0 {
		return s
	}
	return scheme + "://xxxxx" + rest[at:]
}
