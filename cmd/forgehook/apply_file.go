package main

import (
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"

	"github.com/BurntSushi/toml"

	"github.com/forgehook/forgehook/hooks"
)

// hooksFile is a declarative hooks file, as forgehook apply reads it (TOML):
//
//	[[repo]]
//	name = "acme/widgets"
//	  [[repo.hook]]
//	  url = "https://ci.example.com/hook"
//	  content_type = "json"
//	  events = ["push", "create"]
//	  secret_env = "CI_HOOK_SECRET"
//
//	[[org]]
//	name = "acme"
//	  [[org.hook]]
//	  url = "https://chat.example.com/hook"
//	  template = "slack"
//
// Every listed repository and organization gets exactly the hooks listed,
// identified by URL.
type hooksFile struct {
	Repo []fileScope `toml:"repo"`
	Org  []fileScope `toml:"org"`
}

// fileScope is a repository (OWNER/NAME) or an organization (OWNER) and
// the hooks it should have.
type fileScope struct {
	Name string     `toml:"name"`
	Hook []fileHook `toml:"hook"`
}

// fileHook is one hook of a hooks file: the keys of a create request's
// config, with events and active beside them, and the secret given inline,
// by a file (its first line; relative to the hooks file) or by an
// environment variable.
type fileHook struct {
	URL          string            `toml:"url"`
	ContentType  string            `toml:"content_type"`
	Events       []string          `toml:"events"`
	Active       *bool             `toml:"active"`
	Secret       *string           `toml:"secret"`
	SecretFile   string            `toml:"secret_file"`
	SecretEnv    string            `toml:"secret_env"`
	InsecureSSL  bool              `toml:"insecure_ssl"`
	BranchFilter string            `toml:"branch_filter"`
	Headers      map[string]string `toml:"headers"`
	Signature    string            `toml:"signature"`
	Template     any               `toml:"template"` // a preset name or a table of config.template's keys
}

// readHooksFile reads and decodes the hooks file at path, refusing keys it
// does not know so that a typo is never silent.
func readHooksFile(path string) (*hooksFile, error) {
	var f hooksFile
	md, err := toml.DecodeFile(path, &f)
	if err != nil {
		var perr toml.ParseError
		if errors.As(err, &perr) {
			return nil, fmt.Errorf("%s: line %d: %s", path, perr.Position.Line, perr.Message)
		}
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	if keys := md.Undecoded(); len(keys) > 0 {
		return nil, fmt.Errorf("%s: unknown key %q: want [[repo]] or [[org]] tables with name and [[repo.hook]] or [[org.hook]] tables (see forgehook apply -h)", path, keys[0].String())
	}
	return &f, nil
}

// hook returns the hook h describes for owner/repo (repo "" for an
// organization hook), validated as a create request through the API is.
// dir is the hooks file's directory, for a relative secret_file.
func (h fileHook) hook(owner, repo, dir string) (*hooks.Hook, error) {
	out := hooks.NewHook(owner, repo)
	if h.Active != nil {
		out.Active = *h.Active
	}
	if h.Events != nil {
		out.Events = h.Events
	}
	secret, err := h.secret(dir)
	if err != nil {
		return nil, err
	}
	out.Config = hooks.HookConfig{URL: h.URL, ContentType: hooks.ContentType(h.ContentType), Secret: secret,
		InsecureSSL: h.InsecureSSL, BranchFilter: h.BranchFilter, Headers: h.Headers, Signature: h.Signature}
	if h.Template != nil {
		raw, err := json.Marshal(h.Template)
		if err != nil {
			return nil, fmt.Errorf("template: %w", err)
		}
		if out.Config.Template, err = hooks.ParseTemplate(raw); err != nil {
			return nil, err
		}
	}
	if err := out.Validate(); err != nil {
		return nil, err
	}
	return out, nil
}

// secret returns the secret h gives by secret, secret_file or secret_env,
// or "" for none.
func (h fileHook) secret(dir string) (string, error) {
	given := 0
	for _, set := range []bool{h.Secret != nil, h.SecretFile != "", h.SecretEnv != ""} {
		if set {
			given++
		}
	}
	switch {
	case given > 1:
		return "", errors.New("give one of secret, secret_file and secret_env")
	case h.Secret != nil:
		return *h.Secret, nil
	case h.SecretFile != "":
		file := h.SecretFile
		if !filepath.IsAbs(file) {
			file = filepath.Join(dir, file)
		}
		s, err := readSecretFile(file)
		if err != nil {
			return "", fmt.Errorf("secret_file: %w", err)
		}
		return s, nil
	case h.SecretEnv != "":
		s, ok := os.LookupEnv(h.SecretEnv)
		if !ok {
			return "", fmt.Errorf("secret_env: $%s is not set", h.SecretEnv)
		}
		return strings.TrimRight(s, "\r\n"), nil
	}
	return "", nil
}
