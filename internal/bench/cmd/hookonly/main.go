// Command hookonly is forgehook post-receive in a binary of its own, which
// links only what the hook needs (internal/postreceive, store, SQLite).
// forgehook ships one binary; make bench builds this one only to measure
// what the big binary's process start costs the hook.
package main

import (
	"flag"
	"os"
	"time"

	"github.com/forgehook/forgehook/internal/postreceive"
)

func main() {
	fs := flag.NewFlagSet("hookonly post-receive", flag.ContinueOnError)
	db := fs.String("db", "./forgehook.db", "SQLite database `file`")
	repos := fs.String("repos", "./repos", "the repos root")
	var chain []string
	fs.Func("chain", "previous post-receive `hook` to run with the same input", func(v string) error {
		chain = append(chain, v)
		return nil
	})
	if len(os.Args) < 2 || os.Args[1] != "post-receive" || fs.Parse(os.Args[2:]) != nil {
		os.Exit(0) // like forgehook post-receive: never fail the push
	}
	postreceive.Run(postreceive.Options{DB: *db, Repos: *repos, Chain: chain, Stdin: os.Stdin, Stderr: os.Stderr,
		Getenv: os.Getenv, Now: time.Now})
}
