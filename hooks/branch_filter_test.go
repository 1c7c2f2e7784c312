package hooks_test

import (
	"fmt"
	"regexp"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/gobwas/glob"
	"github.com/gobwas/glob/syntax"
	"github.com/gobwas/glob/syntax/ast"

	"github.com/forgehook/forgehook/hooks"
)

func TestBranchFilter_Match(t *testing.T) {
	tests := []struct {
		filter string
		match  []string
		miss   []string
	}{
		{"", []string{"refs/heads/main", "refs/tags/v1"}, nil},
		{"*", []string{"refs/heads/a/b", "refs/tags/v1"}, nil},
		{"main", []string{"refs/heads/main"}, []string{"refs/heads/mainline", "refs/tags/main", "refs/heads/x/main"}},
		{"refs/heads/main", []string{"refs/heads/main"}, []string{"refs/tags/main"}},
		{"{main,release/*}", []string{"refs/heads/main", "refs/heads/release/1.0", "refs/heads/release/a/b"}, []string{"refs/heads/dev", "refs/tags/release/1"}},
		{"main,{release/*,hotfix/*}", []string{"refs/heads/main", "refs/heads/release/2", "refs/heads/hotfix/x"}, []string{"refs/heads/feature/x", "refs/tags/v1"}},
		{"refs/tags/v*", []string{"refs/tags/v1.2.3"}, []string{"refs/heads/v1", "refs/tags/x1"}},
		{"main,{release/*,hotfix/*},refs/tags/v*", []string{"refs/heads/main", "refs/heads/hotfix/1", "refs/tags/v2"}, []string{"refs/tags/main", "refs/heads/v2"}}, // the README's
		{"feature-?", []string{"refs/heads/feature-a", "refs/heads/feature-é"}, []string{"refs/heads/feature-ab"}},
		{"v[0-9]*", []string{"refs/heads/v1x"}, []string{"refs/heads/va"}},
		// Gitea matches a branch's full ref too, so a negated class first
		// lets every branch through: "refs/..." does not start with d.
		{"[!d]*", []string{"refs/heads/main", "refs/heads/dev"}, nil},
		{"[abc]x", []string{"refs/heads/bx"}, []string{"refs/heads/dx"}},
		{`a\,b`, []string{"refs/heads/a,b"}, []string{"refs/heads/a"}},
		{"{a,}x", []string{"refs/heads/ax", "refs/heads/x"}, []string{"refs/heads/bx"}},
		{"{{a,b}c,d}", []string{"refs/heads/ac", "refs/heads/bc", "refs/heads/d"}, []string{"refs/heads/c"}},
		{"a}b", []string{"refs/heads/a}b"}, nil},
		{"0*0", []string{"refs/heads/00", "refs/heads/010"}, []string{"refs/heads/0"}}, // gobwas matches "0" here: a bug
	}
	for _, tt := range tests {
		f, err := hooks.ParseBranchFilter(tt.filter)
		if err != nil {
			t.Fatalf("ParseBranchFilter(%q): %v", tt.filter, err)
		}
		for _, ref := range tt.match {
			if !f.Match(ref) {
				t.Errorf("%q does not match %s, want a match", tt.filter, ref)
			}
		}
		for _, ref := range tt.miss {
			if f.Match(ref) {
				t.Errorf("%q matches %s, want none", tt.filter, ref)
			}
		}
	}
}

func TestBranchFilter_ErrInvalid(t *testing.T) {
	for _, filter := range []string{"{main", "[abc", "[]", "[!]", "[z-a]", "[a-z0-9]", `main\`, "\xff", strings.Repeat("{", 20) + strings.Repeat("}", 20)} {
		if _, err := hooks.ParseBranchFilter(filter); err == nil {
			t.Errorf("ParseBranchFilter(%q) = nil error, want one", filter)
		}
		h := hooks.NewHook("acme", "widgets")
		h.Config = hooks.HookConfig{URL: "http://127.0.0.1/", BranchFilter: filter}
		if err := h.Validate(); hooks.ErrorCode(err) != hooks.EINVALID {
			t.Errorf("Validate with branch_filter %q: %v, want EINVALID", filter, err)
		}
	}
}

// FuzzBranchFilter_MatchesGobwas checks the filter against Gitea's
// checkBranchFilter, which matches a branch's name and its full ref with
// the library Gitea uses, github.com/gobwas/glob: every filter forgehook
// accepts, gobwas parses too, and forgehook lets through the branches that
// gobwas's parse of it describes. Those are found with a regular expression
// built from gobwas's parse tree rather than with gobwas's own matchers,
// which have bugs ("0*0" matches "0"). A comma outside braces, which gobwas
// reads literally, is checked as the alternatives it separates.
func FuzzBranchFilter_MatchesGobwas(f *testing.F) {
	for _, seed := range [][2]string{
		{"v*", "v1"}, {"{a,b}*", "bx"}, {"[a-c]?", "b9"}, {"[!x]", "y"}, {`\*a`, "*a"},
		{"{release/*,hotfix/{a,b}}", "hotfix/b"}, {"a,b", "b"}, {"*.*", "1.2"}, {"{,x}", "x"}, {"[ab\\]]", "]"},
		{"refs/heads/m*", "main"}, {"*/x", "a/b/x"}, {"?", "é"}, {"0*0", "0"},
	} {
		f.Add(seed[0], seed[1])
	}
	f.Fuzz(func(t *testing.T, filter, branch string) {
		ours, err := hooks.ParseBranchFilter(filter)
		// git has no empty branch names, and gobwas matches "?" to "".
		if err != nil || filter == "" || filter == "*" || filter == "**" || branch == "" || !utf8.ValidString(branch) {
			return
		}
		ref := "refs/heads/" + branch
		want := false
		for _, alt := range splitTopLevel(filter) {
			if _, err := glob.Compile(alt); err != nil {
				t.Fatalf("forgehook accepts %q, gobwas refuses %q: %v", filter, alt, err)
			}
			tree, err := syntax.Parse(alt)
			if err != nil {
				t.Fatal(err)
			}
			re := regexp.MustCompile("^" + globRegexp(tree) + "$")
			want = want || re.MatchString(branch) || re.MatchString(ref)
		}
		if got := ours.Match(ref); got != want {
			t.Fatalf("%q on %q: forgehook %v, gobwas's pattern %v", filter, ref, got, want)
		}
	})
}

// globRegexp returns a regular expression for a gobwas parse tree compiled
// without separators.
func globRegexp(n *ast.Node) string {
	class := func(not bool, body string) string {
		if not {
			return "[^" + body + "]"
		}
		return "[" + body + "]"
	}
	lit := func(r rune) string { return fmt.Sprintf(`\x{%x}`, r) }
	switch n.Kind {
	case ast.KindText:
		return regexp.QuoteMeta(n.Value.(ast.Text).Text)
	case ast.KindAny, ast.KindSuper:
		return "(?s:.*)"
	case ast.KindSingle:
		return "(?s:.)"
	case ast.KindList:
		var b strings.Builder
		for _, r := range n.Value.(ast.List).Chars {
			b.WriteString(lit(r))
		}
		return class(n.Value.(ast.List).Not, b.String())
	case ast.KindRange:
		rg := n.Value.(ast.Range)
		return class(rg.Not, lit(rg.Lo)+"-"+lit(rg.Hi))
	case ast.KindAnyOf:
		var alts []string
		for _, c := range n.Children {
			alts = append(alts, globRegexp(c))
		}
		return "(?:" + strings.Join(alts, "|") + ")"
	}
	var b strings.Builder // a pattern: its children in turn
	for _, c := range n.Children {
		b.WriteString(globRegexp(c))
	}
	return b.String()
}

// splitTopLevel splits filter at the commas outside braces, classes and
// escapes.
func splitTopLevel(filter string) []string {
	var parts []string
	depth, start, inClass := 0, 0, false
	for i := 0; i < len(filter); i++ {
		switch c := filter[i]; {
		case c == '\\':
			i++
		case inClass:
			inClass = c != ']'
		case c == '[':
			inClass = true
		case c == '{':
			depth++
		case c == '}' && depth > 0:
			depth--
		case c == ',' && depth == 0:
			parts = append(parts, filter[start:i])
			start = i + 1
		}
	}
	return append(parts, filter[start:])
}
