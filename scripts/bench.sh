#!/bin/sh
# bench.sh: run forgehook's benchmarks (issue 6) against bin/forgehook and
# print one table: every figure with its target, a baseline measured in the
# same run, and pass or MISS. The harness is Go (internal/bench); this only
# builds it (and a post-receive-only binary to compare the hook with) and
# runs it. Arguments go to forgebench, e.g. -only push,big.
set -eu
cd "$(dirname "$0")/.."
[ -x bin/forgehook ] || { echo "bench.sh: build bin/forgehook first (make build)" >&2; exit 1; }
export CGO_ENABLED=1
${GO:-go} build -o bin/forgebench ./internal/bench/cmd/forgebench
${GO:-go} build -trimpath -o bin/hookonly ./internal/bench/cmd/hookonly
exec bin/forgebench -forgehook bin/forgehook -hookonly bin/hookonly "$@"
