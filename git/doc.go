// Package git reads bare git repositories for forgehook: it finds them under
// the repos root (Repos), turns a pushed ref update into the commits of a push
// event (Reader), and installs the post-receive hook that records pushes
// (Install).
//
// Objects are read with go-git's packfile and index decoders; trees and
// commits are parsed here, paths only, so that a push of thousands of commits
// costs about what git log --name-status costs for the same range.
package git
