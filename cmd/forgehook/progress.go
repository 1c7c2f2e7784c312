package main

import (
	"fmt"
	"io"
	"os"
	"sort"
	"strings"

	"github.com/schollz/progressbar/v3"
	"golang.org/x/term"
)

// report shows the progress of work over many repositories: on a terminal a
// progress bar with the problems above it, elsewhere one line per
// repository. Done prints the summary.
type report struct {
	out    io.Writer
	bar    *progressbar.ProgressBar // nil when out is no terminal
	counts map[string]int
	failed int
}

// newReport returns a report of total repositories on out; verb names the
// work in the progress bar.
func newReport(out io.Writer, verb string, total int) *report {
	r := &report{out: out, counts: map[string]int{}}
	if f, ok := out.(*os.File); ok && term.IsTerminal(int(f.Fd())) && total > 1 {
		r.bar = progressbar.NewOptions(total, progressbar.OptionSetWriter(out), progressbar.OptionSetDescription(verb),
			progressbar.OptionShowCount(), progressbar.OptionSetWidth(30), progressbar.OptionClearOnFinish(),
			progressbar.OptionThrottle(0), progressbar.OptionUseANSICodes(true))
	}
	return r
}

// Add records the outcome of one repository: state is a word such as
// "installed"; name and detail are shown with it. On a terminal only
// problems are shown, each on a line of its own.
func (r *report) Add(state, name, detail string, problem bool) {
	r.counts[state]++
	line := fmt.Sprintf("%-16s %s", state, name)
	if detail != "" {
		line += ": " + detail
	}
	if r.bar == nil {
		fmt.Fprintln(r.out, line)
		return
	}
	if problem {
		_ = r.bar.Clear()
		fmt.Fprintln(r.out, line)
	}
	_ = r.bar.Add(1)
}

// Fail records a repository whose work failed.
func (r *report) Fail(name string, err error) {
	r.failed++
	r.Add("failed", name, err.Error(), true)
}

// Warn shows a warning that is not about one repository's outcome.
func (r *report) Warn(format string, args ...any) {
	if r.bar != nil {
		_ = r.bar.Clear()
	}
	fmt.Fprintf(r.out, "warning: "+format+"\n", args...)
}

// Done prints the summary, counts in the order of states, and returns an
// error if anything failed.
func (r *report) Done(what string, states ...string) error {
	if r.bar != nil {
		_ = r.bar.Finish()
	}
	var parts []string
	seen := map[string]bool{}
	for _, s := range states {
		parts, seen[s] = append(parts, fmt.Sprintf("%d %s", r.counts[s], s)), true
	}
	var rest []string
	for s := range r.counts {
		if !seen[s] {
			rest = append(rest, s)
		}
	}
	sort.Strings(rest)
	for _, s := range rest {
		parts = append(parts, fmt.Sprintf("%d %s", r.counts[s], s))
	}
	fmt.Fprintf(r.out, "%s: %s\n", what, strings.Join(parts, ", "))
	if r.failed > 0 {
		return fmt.Errorf("%s: %d failed", what, r.failed)
	}
	return nil
}
