// Package git reads bare git repositories for forgehook: it finds them under
// the repos root (Repos), turns a pushed ref update into the commits of a push
// event (Reader), and installs the post-receive hook that records pushes
// (Install).
//
// go-git's plumbing applies pack deltas. References are read from the ref
// files (packed-refs, refs/heads, refs/tags), objects by a small reader of
// this package (memory-mapped packs, loose objects, alternates, a shared
// cache of decoded objects), and commits and trees are decoded here, paths
// only, so that a push of thousands of commits costs about what git log
// --name-status costs for the same range. The git package does not import
// go-git's root package, which would link its transports into the one
// forgehook binary that the post-receive hook also starts.
package git
