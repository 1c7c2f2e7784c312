package servertest

import (
	"os"
	"testing"
)

// Need skips the test (or, with CI set, fails it) unless it runs as root and
// each program exists; pkg names the Debian package that provides them.
func Need(tb testing.TB, pkg string, programs ...string) {
	tb.Helper()
	if os.Geteuid() != 0 {
		unavailable(tb, "needs root to run servers as their own unix users")
	}
	for _, p := range programs {
		if _, err := os.Stat(p); err != nil {
			unavailable(tb, "needs "+p+" (Debian package "+pkg+"): "+err.Error())
		}
	}
}

// unavailable skips outside CI and fails in CI, where every server test must run.
func unavailable(tb testing.TB, reason string) {
	tb.Helper()
	if os.Getenv("CI") != "" {
		tb.Fatalf("servertest: %s (CI is set, so this is a failure, not a skip)", reason)
	}
	tb.Skipf("servertest: %s", reason)
}
