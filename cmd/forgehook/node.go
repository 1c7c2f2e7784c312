package main

import (
	"flag"
	"os"
)

// registerNode adds --node to fs: the git server whose repositories a
// daemon reads, or a hook's pushes are recorded as of (PostgreSQL only).
func registerNode(fs *flag.FlagSet, p *string, what string) {
	fs.StringVar(p, "node", envOr("FORGEHOOK_NODE", ""), "`name` of the git server "+what+" (PostgreSQL only; env FORGEHOOK_NODE; default the host name; \"shared\" or any one name where all daemons read all repositories)")
}

// nodeName returns the node flag, or the host name if it is empty.
func nodeName(flag string) string {
	if flag != "" {
		return flag
	}
	h, err := os.Hostname()
	if err != nil {
		return "localhost"
	}
	return h
}
