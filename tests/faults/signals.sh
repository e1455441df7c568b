#!/usr/bin/env bash
# SIGTERM under load: every request in flight when the signal arrives still gets its answer.
# SIGKILL, then restart (SQLite): the database opens cleanly and no write that was answered 2xx
# is lost.
# Usage: tests/faults/signals.sh PATH_TO_MEND_BINARY
set -euo pipefail
BIN=${1:?path to the mend binary}
PORT=${FAULT_PORT:-18090}
WORK=$(mktemp -d)
SERVER_PID=""
cleanup() {
  [ -n "$SERVER_PID" ] && kill -9 "$SERVER_PID" 2>/dev/null || true
  rm -rf "$WORK"
}
trap cleanup EXIT
fail() { echo "SIGNAL TEST FAILED: $*"; tail -n 20 "$WORK/server.log" 2>/dev/null || true; exit 1; }

export DATABASE_URL="sqlite://$WORK/mend.db" MEND_JWT_SECRET="signal-test-secret-0123456789abcdef0123" MEND_ADDR="127.0.0.1:$PORT"
export MEND_ADMIN_PASSWORD="signal test password" MEND_LOGIN_LIMIT_PER_IP=0
URL="http://127.0.0.1:$PORT"
"$BIN" create-admin --practice "Signals" --email admin@signals.example.org >/dev/null

start() {
  "$BIN" serve >>"$WORK/server.log" 2>&1 &
  SERVER_PID=$!
  for _ in $(seq 1 50); do curl -sf "$URL/healthz" >/dev/null && return 0; sleep 0.1; done
  fail "server did not start"
}
login_body='{"email":"admin@signals.example.org","password":"signal test password"}'

# 1. SIGTERM with requests in flight (each login hashes for tens of milliseconds).
start
for i in $(seq 1 24); do
  curl -s -o /dev/null -m 20 -w '%{http_code}\n' -X POST "$URL/api/v1/auth/login" \
    -H 'content-type: application/json' -d "$login_body" >"$WORK/inflight.$i" &
done
# Let every connection be accepted (24 logins take longer than this to answer), then signal.
sleep 0.2
kill -TERM "$SERVER_PID"
wait_for_all() { for f in "$WORK"/inflight.*; do while [ ! -s "$f" ]; do sleep 0.05; done; done; }
timeout 30 bash -c "$(declare -f wait_for_all); WORK=$WORK wait_for_all" || fail "in-flight requests did not finish"
wait "$SERVER_PID" || true
SERVER_PID=""
answered=$(cat "$WORK"/inflight.* | grep -c '^200$' || true)
refused=$(cat "$WORK"/inflight.* | grep -c '^000$' || true)
other=$(cat "$WORK"/inflight.* | grep -vc '^\(200\|000\)$' || true)
echo "SIGTERM: $answered answered 200, $refused failed, $other other"
[ "$refused" = "0" ] && [ "$other" = "0" ] || fail "in-flight requests failed: $(cat "$WORK"/inflight.* | sort | uniq -c)"
[ "$answered" -gt 0 ] || fail "no request was in flight"

# 2. SIGKILL under writes, then restart: nothing acknowledged is lost.
start
TOKEN=$(curl -sf -X POST "$URL/api/v1/auth/login" -H 'content-type: application/json' -d "$login_body" \
  | python3 -c 'import json,sys;print(json.load(sys.stdin)["access_token"])')
(
  i=0
  while true; do
    i=$((i + 1))
    code=$(curl -s -o /dev/null -m 5 -w '%{http_code}' -X POST "$URL/api/v1/users" -H "authorization: Bearer $TOKEN" \
      -H 'content-type: application/json' -d "{\"email\":\"k$i@signals.example.org\",\"display_name\":\"K\",\"role\":\"counselor\"}" || true)
    echo "$i $code" >>"$WORK/writes.log"
    [ "$code" = "000" ] && break
  done
) &
WRITER=$!
sleep 1.5
kill -9 "$SERVER_PID"
wait "$SERVER_PID" 2>/dev/null || true
SERVER_PID=""
wait "$WRITER" || true
acked=$(awk '$2 == "201"' "$WORK/writes.log" | wc -l)
start
TOKEN=$(curl -sf -X POST "$URL/api/v1/auth/login" -H 'content-type: application/json' -d "$login_body" \
  | python3 -c 'import json,sys;print(json.load(sys.stdin)["access_token"])')
stored=$(curl -sf "$URL/api/v1/users?role=counselor&limit=100" -H "authorization: Bearer $TOKEN" \
  | python3 -c 'import json,sys;print(len(json.load(sys.stdin)["items"]))')
# Page through when there are more than 100.
if [ "$stored" -ge 100 ]; then
  stored=$(python3 - "$URL" "$TOKEN" <<'PY'
import json, sys, urllib.request
url, token = sys.argv[1], sys.argv[2]
n, cursor = 0, None
while True:
    q = f"{url}/api/v1/users?role=counselor&limit=100" + (f"&cursor={cursor}" if cursor else "")
    page = json.load(urllib.request.urlopen(urllib.request.Request(q, headers={"authorization": f"Bearer {token}"})))
    n += len(page["items"]); cursor = page["next_cursor"]
    if not cursor: break
print(n)
PY
)
fi
echo "SIGKILL: $acked writes acknowledged before the kill, $stored in the database after restart"
[ "$acked" -gt 0 ] || fail "no write was acknowledged"
[ "$stored" -ge "$acked" ] || fail "acknowledged writes were lost"
[ "$stored" -le $((acked + 1)) ] || fail "more rows than writes sent"
curl -sf "$URL/readyz" >/dev/null || fail "not ready after restart"
echo "signal test: 2 passed, 0 failed"
