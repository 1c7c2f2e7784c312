package hooks_test

import (
	"fmt"
	"slices"
	"strings"
	"testing"

	"github.com/forgehook/forgehook/hooks"
)

func TestParseRefUpdates(t *testing.T) {
	a := strings.Repeat("a", 40)
	b := strings.Repeat("b", 40)
	z := hooks.ZeroSHA
	tests := []struct {
		name    string
		in      string
		want    []hooks.RefUpdate
		wantBad []int // line numbers reported malformed
	}{
		{"update", a + " " + b + " refs/heads/main\n", []hooks.RefUpdate{{Before: a, After: b, Ref: "refs/heads/main"}}, nil},
		{"create", z + " " + b + " refs/heads/x\n", []hooks.RefUpdate{{Before: z, After: b, Ref: "refs/heads/x"}}, nil},
		{"tag delete", a + " " + z + " refs/tags/v1", []hooks.RefUpdate{{Before: a, After: z, Ref: "refs/tags/v1"}}, nil},
		{"multi-line with CRLF and blank", a + " " + b + " refs/heads/a\r\n\n" + b + " " + a + " refs/heads/b\n",
			[]hooks.RefUpdate{{Before: a, After: b, Ref: "refs/heads/a"}, {Before: b, After: a, Ref: "refs/heads/b"}}, nil},
		{"sha256 ids", strings.Repeat("c", 64) + " " + strings.Repeat("d", 64) + " refs/heads/m",
			[]hooks.RefUpdate{{Before: strings.Repeat("c", 64), After: strings.Repeat("d", 64), Ref: "refs/heads/m"}}, nil},
		{"empty", "", nil, nil},
		{"two fields", a + " " + b + "\n", nil, []int{1}},
		{"upper-case hex", strings.ToUpper(a) + " " + b + " refs/heads/m", nil, []int{1}},
		{"short id", "abc " + b + " refs/heads/m", nil, []int{1}},
		{"not a ref", a + " " + b + " main", nil, []int{1}},
		{"malformed lines among valid ones are skipped", a + " " + b + " refs/heads/a\ngarbage\n" + b + " " + a + " refs/heads/b\n\x00\xff\n",
			[]hooks.RefUpdate{{Before: a, After: b, Ref: "refs/heads/a"}, {Before: b, After: a, Ref: "refs/heads/b"}}, []int{2, 4}},
		{"a line too long is skipped", a + " " + b + " refs/heads/" + strings.Repeat("x", 70<<10) + "\n" + a + " " + b + " refs/heads/c",
			[]hooks.RefUpdate{{Before: a, After: b, Ref: "refs/heads/c"}}, []int{1}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, bad, err := hooks.ParseRefUpdates(strings.NewReader(tt.in))
			if err != nil {
				t.Fatal(err)
			}
			var badLines []int
			for _, e := range bad {
				badLines = append(badLines, e.Line)
			}
			if !slices.Equal(badLines, tt.wantBad) {
				t.Fatalf("malformed lines %v, want %v (%v)", badLines, tt.wantBad, bad)
			}
			if len(got) != len(tt.want) {
				t.Fatalf("got %d updates, want %d", len(got), len(tt.want))
			}
			for i := range got {
				if got[i] != tt.want[i] {
					t.Errorf("update %d = %+v, want %+v", i, got[i], tt.want[i])
				}
			}
		})
	}
}

// TestParseRefUpdates_KeepsEveryLineOfABigPush: no count or size limit
// drops a push (there was one of 10,000 updates).
func TestParseRefUpdates_KeepsEveryLineOfABigPush(t *testing.T) {
	var in strings.Builder
	const n = 12000
	for i := 0; i < n; i++ {
		fmt.Fprintf(&in, "%s %s refs/tags/%s-%05d\n", hooks.ZeroSHA, strings.Repeat("e", 40), strings.Repeat("t", 700), i)
	}
	got, bad, err := hooks.ParseRefUpdates(strings.NewReader(in.String()))
	if err != nil || len(bad) > 0 {
		t.Fatalf("err = %v, malformed %v", err, bad)
	}
	if len(got) != n || !strings.HasSuffix(got[n-1].Ref, fmt.Sprintf("-%05d", n-1)) {
		t.Fatalf("got %d updates, want %d in order", len(got), n)
	}
}

func TestRefUpdate_Kinds(t *testing.T) {
	u := hooks.RefUpdate{Before: hooks.ZeroSHA, After: strings.Repeat("1", 40), Ref: "refs/tags/v1.2"}
	if !u.Created() || u.Deleted() || u.RefType() != "tag" || u.ShortRef() != "v1.2" {
		t.Fatalf("created=%v deleted=%v type=%q short=%q", u.Created(), u.Deleted(), u.RefType(), u.ShortRef())
	}
	if got := (hooks.RefUpdate{Ref: "refs/notes/commits"}).RefType(); got != "" {
		t.Fatalf("RefType of a note = %q, want empty", got)
	}
}

func FuzzParseRefUpdates(f *testing.F) {
	f.Add(strings.Repeat("a", 40) + " " + strings.Repeat("b", 40) + " refs/heads/main\n")
	f.Add("garbage\n\x00\xff")
	f.Fuzz(func(t *testing.T, in string) {
		got, _, err := hooks.ParseRefUpdates(strings.NewReader(in))
		if err != nil {
			t.Fatal(err)
		}
		for _, u := range got {
			if len(u.Before) < 40 || len(u.After) < 40 || !strings.HasPrefix(u.Ref, "refs/") {
				t.Fatalf("accepted a malformed update %+v", u)
			}
		}
	})
}
