package git

import (
	"container/list"
	"sync"

	"github.com/go-git/go-git/v5/plumbing"
)

// cacheKey names a decoded object: by position for packed objects (their
// hash is not known when a delta chain is resolved), by hash for loose ones.
type cacheKey struct {
	pack *pack
	off  int64
	hash plumbing.Hash
}

// object is a decoded object. Its data must not be modified.
type object struct {
	typ  plumbing.ObjectType
	data []byte
}

// objectCache is a concurrency-safe LRU cache of decoded objects, bounded by
// the total size of their data.
type objectCache struct {
	mu      sync.Mutex
	max     int64
	size    int64
	entries map[cacheKey]*list.Element
	lru     list.List // of *cacheEntry, most recently used first
}

type cacheEntry struct {
	key cacheKey
	obj object
}

// cacheEntryOverhead approximates the memory an entry costs besides its data.
const cacheEntryOverhead = 128

func newObjectCache(max int64) *objectCache {
	return &objectCache{max: max, entries: make(map[cacheKey]*list.Element)}
}

func (c *objectCache) get(k cacheKey) (object, bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	e, ok := c.entries[k]
	if !ok {
		return object{}, false
	}
	c.lru.MoveToFront(e)
	return e.Value.(*cacheEntry).obj, true
}

func (c *objectCache) put(k cacheKey, obj object) {
	cost := int64(len(obj.data)) + cacheEntryOverhead
	if cost > c.max/4 {
		return
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	if e, ok := c.entries[k]; ok {
		c.lru.MoveToFront(e)
		return
	}
	c.entries[k] = c.lru.PushFront(&cacheEntry{key: k, obj: obj})
	c.size += cost
	for c.size > c.max {
		last := c.lru.Back()
		ce := last.Value.(*cacheEntry)
		c.lru.Remove(last)
		delete(c.entries, ce.key)
		c.size -= int64(len(ce.obj.data)) + cacheEntryOverhead
	}
}
