package git_test

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/forgehook/forgehook/hooks"
)

// MustRawCommit writes a commit object with the empty tree, the given
// author and committer lines, extra header lines and message into gitDir
// with git hash-object, points refs/heads/<ref> at it and returns its id.
func MustRawCommit(tb testing.TB, gitDir, ref, author, committer, headers, message string) string {
	tb.Helper()
	tree := MustGitInput(tb, gitDir, []byte{}, "hash-object", "-w", "-t", "tree", "--stdin")
	raw := fmt.Sprintf("tree %s\nauthor %s\ncommitter %s\n%s\n%s", tree, author, committer, headers, message)
	id := MustGitInput(tb, gitDir, []byte(raw), "hash-object", "-w", "-t", "commit", "--literally", "--stdin")
	MustGit(tb, gitDir, "update-ref", "refs/heads/"+ref, id)
	return id
}

// gitShow is what git log shows of a commit: %an, %ae, %cn, %ce, %cI and %B,
// with "" for a date git cannot show.
type gitShow struct{ AuthorName, AuthorEmail, CommitterName, CommitterEmail, Date, Message string }

// GitShow returns what git log --format shows of commit id.
func GitShow(tb testing.TB, gitDir, id string) gitShow {
	tb.Helper()
	out := string(MustGitRaw(tb, gitDir, "1700000000 +0000", nil, "log", "-1", "--format=%an%x00%ae%x00%cn%x00%ce%x00%cI%x00%B", id))
	f := strings.Split(out, "\x00")
	if len(f) != 6 {
		tb.Fatalf("git log of %s: %q", id, out)
	}
	if f[4] == "%cI" { // git leaves a placeholder it cannot fill
		f[4] = ""
	}
	return gitShow{f[0], f[1], f[2], f[3], f[4], strings.TrimRight(f[5], "\n")}
}

// MustReadCreated reads the creation of refs/heads/<ref> at id and returns
// its head commit.
func MustReadCreated(tb testing.TB, gitDir, ref, id string) *hooks.Commit {
	tb.Helper()
	ups := []hooks.RefUpdate{{Before: hooks.ZeroSHA, After: id, Ref: "refs/heads/" + ref}}
	ch, err := MustReader(tb).ReadRefChange(context.Background(), gitDir, ups, 0)
	if err != nil {
		tb.Fatalf("ReadRefChange: %v", err)
	}
	if ch.Head == nil {
		tb.Fatalf("no head commit for %s", id)
	}
	return ch.Head
}

// show returns c as git log would show it.
func show(c *hooks.Commit) gitShow {
	date := ""
	if !c.Timestamp.IsZero() {
		date = c.Timestamp.Format(time.RFC3339)
	}
	return gitShow{c.Author.Name, c.Author.Email, c.Committer.Name, c.Committer.Email, date, strings.TrimRight(c.Message, "\n")}
}

func TestReadRefChange_EncodingHeaderLikeGitLog(t *testing.T) {
	t.Parallel()
	gitDir := MustInitBareRepo(t, t.TempDir(), "octo", "enc")
	const when = "1600000200 +0545"
	tests := []struct {
		name, encoding, who, message string
		want                         string // the message in UTF-8, "" if git keeps the bytes
	}{
		{"ISO-8859-1", "ISO-8859-1", "Fran\xe7ois L\xe9v\xeaque", "R\xe9sum\xe9 na\xefve latin-1 message", "Résumé naïve latin-1 message"},
		{"latin-1 (git's own alias)", "latin-1", "Fran\xe7ois", "na\xefve", "naïve"},
		{"latin1", "latin1", "Fran\xe7ois", "\x80 is a C1 control in Latin-1", "\u0080 is a C1 control in Latin-1"},
		{"iso8859-1 (an iconv spelling)", "iso8859-1", "Fran\xe7ois", "na\xefve", "naïve"},
		{"windows-1252", "windows-1252", "Caf\xe9", "\x80 and \x93quotes\x94", "€ and “quotes”"},
		{"cp1252", "cp1252", "Caf\xe9", "\x80", "€"},
		{"ISO-8859-2", "ISO-8859-2", "Pawe\xb3", "\xb1\xea", "ąę"},
		{"latin-2 (unknown to iconv)", "latin-2", "Pawe\xb3", "\xb1\xea", ""},
		{"EUC-JP", "EUC-JP", "\xc6\xfc\xcb\xdc", "\xc6\xfc\xcb\xdc\xb8\xec", "日本語"},
		{"eucjp", "eucjp", "\xc6\xfc\xcb\xdc", "\xc6\xfc\xcb\xdc", "日本"},
		{"Shift_JIS", "Shift_JIS", "\x93\xfa\x96\x7b", "\x93\xfa\x96\x7b\x8c\xea", "日本語"},
		{"SJIS", "SJIS", "\x93\xfa\x96\x7b", "\x93\xfa\x96\x7b", "日本"},
		{"Shift_JIS that does not decode", "Shift_JIS", "\x93\xfa", "\x81\x20broken", ""},
		{"KOI8-R", "KOI8-R", "\xf0\xd2\xc9\xd7\xc5\xd4", "\xf0\xd2\xc9\xd7\xc5\xd4", "Привет"},
		{"unknown encoding", "x-no-such-encoding", "Fran\xe7ois", "R\xe9sum\xe9", ""},
		{"UTF-8", "utf8", "Fran\u00e7ois", "R\u00e9sum\u00e9", "Résumé"},
	}
	for i, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ident := tt.who + " <who@example.com> " + when
			id := MustRawCommit(t, gitDir, fmt.Sprint("enc", i), ident, ident, "encoding "+tt.encoding+"\n", tt.message+"\n")
			got, want := show(MustReadCreated(t, gitDir, fmt.Sprint("enc", i), id)), GitShow(t, gitDir, id)
			if got != want {
				t.Errorf("got  %+q\nwant %+q (git log)", got, want)
			}
			if tt.want == "" {
				tt.want = tt.message
			}
			if got.Message != tt.want {
				t.Errorf("Message=%+q, want %+q", got.Message, tt.want)
			}
		})
	}
}

func TestReadRefChange_IdentitiesLikeGitLog(t *testing.T) {
	t.Parallel()
	gitDir := MustInitBareRepo(t, t.TempDir(), "octo", "ident")
	tests := []struct {
		name, ident, date string // date: what %cI shows, "" for none
	}{
		{"a > before the e-mail", "Weird <Name> <w@example.com> 1600000301 +1400", "2020-09-14T02:31:41+14:00"},
		{"plain", "Ada <ada@example.com> 1600000301 +0200", "2020-09-13T14:31:41+02:00"},
		{"spaces kept before the name", "  Lead  <l@example.com>   1600000301    -0130", "2020-09-13T11:01:41-01:30"},
		{"a short zone", "Short <s@example.com> 1600000301 -130", "2020-09-13T11:01:41-01:30"},
		{"no brackets", "NoBrackets 1600000301 +0100", ""},
		{"no closing bracket", "Open <x 1600000301 +0100", ""},
		{"no zone", "NoTZ <a@example.com> 1600000301", ""},
		{"no seconds", "Bad <a@example.com> abc +0100", ""},
		{"a > after the date", "Gt <a@example.com> 1600000301 +0100 >x", ""},
		{"an empty e-mail", "Empty <> 1600000301 +0300", "2020-09-13T15:31:41+03:00"},
	}
	for i, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ref := fmt.Sprint("ident", i)
			id := MustRawCommit(t, gitDir, ref, tt.ident, tt.ident, "", "message\n")
			got, want := show(MustReadCreated(t, gitDir, ref, id)), GitShow(t, gitDir, id)
			if got != want {
				t.Errorf("got  %+q\nwant %+q (git log)", got, want)
			}
			if got.Date != tt.date {
				t.Errorf("Timestamp=%q, want %q", got.Date, tt.date)
			}
		})
	}
}

func TestReadRefChange_DatesJSONCannotEncodeAreLeftOut(t *testing.T) {
	t.Parallel()
	gitDir := MustInitBareRepo(t, t.TempDir(), "octo", "dates")
	for i, ident := range []string{
		"Far <f@example.com> 999999999999 +0000", // the year 33658
		"Zone <z@example.com> 1600000301 +2400",  // a zone of a whole day
	} {
		ref := fmt.Sprint("date", i)
		c := MustReadCreated(t, gitDir, ref, MustRawCommit(t, gitDir, ref, ident, ident, "", "m\n"))
		if _, err := json.Marshal(c.Timestamp); err != nil {
			t.Errorf("%s: json.Marshal(Timestamp %v): %v, want a time JSON can encode", ident, c.Timestamp, err)
		}
	}
}
