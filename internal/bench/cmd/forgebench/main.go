// Command forgebench runs forgehook's benchmarks (see package bench) against
// a built bin/forgehook and prints one Markdown table: every figure with its
// target, its baseline from the same run, and pass or MISS. make bench runs
// it through scripts/bench.sh.
//
// Usage:
//
//	forgebench [-forgehook bin/forgehook] [-hookonly bin/hookonly] [-only push,throughput,big,concurrent,hostile] [-quick] [-keep] [-o FILE]
//	forgebench time-hook LOG -- COMMAND [ARG...]
//	forgebench post-loop -url URL -bodies DIR [-n N] [-c C] [-hooks H] [-sqlite FILE]
//
// The time-hook form runs COMMAND and appends its run time to LOG; the
// concurrent push benchmark installs it in front of forgehook post-receive.
// The post-loop form is the throughput baselines' client, run in a process
// of its own.
package main

import (
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"strings"

	"github.com/forgehook/forgehook/internal/bench"
)

func main() {
	if len(os.Args) > 2 && os.Args[1] == "time-hook" {
		argv := os.Args[3:]
		if len(argv) > 0 && argv[0] == "--" {
			argv = argv[1:]
		}
		os.Exit(bench.TimeHook(os.Args[2], argv, os.Stdin, os.Stdout, os.Stderr))
	}
	if len(os.Args) > 1 && os.Args[1] == "post-loop" {
		os.Exit(bench.PostLoop(os.Args[2:], os.Stdout, os.Stderr))
	}
	os.Exit(run())
}

func run() int {
	forgehook := flag.String("forgehook", "bin/forgehook", "the forgehook `binary` to benchmark")
	hookOnly := flag.String("hookonly", "", "a post-receive-only `binary` (internal/bench/cmd/hookonly) to compare the hook with")
	only := flag.String("only", "", "comma-separated benchmark `groups` to run: "+strings.Join(bench.Benchmarks, ","))
	quick := flag.Bool("quick", false, "smaller counts, to try the harness out (figures are not comparable)")
	keep := flag.Bool("keep", false, "keep the scratch directory")
	out := flag.String("o", "", "also write the table to `file`")
	flag.Parse()

	bin, err := filepath.Abs(*forgehook)
	if err == nil {
		bin, err = filepath.EvalSymlinks(bin)
	}
	if err != nil {
		fmt.Fprintln(os.Stderr, "forgebench: forgehook binary:", err)
		return 1
	}
	self, err := os.Executable()
	if err != nil {
		fmt.Fprintln(os.Stderr, "forgebench:", err)
		return 1
	}
	dir, err := os.MkdirTemp("", "forgebench-")
	if err != nil {
		fmt.Fprintln(os.Stderr, "forgebench:", err)
		return 1
	}
	if *keep {
		fmt.Fprintln(os.Stderr, "forgebench: scratch directory", dir)
	} else {
		defer os.RemoveAll(dir)
	}
	var groups []string
	if *only != "" {
		groups = strings.Split(*only, ",")
	}
	if *hookOnly != "" {
		if *hookOnly, err = filepath.Abs(*hookOnly); err != nil {
			fmt.Fprintln(os.Stderr, "forgebench:", err)
			return 1
		}
	}
	env := &bench.Env{Forgehook: bin, Self: self, HookOnly: *hookOnly, Dir: dir, Log: os.Stderr, Quick: *quick}
	table, runErr := env.Run(groups)
	if table != nil && len(table.Rows) > 0 {
		table.WriteMarkdown(os.Stdout)
		if *out != "" {
			f, err := os.Create(*out)
			if err == nil {
				err = table.WriteMarkdown(f)
				if cerr := f.Close(); err == nil {
					err = cerr
				}
			}
			if err != nil {
				fmt.Fprintln(os.Stderr, "forgebench:", err)
				return 1
			}
		}
	}
	if runErr != nil {
		fmt.Fprintln(os.Stderr, "forgebench:", runErr)
		return 1
	}
	return 0
}
