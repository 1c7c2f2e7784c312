package main

import (
	"io"
	"os"
	"time"

	"github.com/forgehook/forgehook/internal/postreceive"
)

// runPostReceive records a push; it always returns 0 so the push is never failed.
func runPostReceive(args []string, stdin io.Reader, stderr io.Writer) int {
	var c common
	var chain listFlag
	var node string
	fs := newFlagSet("post-receive", stderr)
	c.register(fs)
	registerNode(fs, &node, "this push is recorded as of: daemons of that node build its events")
	fs.Var(&chain, "chain", "previous post-receive `hook` to run with the same input, absolute or relative to the git dir (repeatable)")
	if err := fs.Parse(args); err != nil {
		return 0
	}
	postreceive.Run(postreceive.Options{DB: c.DB, Repos: c.Repos, Node: nodeName(node), Chain: chain, Stdin: stdin, Stderr: stderr,
		Getenv: os.Getenv, Now: time.Now})
	return 0
}
