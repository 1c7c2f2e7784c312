package sqlite_test

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"os/user"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/mattn/go-sqlite3"

	"github.com/forgehook/forgehook/internal/servertest"
	"github.com/forgehook/forgehook/store/sqlite"
)

// stranger is a uid with no account: CheckAccess names it by number.
const stranger = 54321

func TestCheckAccess(t *testing.T) {
	myGroup := testGroup()
	owner := fmt.Sprintf("%s:%s", mustUserName(t, os.Getuid()), mustGroupName(t, myGroup))
	inGroup, notInGroup := []int{myGroup}, []int{}
	tests := []struct {
		name  string
		setup func(t *testing.T, dir, db string)
		uid   int
		gids  []int
		want  string // the error's message, "" for none; DIR and DB stand for the paths
	}{
		{"OK", mode(0o770|fs.ModeSetgid, 0o660, "", ""), stranger, inGroup, ""},
		{"OK new database", mode(0o770|fs.ModeSetgid, 0, "", ""), stranger, inGroup, ""},
		{"OK root", mode(0o700, 0o400, "", ""), 0, nil, ""},
		{"db 0644, in group", mode(0o770|fs.ModeSetgid, 0o644, "", ""), stranger, inGroup,
			"cannot write DB as user 54321 (owner " + owner + ", mode 0644): run 'chmod 660 DB'"},
		{"db 0644, not in group", mode(0o777|fs.ModeSetgid, 0o644, "", ""), stranger, notInGroup,
			"cannot write DB as user 54321 (owner " + owner + ", mode 0644): run 'chmod 660 DB' and add 54321 to group " + mustGroupName(t, myGroup)},
		{"db and wal 0644: both fixed", mode(0o770|fs.ModeSetgid, 0o644, "-wal", ""), stranger, inGroup,
			"cannot write DB as user 54321 (owner " + owner + ", mode 0644): run 'chmod 660 DB DB-wal'"},
		{"wal read-only", mode(0o770|fs.ModeSetgid, 0o660, "-wal", ""), stranger, inGroup,
			"cannot write DB-wal as user 54321 (owner " + owner + ", mode 0640): run 'chmod 660 DB-wal'"},
		{"shm read-only", mode(0o770|fs.ModeSetgid, 0o660, "", "-shm"), stranger, inGroup,
			"cannot write DB-shm as user 54321 (owner " + owner + ", mode 0640): run 'chmod 660 DB-shm'"},
		{"directory read-only", mode(0o755, 0o660, "", ""), stranger, inGroup,
			"cannot create files in DIR as user 54321 (owner " + owner + ", mode 0755): forgehook creates forgehook.db-wal and forgehook.db-shm there; run 'chmod g+rwxs DIR'"},
		{"directory read-only, new database", mode(0o755, 0, "", ""), stranger, notInGroup,
			"cannot create files in DIR as user 54321 (owner " + owner + ", mode 0755): forgehook creates forgehook.db and its -wal and -shm files there; run 'chmod g+rwxs DIR' and add 54321 to group " + mustGroupName(t, myGroup)},
		{"directory closed", mode(0o700|fs.ModeSetgid, 0o660, "", ""), stranger, inGroup,
			"cannot enter DIR as user 54321 (owner " + owner + ", mode 2700): run 'chmod g+x DIR'"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			dir := filepath.Join(servertest.MustSharedDir(t), "state")
			db := filepath.Join(dir, "forgehook.db")
			tt.setup(t, dir, db)
			err := sqlite.CheckAccess(db, tt.uid, tt.gids)
			want := expand(tt.want, dir, db)
			switch {
			case want == "" && err != nil:
				t.Fatalf("err=%v, want none", err)
			case want == "":
			case err == nil:
				t.Fatalf("err=nil, want %q", want)
			case err.Error() != want:
				t.Fatalf("err=%q\nwant %q", err, want)
			}
			var ae *sqlite.AccessError
			if want != "" && !errors.As(err, &ae) {
				t.Fatalf("err is a %T, want an *sqlite.AccessError", err)
			}
		})
	}
}

// TestCheckAccessRootFiles covers files made by root by mistake (the quick
// start run as root): the fix makes the user their owner, never a member of
// root's group.
func TestCheckAccessRootFiles(t *testing.T) {
	mustBeRoot(t, "making files root's that another user checks")
	dir := filepath.Join(servertest.MustSharedDir(t), "state")
	db := filepath.Join(dir, "forgehook.db")
	mode(0o755, 0o644, "", "")(t, dir, db)
	for _, f := range []string{dir, db} { // root:root, as root makes them
		if err := os.Chown(f, 0, 0); err != nil {
			t.Fatal(err)
		}
	}
	err := sqlite.CheckAccess(db, stranger, []int{stranger})
	want := expand("cannot write DB as user 54321 (owner root:root, mode 0644): run 'chown 54321 DB && chmod 660 DB'", dir, db)
	if err == nil || err.Error() != want {
		t.Fatalf("err=%v\nwant %s", err, want)
	}
	if err := os.Chmod(dir, 0o700); err != nil {
		t.Fatal(err)
	}
	err = sqlite.CheckAccess(db, stranger, []int{stranger})
	want = expand("cannot enter DIR as user 54321 (owner root:root, mode 0700): run 'chmod o+x DIR'", dir, db)
	if err == nil || err.Error() != want {
		t.Fatalf("err=%v\nwant %s", err, want)
	}
}

// TestCheckAccessOwner: only the owner's bits apply to the owner.
func TestCheckAccessOwner(t *testing.T) {
	dir := filepath.Join(servertest.MustSharedDir(t), "state")
	db := filepath.Join(dir, "forgehook.db")
	mode(0o770|fs.ModeSetgid, 0o460, "", "")(t, dir, db) // the group may write, the owner not
	uid, gid := os.Getuid(), testGroup()
	if uid == 0 { // root may write anything: check for another owner
		uid = stranger
		if err := os.Chown(db, uid, -1); err != nil {
			t.Fatal(err)
		}
	}
	err := sqlite.CheckAccess(db, uid, []int{gid})
	want := "cannot write " + db + " as user " + mustUserName(t, uid) + " (owner " + mustUserName(t, uid) + ":" +
		mustGroupName(t, gid) + ", mode 0460): run 'chmod 660 " + db + "'"
	if err == nil || err.Error() != want {
		t.Fatalf("err=%v\nwant %s", err, want)
	}
}

func TestCheckAccessMissingDirectory(t *testing.T) {
	db := filepath.Join(servertest.MustSharedDir(t), "nowhere", "forgehook.db")
	err := sqlite.CheckAccess(db, stranger, nil)
	var ae *sqlite.AccessError
	if !errors.Is(err, fs.ErrNotExist) || errors.As(err, &ae) {
		t.Fatalf("err=%v, want a not-exist error that is no AccessError", err)
	}
}

func TestExplainAccess(t *testing.T) {
	dir := servertest.MustSharedDir(t)
	db := filepath.Join(dir, "forgehook.db")
	if err := os.WriteFile(db, nil, 0o444); err != nil {
		t.Fatal(err)
	}
	readonly := fmt.Errorf("begin: %w", sqlite3.Error{Code: sqlite3.ErrReadonly})
	t.Run("other errors unchanged", func(t *testing.T) {
		busy := fmt.Errorf("begin: %w", sqlite3.Error{Code: sqlite3.ErrBusy})
		if got := sqlite.ExplainAccess(db, busy); got != busy {
			t.Fatalf("got %v, want the error unchanged", got)
		}
		if got := sqlite.ExplainAccess(db, nil); got != nil {
			t.Fatalf("got %v, want nil", got)
		}
	})
	if os.Geteuid() == 0 {
		t.Run("root unchanged", func(t *testing.T) {
			if got := sqlite.ExplainAccess(db, readonly); got != readonly {
				t.Fatalf("got %v, want the error unchanged: root may write any file", got)
			}
		})
		return // the explanation for another user: see cmd/forgehook's TestTwoUsers
	}
	t.Run("read-only database explained", func(t *testing.T) {
		got := sqlite.ExplainAccess(db, readonly)
		var ae *sqlite.AccessError
		if !errors.As(got, &ae) || ae.Path != db || !errors.Is(got, readonly) {
			t.Fatalf("got %v, want an AccessError about %s wrapping the original", got, db)
		}
		if again := sqlite.ExplainAccess(db, got); again != got {
			t.Fatalf("explained twice: %v", again)
		}
	})
	t.Run("Open explains", func(t *testing.T) {
		_, err := sqlite.Open(db)
		var ae *sqlite.AccessError
		if !errors.As(err, &ae) || ae.Path != db {
			t.Fatalf("Open: %v, want an AccessError about %s", err, db)
		}
	})
}

// mode returns a setup that makes dir with mode dirMode and, unless dbMode
// is 0, the database file with dbMode, and a -wal or -shm file (named by
// wal, shm) with mode 0640, all of group testGroup.
func mode(dirMode, dbMode fs.FileMode, wal, shm string) func(t *testing.T, dir, db string) {
	return func(t *testing.T, dir, db string) {
		t.Helper()
		if err := os.Mkdir(dir, 0o700); err != nil {
			t.Fatal(err)
		}
		files := map[string]fs.FileMode{}
		if dbMode != 0 {
			files[db] = dbMode
		}
		for _, suffix := range []string{wal, shm} {
			if suffix != "" {
				files[db+suffix] = 0o640
			}
		}
		for f := range files {
			if err := os.WriteFile(f, nil, 0o600); err != nil {
				t.Fatal(err)
			}
		}
		files[dir] = dirMode
		for f, m := range files {
			if err := os.Chown(f, -1, testGroup()); err != nil {
				t.Fatal(err)
			}
			if err := os.Chmod(f, m); err != nil {
				t.Fatal(err)
			}
		}
		t.Cleanup(func() { os.Chmod(dir, 0o700) }) // so that it can be removed
	}
}

// testGroup is the group of the files TestCheckAccess makes: this process's,
// or, if that is root's (which fixes never use), daemon's.
func testGroup() int {
	if gid := os.Getgid(); gid != 0 {
		return gid
	}
	return 1
}

func expand(s, dir, db string) string {
	return strings.NewReplacer("DB", db, "DIR", dir).Replace(s)
}

func mustUserName(tb testing.TB, uid int) string {
	tb.Helper()
	if u, err := user.LookupId(strconv.Itoa(uid)); err == nil {
		return u.Username
	}
	return strconv.Itoa(uid)
}

func mustGroupName(tb testing.TB, gid int) string {
	tb.Helper()
	g, err := user.LookupGroupId(strconv.Itoa(gid))
	if err != nil {
		tb.Fatal(err)
	}
	return g.Name
}
