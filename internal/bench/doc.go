// Package bench is forgehook's benchmark harness (issue 6): it drives the
// real bin/forgehook binary, real git, a real loopback receiver and real
// SQLite, and turns what it measures into one table of figures, each with
// its target and a baseline measured in the same run.
//
// The benchmarks:
//
//   - Push overhead: git push of one commit with forgehook's post-receive
//     against the same push with a no-op hook, alternated; and the hook alone,
//     with and without a running daemon.
//   - Push to delivery latency: from git push returning to the receiver
//     having the request.
//   - Throughput: a daemon paused with SIGSTOP while pushes are recorded,
//     then resumed, drains a backlog of deliveries; against a bare Go loop
//     posting the same signed bodies, with and without one SQLite insert per
//     request. Also one push to 1,000 hooks with the daemon running.
//   - Big pushes: building the payload of a 2,048 and a 10,000 commit push
//     against git log --name-status --no-renames over the same range.
//   - Concurrent pushes: 50 pushes at once into 10 repositories.
//   - Hostile receivers: one push to 20 hooks answering with huge headers,
//     against the same push to a polite receiver: daemon memory, database
//     growth, the largest stored response headers.
//
// Command forgebench (internal/bench/cmd/forgebench) runs them; make bench
// builds both binaries and runs it through scripts/bench.sh.
package bench
