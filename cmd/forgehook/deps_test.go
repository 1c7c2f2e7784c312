package main_test

import (
	"os/exec"
	"strings"
	"testing"
)

// deps lists the packages pkg depends on, itself included.
func deps(t *testing.T, pkg string) map[string]bool {
	t.Helper()
	out, err := exec.Command("go", "list", "-deps", pkg).Output()
	if err != nil {
		t.Fatalf("go list -deps %s: %v", pkg, err)
	}
	m := map[string]bool{}
	for _, p := range strings.Fields(string(out)) {
		m[p] = true
	}
	return m
}

// TestDependencyDirection holds the architecture: the domain imports only the
// standard library, the API and the web pages never reach SQL, and the post-receive path
// (which runs on every push) links neither go-git nor the HTTP stack, nor
// the secret keys: the hook records pushes and never reads a secret.
func TestDependencyDirection(t *testing.T) {
	const mod = "github.com/forgehook/forgehook/"
	const prometheus = "github.com/prometheus/client_golang/prometheus"
	tests := []struct {
		pkg       string
		forbidden []string
		required  []string
	}{
		{mod + "internal/postreceive",
			[]string{"github.com/go-git/go-git/v5", "github.com/gorilla/mux", mod + "api", mod + "pshb", mod + "git", mod + "internal/seal", mod + "metrics", prometheus},
			[]string{mod + "store/sqlite", "github.com/mattn/go-sqlite3", mod + "store/postgres", "github.com/jackc/pgx/v5"}},
		{mod + "api", []string{"database/sql", mod + "store/sqlite", mod + "pshb", mod + "git", mod + "web", prometheus}, nil},
		// The web pages speak the domain only, and need no router and no script toolchain.
		{mod + "web", []string{"database/sql", mod + "store/sqlite", mod + "api", mod + "git", "github.com/gorilla/mux", prometheus}, nil},
		{mod + "store/sqlite", []string{prometheus}, nil}, // only metrics/ imports client_golang
		{mod + "pshb", []string{"database/sql", mod + "store/sqlite", mod + "api", mod + "git"}, nil},
		{mod + "git", []string{"database/sql", mod + "store/sqlite", mod + "api"}, nil},
		{mod + "store/sqlite", []string{mod + "api", mod + "git", "github.com/go-git/go-git/v5"}, nil},
	}
	for _, tt := range tests {
		d := deps(t, tt.pkg)
		for _, f := range tt.forbidden {
			if d[f] {
				t.Errorf("%s depends on %s", tt.pkg, f)
			}
		}
		for _, r := range tt.required {
			if !d[r] {
				t.Errorf("%s does not depend on %s", tt.pkg, r)
			}
		}
	}
	for p := range deps(t, mod+"hooks") {
		if strings.Contains(strings.Split(p, "/")[0], ".") && !strings.HasPrefix(p, mod+"hooks") {
			t.Errorf("hooks depends on %s: the domain must use the standard library only", p)
		}
	}
}
