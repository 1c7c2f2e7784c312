package git

import (
	"bytes"
	"encoding/binary"
	"errors"
	"fmt"
	"strings"

	"github.com/go-git/go-git/v5/plumbing"
)

// pack is one packfile and its version 2 index, both mapped into memory. It
// is read-only and safe for concurrent use until closed.
type pack struct {
	path  string // of the .pack file
	idx   []byte
	data  []byte
	count int
	close func() error
}

const (
	idxHeaderLen = 8 + 256*4 // magic, version and fanout table
	hashLen      = 20
)

var errCorrupt = errors.New("corrupt object database")

// openPack maps the index at idxPath and the packfile next to it.
func openPack(idxPath string) (*pack, error) {
	idx, unmapIdx, err := mapFile(idxPath)
	if err != nil {
		return nil, err
	}
	packPath := strings.TrimSuffix(idxPath, ".idx") + ".pack"
	data, unmapData, err := mapFile(packPath)
	if err != nil {
		unmapIdx()
		return nil, err
	}
	p := &pack{path: packPath, idx: idx, data: data, close: func() error {
		return errors.Join(unmapData(), unmapIdx())
	}}
	if err := p.check(); err != nil {
		p.close()
		return nil, fmt.Errorf("open pack %s: %w", packPath, err)
	}
	return p, nil
}

// check validates the headers and sizes of the index and the packfile, and
// that the index belongs to the packfile.
func (p *pack) check() error {
	if len(p.idx) < idxHeaderLen+2*hashLen || !bytes.Equal(p.idx[:8], []byte{0xff, 't', 'O', 'c', 0, 0, 0, 2}) {
		return fmt.Errorf("%w: not a version 2 pack index", errCorrupt)
	}
	p.count = int(binary.BigEndian.Uint32(p.idx[idxHeaderLen-4:]))
	if min := idxHeaderLen + p.count*(hashLen+8) + 2*hashLen; len(p.idx) < min {
		return fmt.Errorf("%w: truncated pack index", errCorrupt)
	}
	if len(p.data) < 12+hashLen || string(p.data[:4]) != "PACK" {
		return fmt.Errorf("%w: not a packfile", errCorrupt)
	}
	packSum := p.idx[len(p.idx)-2*hashLen : len(p.idx)-hashLen]
	if !bytes.Equal(packSum, p.data[len(p.data)-hashLen:]) {
		return fmt.Errorf("%w: index does not match packfile", errCorrupt)
	}
	return nil
}

// find returns the offset in the packfile of object h.
func (p *pack) find(h plumbing.Hash) (int64, bool) {
	fanout := func(b int) int { return int(binary.BigEndian.Uint32(p.idx[8+4*b:])) }
	lo, hi := 0, fanout(int(h[0]))
	if h[0] > 0 {
		lo = fanout(int(h[0]) - 1)
	}
	names := p.idx[idxHeaderLen:]
	for lo < hi {
		mid := int(uint(lo+hi) >> 1)
		switch c := bytes.Compare(names[mid*hashLen:mid*hashLen+hashLen], h[:]); {
		case c == 0:
			return p.offset(mid)
		case c < 0:
			lo = mid + 1
		default:
			hi = mid
		}
	}
	return 0, false
}

// offset returns the packfile offset of the i-th object of the index.
func (p *pack) offset(i int) (int64, bool) {
	base := idxHeaderLen + p.count*(hashLen+4)
	off := binary.BigEndian.Uint32(p.idx[base+4*i:])
	if off&0x80000000 == 0 {
		return int64(off), true
	}
	at := base + 4*p.count + 8*int(off&0x7fffffff)
	if at+8 > len(p.idx)-2*hashLen {
		return 0, false
	}
	return int64(binary.BigEndian.Uint64(p.idx[at:])), true
}

// entry is the header of an object in a packfile.
type entry struct {
	typ      plumbing.ObjectType
	size     int64         // of the object, or of the delta data for deltas
	body     int64         // offset of the zlib stream
	baseOff  int64         // base offset of an OFSDeltaObject
	baseHash plumbing.Hash // base of a REFDeltaObject
}

// entryAt decodes the object header at offset off.
func (p *pack) entryAt(off int64) (entry, error) {
	end := int64(len(p.data) - hashLen)
	if off < 12 || off >= end {
		return entry{}, fmt.Errorf("%w: offset %d out of range", errCorrupt, off)
	}
	d := p.data[off:end]
	c := d[0]
	e := entry{typ: plumbing.ObjectType((c >> 4) & 7), size: int64(c & 15)}
	i, shift := 1, 4
	for c&0x80 != 0 {
		if i >= len(d) || shift > 56 {
			return entry{}, fmt.Errorf("%w: bad object header at %d", errCorrupt, off)
		}
		c = d[i]
		e.size |= int64(c&0x7f) << shift
		i, shift = i+1, shift+7
	}
	switch e.typ {
	case plumbing.CommitObject, plumbing.TreeObject, plumbing.BlobObject, plumbing.TagObject:
	case plumbing.OFSDeltaObject:
		if i >= len(d) {
			return entry{}, fmt.Errorf("%w: bad delta header at %d", errCorrupt, off)
		}
		c = d[i]
		rel := int64(c & 0x7f)
		for i++; c&0x80 != 0; i++ {
			if i >= len(d) || rel > 1<<48 {
				return entry{}, fmt.Errorf("%w: bad delta header at %d", errCorrupt, off)
			}
			c = d[i]
			rel = (rel+1)<<7 | int64(c&0x7f)
		}
		if e.baseOff = off - rel; rel <= 0 || e.baseOff < 12 {
			return entry{}, fmt.Errorf("%w: bad delta base at %d", errCorrupt, off)
		}
	case plumbing.REFDeltaObject:
		if i+hashLen > len(d) {
			return entry{}, fmt.Errorf("%w: bad delta header at %d", errCorrupt, off)
		}
		copy(e.baseHash[:], d[i:])
		i += hashLen
	default:
		return entry{}, fmt.Errorf("%w: object type %d at %d", errCorrupt, e.typ, off)
	}
	e.body = off + int64(i)
	return e, nil
}

// inflate returns the e.size bytes of the zlib stream of e.
func (p *pack) inflate(e entry) ([]byte, error) {
	return inflate(p.data[e.body:len(p.data)-hashLen], e.size)
}
