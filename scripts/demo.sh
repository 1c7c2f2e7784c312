#!/usr/bin/env bash
# The end-to-end demo: a bare repository with forgehook's hook, the daemon, a
# verifying receiver, a hook registered through the REST API, three pushed
# commits, and the verified push event the receiver printed.
set -euo pipefail
cd "$(dirname "$0")/.."
BIN="$PWD/bin/forgehook"
DIR="$(mktemp -d -t forgehook-demo.XXXXXX)"
API_PORT="${API_PORT:-18080}"
RECV_PORT="${RECV_PORT:-18090}"
SECRET="demo-secret"
pids=()
cleanup() {
  for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done
  wait 2>/dev/null || true
  rm -rf "$DIR"
}
trap cleanup EXIT
export GIT_CONFIG_NOSYSTEM=1 HOME="$DIR/home" GIT_AUTHOR_NAME="Demo" GIT_AUTHOR_EMAIL="demo@example.com" \
       GIT_COMMITTER_NAME="Demo" GIT_COMMITTER_EMAIL="demo@example.com" FORGEHOOK_PUSHER="demo"
mkdir -p "$HOME"
step() { printf '\n\033[1m==> %s\033[0m\n' "$*"; }

step "A bare repository, with forgehook's post-receive hook"
git init --quiet --bare --initial-branch=main "$DIR/repos/acme/widgets.git"
"$BIN" install --db "$DIR/forgehook.db" --repos "$DIR/repos" "$DIR/repos/acme/widgets.git"

step "The daemon and a receiver that verifies signatures with go-github"
"$BIN" serve --listen "127.0.0.1:$API_PORT" --db "$DIR/forgehook.db" --repos "$DIR/repos" 2>"$DIR/serve.log" &
pids+=($!)
"$BIN" receive --listen "127.0.0.1:$RECV_PORT" --secret "$SECRET" >"$DIR/receive.log" 2>&1 &
pids+=($!)
for _ in $(seq 100); do curl -fsS "http://127.0.0.1:$API_PORT/healthz" >/dev/null 2>&1 && break; sleep 0.1; done

step "An API token, and a hook registered through GitHub's REST API"
TOKEN="$("$BIN" token create --db "$DIR/forgehook.db" --user demo | tail -n 1)"
curl -fsS -X POST "http://127.0.0.1:$API_PORT/api/v3/repos/acme/widgets/hooks" \
  -H "Authorization: Bearer $TOKEN" \
  -d "{\"config\":{\"url\":\"http://127.0.0.1:$RECV_PORT/\",\"content_type\":\"json\",\"secret\":\"$SECRET\"},\"events\":[\"push\"]}" \
  | sed -n '1,12p'

step "Three commits pushed"
git clone --quiet "$DIR/repos/acme/widgets.git" "$DIR/work" 2>/dev/null
cd "$DIR/work"
git checkout --quiet -b main
echo "# widgets" > README.md && git add README.md && git commit --quiet -m "Add README"
echo "v1" > VERSION && git add VERSION && git commit --quiet -m "Add VERSION"
echo "more" >> README.md && git rm --quiet VERSION && git commit --quiet -am "Update README, drop VERSION"
time git push --quiet origin main
cd - >/dev/null

step "What the receiver got (signature checked with github.ValidatePayload)"
for _ in $(seq 100); do grep -q '^push ' "$DIR/receive.log" && break; sleep 0.1; done
cat "$DIR/receive.log"
grep -q '^push refs/heads/main to acme/widgets by demo: 0000000\.\.[0-9a-f]*, 3 commits.*(signature verified)' "$DIR/receive.log" \
  || { echo "demo FAILED: no verified push"; cat "$DIR/serve.log"; exit 1; }

step "The delivery, as GitHub's deliveries API shows it"
HOOK=$(curl -fsS -H "Authorization: Bearer $TOKEN" "http://127.0.0.1:$API_PORT/repos/acme/widgets/hooks" | sed -n 's/.*"id": *\([0-9]*\).*/\1/p' | head -n1)
curl -fsS -H "Authorization: Bearer $TOKEN" "http://127.0.0.1:$API_PORT/repos/acme/widgets/hooks/$HOOK/deliveries"
echo
echo "demo OK"
