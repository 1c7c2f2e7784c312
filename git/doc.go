// Package git reads bare git repositories for forgehook: it finds them under
// the repos root (Repos), turns a pushed ref update into the commits of a push
// event (Reader), and installs the post-receive hook that records pushes
// (Install).
//
// go-git lists references and applies pack deltas. Objects are read by a
// small reader of this package (memory-mapped packs, loose objects,
// alternates, a shared cache of decoded objects), and commits and trees are
// decoded here, paths only, so that a push of thousands of commits costs
// about what git log --name-status costs for the same range.
package git
