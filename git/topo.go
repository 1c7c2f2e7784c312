package git

// topoSort orders commits like git rev-list --reverse --topo-order: every
// commit after its parents, and the commits of one line of history together.
// commits must come in visiting order and be closed under "child of": every
// commit of the list whose parent is in the list is visited.
func topoSort(commits []*commitNode) []*commitNode {
	in := make(map[*commitNode]bool, len(commits))
	for _, c := range commits {
		in[c] = true
		c.indeg = 0
	}
	for _, c := range commits {
		for _, p := range c.parentN {
			if in[p] {
				p.indeg++
			}
		}
	}
	var stack []*commitNode
	for i := len(commits) - 1; i >= 0; i-- {
		if commits[i].indeg == 0 {
			stack = append(stack, commits[i])
		}
	}
	out := make([]*commitNode, len(commits))
	k := len(commits)
	for len(stack) > 0 {
		c := stack[len(stack)-1]
		stack = stack[:len(stack)-1]
		k--
		out[k] = c
		for _, p := range c.parentN {
			if in[p] {
				if p.indeg--; p.indeg == 0 {
					stack = append(stack, p)
				}
			}
		}
	}
	return out[k:]
}
