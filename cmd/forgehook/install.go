package main

import (
	"errors"
	"fmt"
	"io"
	"os"

	"github.com/forgehook/forgehook/git"
	"github.com/forgehook/forgehook/store"
)

// runInstall writes the post-receive hook into each bare repository.
func runInstall(args []string, stdout io.Writer) error {
	var c common
	fs := newFlagSet("install", stdout)
	c.register(fs)
	if err := fs.Parse(args); err != nil {
		return err
	}
	if fs.NArg() == 0 {
		return errors.New("install: name at least one bare repository directory")
	}
	if err := c.absolute(); err != nil {
		return err
	}
	binary, err := os.Executable()
	if err != nil {
		return fmt.Errorf("install: find own binary: %w", err)
	}
	db, err := store.Open(c.DB) // create and migrate now, so the first push is fast
	if err != nil {
		return err
	}
	db.Close()
	for _, dir := range fs.Args() {
		changed, err := git.Install(binary, c.DB, c.Repos, dir)
		if err != nil {
			return fmt.Errorf("install %s: %w", dir, err)
		}
		state := "unchanged"
		if changed {
			state = "installed"
		}
		fmt.Fprintf(stdout, "%s: post-receive hook %s\n", dir, state)
	}
	return nil
}
