package git

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"

	"github.com/go-git/go-git/v5/plumbing/format/config"

	"github.com/forgehook/forgehook/hooks"
)

// ObjectFormat returns the object format of the repository at gitDir, as
// git reads it from the repository's own config (extensions.objectFormat):
// "sha1" when it is not set, as in every repository made without
// git init --object-format, or the lowercased value, such as "sha256".
func ObjectFormat(gitDir string) (string, error) {
	b, err := os.ReadFile(filepath.Join(gitDir, "config"))
	if errors.Is(err, os.ErrNotExist) {
		return "sha1", nil
	}
	if err != nil {
		return "", fmt.Errorf("read config: %w", err)
	}
	cfg := config.New()
	if err := config.NewDecoder(strings.NewReader(string(b))).Decode(cfg); err != nil {
		return "", fmt.Errorf("read config of %s: %w", gitDir, err)
	}
	format := "sha1"
	for _, s := range cfg.Sections {
		if s.IsName("extensions") && s.HasOption("objectformat") {
			format = strings.ToLower(s.Option("objectformat"))
		}
	}
	return format, nil
}

// checkObjectFormat returns an EUNSUPPORTED error if the repository at
// gitDir does not use SHA-1 object ids, the only ones forgehook reads.
// (go-git v5 reads SHA-256 only when built with the sha256 tag, and then no
// SHA-1 repository.) A config it cannot read is left to the object store.
func checkObjectFormat(gitDir string) error {
	format, err := ObjectFormat(gitDir)
	if err != nil || format == "sha1" {
		return nil
	}
	return hooks.Errorf(hooks.EUNSUPPORTED, "unsupported object format %s in %s: forgehook reads SHA-1 repositories only, so its pushes get no webhooks", format, gitDir)
}
