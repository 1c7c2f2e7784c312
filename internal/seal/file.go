package seal

import (
	"bufio"
	"bytes"
	"encoding/base64"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
)

// fileMode is the key file's mode: its owner (the daemon's user) only.
const fileMode fs.FileMode = 0o600

const fileHeader = `# forgehook secret keys, oldest first: the last key seals, every key opens.
# Keep this file private (mode 0600) and back it up apart from the database:
# without it the database's hook secrets cannot be opened. Rotate with
# "forgehook secrets rotate"; remove a key only when no secret and no
# database backup you may restore is sealed with it.
`

// Load reads the key file at path. A missing file is an error that matches
// fs.ErrNotExist.
func Load(path string) (*Keyring, error) {
	keys, err := readFile(path)
	if err != nil {
		return nil, err
	}
	return &Keyring{path: path, keys: keys}, nil
}

// Create writes a new key file at path, mode 0600, holding one fresh key,
// and returns its ring. It fails with an error matching fs.ErrExist if the
// file exists, and never leaves a partial file at path.
func Create(path string) (*Keyring, error) {
	k, err := freshKey()
	if err != nil {
		return nil, fmt.Errorf("create key file: %w", err)
	}
	tmp, err := writeTemp(path, []key{k}, nil)
	if err != nil {
		return nil, fmt.Errorf("create key file: %w", err)
	}
	defer os.Remove(tmp)
	if err := os.Link(tmp, path); err != nil { // fails if path exists, unlike rename
		return nil, fmt.Errorf("create key file: %w", err)
	}
	return &Keyring{path: path, keys: []key{k}}, nil
}

// LoadOrCreate loads the key file at path, or creates it if it is missing
// (see Create), and reports whether it created it. Two processes starting
// at once end up with the same file.
func LoadOrCreate(path string) (*Keyring, bool, error) {
	r, err := Load(path)
	if !errors.Is(err, fs.ErrNotExist) {
		return r, false, err
	}
	if r, err = Create(path); errors.Is(err, fs.ErrExist) {
		r, err = Load(path) // another process created it meanwhile
		return r, false, err
	}
	return r, err == nil, err
}

// Rotate adds a fresh key to the ring, which seals from then on, and
// returns its id. A ring loaded from a file first reads the file again and
// then replaces it atomically, keeping its owner and mode 0600.
func (r *Keyring) Rotate() (string, error) {
	k, err := freshKey()
	if err != nil {
		return "", fmt.Errorf("rotate key: %w", err)
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	keys := r.keys
	if r.path != "" {
		if keys, err = readFile(r.path); err != nil {
			return "", fmt.Errorf("rotate key: %w", err)
		}
		keys = append(keys, k)
		fi, err := os.Stat(r.path)
		if err != nil {
			return "", fmt.Errorf("rotate key: %w", err)
		}
		tmp, err := writeTemp(r.path, keys, fi)
		if err != nil {
			return "", fmt.Errorf("rotate key: %w", err)
		}
		if err := os.Rename(tmp, r.path); err != nil {
			os.Remove(tmp)
			return "", fmt.Errorf("rotate key: %w", err)
		}
	} else {
		keys = append(keys, k)
	}
	r.keys = keys
	return k.id, nil
}

// reload reads the ring's key file again.
func (r *Keyring) reload() error {
	keys, err := readFile(r.path)
	if err != nil {
		return err
	}
	r.mu.Lock()
	r.keys = keys
	r.mu.Unlock()
	return nil
}

// readFile parses a key file: comment lines start with #, and each other
// line is a key id and the base64 of a 32-byte key.
func readFile(path string) ([]key, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("read key file: %w", err)
	}
	var keys []key
	seen := map[string]bool{}
	sc := bufio.NewScanner(bytes.NewReader(b))
	for n := 1; sc.Scan(); n++ {
		line := strings.TrimSpace(sc.Text())
		if line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		f := strings.Fields(line)
		if len(f) != 2 {
			return nil, fmt.Errorf("key file %s:%d: want a key id and a base64 key", path, n)
		}
		raw, err := base64.StdEncoding.DecodeString(f[1])
		if err != nil {
			return nil, fmt.Errorf("key file %s:%d: key %s is not base64", path, n, f[0])
		}
		k, err := newKey(f[0], raw)
		if err != nil {
			return nil, fmt.Errorf("key file %s:%d: %w", path, n, err)
		}
		if seen[k.id] {
			return nil, fmt.Errorf("key file %s:%d: key %s appears twice", path, n, k.id)
		}
		seen[k.id] = true
		keys = append(keys, k)
	}
	if len(keys) == 0 {
		return nil, fmt.Errorf("key file %s holds no key", path)
	}
	return keys, nil
}

// writeTemp writes keys to a new file beside path, mode 0600, synced, and
// returns its name. If like is not nil, the file gets like's owner where
// the process may set it (rotation run by root keeps the daemon's file).
func writeTemp(path string, keys []key, like fs.FileInfo) (string, error) {
	var buf bytes.Buffer
	buf.WriteString(fileHeader)
	for _, k := range keys {
		fmt.Fprintf(&buf, "%s %s\n", k.id, base64.StdEncoding.EncodeToString(k.raw))
	}
	f, err := os.CreateTemp(filepath.Dir(path), "."+filepath.Base(path)+".*")
	if err != nil {
		return "", err
	}
	name := f.Name()
	err = f.Chmod(fileMode)
	if err == nil && like != nil {
		err = chownLike(f, like)
	}
	if err == nil {
		_, err = f.Write(buf.Bytes())
	}
	if err == nil {
		err = f.Sync()
	}
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		os.Remove(name)
		return "", err
	}
	return name, nil
}
