package git

import (
	"bytes"
	"compress/zlib"
	"fmt"
	"io"
	"sync"
)

// inflater is a reusable zlib reader over an in-memory stream.
type inflater struct {
	src bytes.Reader
	zr  io.ReadCloser
}

var inflaters sync.Pool

// maxObjectSize bounds the objects read into memory: commits, trees and tags.
const maxObjectSize = 1 << 30

// inflate decompresses the zlib stream at the start of src, which must hold
// exactly size bytes.
func inflate(src []byte, size int64) ([]byte, error) {
	if size < 0 || size > maxObjectSize {
		return nil, fmt.Errorf("%w: object of %d bytes", errCorrupt, size)
	}
	in, _ := inflaters.Get().(*inflater)
	if in == nil {
		in = new(inflater)
	}
	defer inflaters.Put(in)
	in.src.Reset(src)
	var err error
	if in.zr == nil {
		in.zr, err = zlib.NewReader(&in.src)
	} else {
		err = in.zr.(zlib.Resetter).Reset(&in.src, nil)
	}
	if err != nil {
		in.zr = nil
		return nil, fmt.Errorf("%w: inflate: %v", errCorrupt, err)
	}
	out := make([]byte, size)
	if _, err := io.ReadFull(in.zr, out); err != nil {
		return nil, fmt.Errorf("%w: inflate: %v", errCorrupt, err)
	}
	return out, nil
}
