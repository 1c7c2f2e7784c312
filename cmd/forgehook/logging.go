package main

import (
	"flag"
	"fmt"
	"io"
	"log/slog"
)

// logConfig is how the daemon logs.
type logConfig struct {
	Format logFormat
	Level  slog.Level
}

func (c *logConfig) register(fs *flag.FlagSet) {
	c.Format = "text"
	fs.Var(&c.Format, "log-format", "log `format`: text or json, one object per line")
	fs.TextVar(&c.Level, "log-level", slog.LevelInfo, "least `level` logged: debug, info, warn or error")
}

// logFormat is the value of --log-format.
type logFormat string

func (f *logFormat) String() string { return string(*f) }

// Set takes text or json.
func (f *logFormat) Set(v string) error {
	switch v {
	case "text", "json":
		*f = logFormat(v)
		return nil
	}
	return fmt.Errorf("want text or json, got %q", v)
}

// logger returns the daemon's logger, writing to w.
func (c *logConfig) logger(w io.Writer) *slog.Logger {
	opts := &slog.HandlerOptions{Level: c.Level}
	if c.Format == "json" {
		return slog.New(slog.NewJSONHandler(w, opts))
	}
	return slog.New(slog.NewTextHandler(w, opts))
}
