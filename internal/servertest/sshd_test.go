package servertest_test

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/forgehook/forgehook/internal/gittest"
	"github.com/forgehook/forgehook/internal/servertest"
)

// TestSSHD_KeysSetForgehookPusherOnASharedAccount: two keys of one shared
// account push over the real sshd, and each key's environment="..." option
// reaches the hook as FORGEHOOK_PUSHER.
func TestSSHD_KeysSetForgehookPusherOnASharedAccount(t *testing.T) {
	t.Parallel()
	git := servertest.MustUser(t, "fhsshtest")
	git.Home = git.MustDir(t) // only for this test's files; sshd reads the account's own home
	sshd := servertest.MustSSHD(t, "AllowUsers fhsshtest", "AuthorizedKeysFile "+filepath.Join(git.Home, "authorized_keys"))
	keys := t.TempDir()
	var lines []string
	for _, name := range []string{"alice", "bob"} {
		k := servertest.MustKey(t, keys, name)
		lines = append(lines, k.AuthorizedLine(t, `environment="FORGEHOOK_PUSHER=`+name+`"`))
	}
	if err := os.WriteFile(filepath.Join(git.Home, "authorized_keys"), []byte(strings.Join(lines, "\n")+"\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	bare := filepath.Join(git.Home, "widgets.git")
	git.MustRun(t, nil, "git", "init", "--quiet", "--bare", "--initial-branch=main", bare)
	log := filepath.Join(git.Home, "pushers.log")
	hook := "#!/bin/sh\necho \"$FORGEHOOK_PUSHER\" >> " + log + "\n"
	if err := os.WriteFile(filepath.Join(bare, "hooks", "post-receive"), []byte(hook), 0o755); err != nil {
		t.Fatal(err)
	}

	t.Cleanup(func() {
		if t.Failed() {
			t.Log(sshd.Logs())
		}
	})
	for i, name := range []string{"alice", "bob"} {
		ws := gittest.NewWorkspace(t)
		ws.Env = append(ws.Env, sshd.GitEnv(&servertest.Key{Private: filepath.Join(keys, name)}))
		c := ws.MustClone("fhsshtest@127.0.0.1:"+bare, "w")
		if i > 0 {
			c.Git("pull", "--quiet", "origin", "main")
		}
		c.Commit("from "+name, map[string]string{name + ".txt": name})
		c.Push("origin", "main")
	}
	b, err := os.ReadFile(log)
	if got := strings.Fields(string(b)); err != nil || strings.Join(got, " ") != "alice bob" {
		t.Errorf("FORGEHOOK_PUSHER in the hook = %q (%v), want alice then bob\n%s", got, err, sshd.Logs())
	}
}
