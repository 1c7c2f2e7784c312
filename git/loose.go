package git

import (
	"bytes"
	"compress/zlib"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strconv"

	"github.com/go-git/go-git/v5/plumbing"
)

// readLoose reads object h from the loose objects of the object directory
// dir. It returns an error matching fs.ErrNotExist if there is none.
func readLoose(dir string, h plumbing.Hash) (plumbing.ObjectType, []byte, error) {
	hex := h.String()
	f, err := os.Open(filepath.Join(dir, hex[:2], hex[2:]))
	if err != nil {
		return 0, nil, err
	}
	defer f.Close()
	zr, err := zlib.NewReader(f)
	if err != nil {
		return 0, nil, fmt.Errorf("%w: loose object %s: %v", errCorrupt, hex, err)
	}
	defer zr.Close()
	raw, err := io.ReadAll(io.LimitReader(zr, maxObjectSize+64))
	if err != nil {
		return 0, nil, fmt.Errorf("%w: loose object %s: %v", errCorrupt, hex, err)
	}
	hdr, body, ok := bytes.Cut(raw, []byte{0})
	name, size, ok2 := bytes.Cut(hdr, []byte{' '})
	n, err := strconv.Atoi(string(size))
	typ, terr := plumbing.ParseObjectType(string(name))
	if !ok || !ok2 || err != nil || terr != nil || n != len(body) {
		return 0, nil, fmt.Errorf("%w: loose object %s: bad header", errCorrupt, hex)
	}
	return typ, body, nil
}
