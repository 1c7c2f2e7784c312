package hooks_test

import (
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
		wantErr bool
	}{
		{"update", a + " " + b + " refs/heads/main\n", []hooks.RefUpdate{{Before: a, After: b, Ref: "refs/heads/main"}}, false},
		{"create", z + " " + b + " refs/heads/x\n", []hooks.RefUpdate{{Before: z, After: b, Ref: "refs/heads/x"}}, false},
		{"tag delete", a + " " + z + " refs/tags/v1", []hooks.RefUpdate{{Before: a, After: z, Ref: "refs/tags/v1"}}, false},
		{"multi-line with CRLF and blank", a + " " + b + " refs/heads/a\r\n\n" + b + " " + a + " refs/heads/b\n",
			[]hooks.RefUpdate{{Before: a, After: b, Ref: "refs/heads/a"}, {Before: b, After: a, Ref: "refs/heads/b"}}, false},
		{"sha256 ids", strings.Repeat("c", 64) + " " + strings.Repeat("d", 64) + " refs/heads/m",
			[]hooks.RefUpdate{{Before: strings.Repeat("c", 64), After: strings.Repeat("d", 64), Ref: "refs/heads/m"}}, false},
		{"empty", "", nil, false},
		{"two fields", a + " " + b + "\n", nil, true},
		{"upper-case hex", strings.ToUpper(a) + " " + b + " refs/heads/m", nil, true},
		{"short id", "abc " + b + " refs/heads/m", nil, true},
		{"not a ref", a + " " + b + " main", nil, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := hooks.ParseRefUpdates(strings.NewReader(tt.in))
			if (err != nil) != tt.wantErr {
				t.Fatalf("err = %v, want error %v", err, tt.wantErr)
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
		got, err := hooks.ParseRefUpdates(strings.NewReader(in))
		if err != nil {
			return
		}
		for _, u := range got {
			if len(u.Before) < 40 || len(u.After) < 40 || !strings.HasPrefix(u.Ref, "refs/") {
				t.Fatalf("accepted a malformed update %+v", u)
			}
		}
	})
}
