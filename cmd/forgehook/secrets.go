package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"

	"github.com/forgehook/forgehook/internal/seal"
)

// registerKeyFile adds --secret-key-file to fs.
func registerKeyFile(fs *flag.FlagSet, p *string) {
	fs.StringVar(p, "secret-key-file", envOr("FORGEHOOK_SECRET_KEY_FILE", ""),
		"`file` of the keys that encrypt hook secrets, created with mode 0600 on the daemon's first start (env FORGEHOOK_SECRET_KEY_FILE; default the database's path with .key appended)")
}

// keyFilePath returns the key file: flag, made absolute, or the default
// beside the SQLite database at db (an absolute path). A PostgreSQL database
// has no default: every daemon must be given the same file, so "" without
// the flag.
func keyFilePath(flag, db string) (string, error) {
	if flag == "" && isPostgres(db) {
		return "", nil
	}
	if flag == "" {
		return db + ".key", nil
	}
	p, err := filepath.Abs(flag)
	if err != nil {
		return "", fmt.Errorf("secret key file path: %w", err)
	}
	return p, nil
}

// unlockSecrets gives db the keys in the key file at path and returns them
// and how many plain-text secrets (from a forgehook that stored them so) it
// sealed.
// A missing file is created, unless db already holds sealed secrets: a new
// key would not open them. Every sealed secret must open.
func unlockSecrets(ctx context.Context, db *storage, path string) (*seal.Keyring, int, error) {
	keys, err := seal.Load(path)
	if errors.Is(err, fs.ErrNotExist) {
		sealed, serr := db.HasSealedSecrets(ctx)
		if serr != nil {
			return nil, 0, serr
		}
		if sealed {
			return nil, 0, fmt.Errorf("secret key file %s is missing, and %s holds hook secrets sealed with it: restore the file from your backup, or point --secret-key-file (FORGEHOOK_SECRET_KEY_FILE) at it", path, db.Name)
		}
		keys, _, err = seal.LoadOrCreate(path)
	}
	if err != nil {
		return nil, 0, err
	}
	db.setSecrets(keys)
	n, err := db.SealSecrets(ctx)
	if errors.Is(err, seal.ErrUnknownKey) || errors.Is(err, seal.ErrAuth) {
		return nil, 0, fmt.Errorf("%w; %s is not the key file of %s: restore the right one from your backup", err, path, db.Name)
	}
	return keys, n, err
}

// useSecretKeys gives db the keys of the key file at path, for the admin
// commands. Unlike the daemon they never create the file: without it, hooks
// with secrets cannot be read or written, and the store says so.
func useSecretKeys(ctx context.Context, db *storage, path string) error {
	if path == "" {
		return nil // PostgreSQL without --secret-key-file
	}
	if _, err := os.Stat(path); errors.Is(err, fs.ErrNotExist) {
		return nil
	}
	_, _, err := unlockSecrets(ctx, db, path)
	return err
}

// runSecrets handles "secrets rotate": it adds a key to the key file and
// seals every hook secret again with it, in one transaction. A running
// daemon reads the file again when it meets the new key.
func runSecrets(ctx context.Context, args []string, stdout io.Writer) error {
	const usage = "secrets: usage: forgehook secrets rotate [--db FILE|URL] [--secret-key-file FILE]"
	if len(args) == 0 || args[0] != "rotate" {
		return errors.New(usage)
	}
	var c common
	var keyFile string
	fs := newFlagSet("secrets rotate", stdout)
	c.register(fs)
	registerKeyFile(fs, &keyFile)
	if err := fs.Parse(args[1:]); err != nil {
		return err
	}
	if fs.NArg() > 0 {
		return errors.New(usage)
	}
	if err := c.absolute(); err != nil {
		return err
	}
	path, err := keyFilePath(keyFile, c.DB)
	if err != nil {
		return err
	}
	if path == "" {
		return usagef("secrets rotate: pass --secret-key-file (or FORGEHOOK_SECRET_KEY_FILE): a PostgreSQL database has no key file beside it")
	}
	db, err := openDB(ctx, c.DB, true)
	if err != nil {
		return err
	}
	defer db.Close()
	// Every secret must open before a key is added: a wrong key file fails
	// here and is left as it was.
	keys, _, err := unlockSecrets(ctx, db, path)
	if err != nil {
		return fmt.Errorf("secrets rotate: %w", err)
	}
	id, err := keys.Rotate()
	if err != nil {
		return fmt.Errorf("secrets rotate: %w", err)
	}
	n, err := db.ResealSecrets(ctx)
	if err != nil {
		return fmt.Errorf("secrets rotate: added key %s to %s, but the secrets stay sealed with the older keys, which still open them: %w", id, path, err)
	}
	fmt.Fprintf(stdout, "Added key %s to %s and sealed %d hook secrets and header sets with it. Back the key file up again.\n", id, path, n)
	return nil
}
