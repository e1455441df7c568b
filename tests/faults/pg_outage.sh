#!/usr/bin/env bash
# PostgreSQL stopped under load: Mend answers 503 fast, stays up, and serves again by itself once
# PostgreSQL is back; every write that was answered 2xx is in the database afterwards.
# Usage: tests/faults/pg_outage.sh PATH_TO_MEND_BINARY   (needs root to stop/start the local cluster)
set -euo pipefail
BIN=${1:?path to the mend binary}
PG=${PG_BASE:-postgres://postgres@127.0.0.1:5432}
PORT=${FAULT_PORT:-18089}
DB="mend_fault_$$"
CLUSTER_VERSION=$(ls /etc/postgresql | head -n1)
WORK=$(mktemp -d)
SERVER_PID=""
WRITER_PID=""

pg_start() { pg_ctlcluster --skip-systemctl-redirect "$CLUSTER_VERSION" main start >/dev/null 2>&1 || true; }
pg_stop() { pg_ctlcluster --skip-systemctl-redirect "$CLUSTER_VERSION" main stop -m fast >/dev/null 2>&1; }
cleanup() {
  [ -n "$WRITER_PID" ] && kill "$WRITER_PID" 2>/dev/null || true
  [ -n "$SERVER_PID" ] && kill "$SERVER_PID" 2>/dev/null || true
  pg_start
  for _ in $(seq 1 30); do pg_isready -h 127.0.0.1 -q && break; sleep 0.5; done
  psql "$PG/postgres" -qc "DROP DATABASE IF EXISTS $DB WITH (FORCE)" >/dev/null 2>&1 || true
  rm -rf "$WORK"
}
trap cleanup EXIT
fail() { echo "FAULT TEST FAILED: $*"; echo "--- server log"; tail -n 30 "$WORK/server.log" || true; exit 1; }

psql "$PG/postgres" -qc "CREATE DATABASE $DB" >/dev/null
export DATABASE_URL="$PG/$DB" MEND_JWT_SECRET="fault-test-secret-0123456789abcdef0123" MEND_ADDR="127.0.0.1:$PORT"
export MEND_AUDIT_KEY="ZmF1bHQtdGVzdC1hdWRpdC1rZXktc2VlZC0wMTIzNDU="
export MEND_ADMIN_PASSWORD="fault test password" MEND_LOGIN_LIMIT_PER_IP=0
"$BIN" create-admin --practice "Fault" --email admin@fault.example.org >/dev/null
"$BIN" serve >"$WORK/server.log" 2>&1 &
SERVER_PID=$!
URL="http://127.0.0.1:$PORT"
for _ in $(seq 1 50); do curl -sf "$URL/healthz" >/dev/null && break; sleep 0.2; done
TOKEN=$(curl -sf -X POST "$URL/api/v1/auth/login" -H 'content-type: application/json' \
  -d '{"email":"admin@fault.example.org","password":"fault test password"}' | python3 -c 'import json,sys;print(json.load(sys.stdin)["access_token"])')
auth=(-H "authorization: Bearer $TOKEN")

# A writer that creates users until told to stop, logging each answer.
(
  i=0
  while [ ! -f "$WORK/stop" ]; do
    i=$((i + 1))
    code=$(curl -s -o /dev/null -m 5 -w '%{http_code}' -X POST "$URL/api/v1/users" "${auth[@]}" \
      -H 'content-type: application/json' -d "{\"email\":\"w$i@fault.example.org\",\"display_name\":\"W\",\"role\":\"counselor\"}" || echo 000)
    echo "$i $code" >>"$WORK/writes.log"
    sleep 0.05
  done
) &
WRITER_PID=$!
sleep 2

echo "stopping PostgreSQL"
pg_stop
sleep 0.5
for path in /readyz /api/v1/me /api/v1/users; do
  for _ in 1 2 3; do
    read -r code secs < <(curl -s -o /dev/null -m 10 -w '%{http_code} %{time_total}\n' "${auth[@]}" "$URL$path")
    [ "$code" = "503" ] || fail "$path answered $code during the outage (expected 503)"
    awk -v s="$secs" 'BEGIN { exit !(s < 2.0) }' || fail "$path took ${secs}s during the outage (limit 2s)"
  done
done
kill -0 "$SERVER_PID" || fail "the server died during the outage"
retry=$(curl -s -D - -o /dev/null "$URL/readyz" | tr -d '\r' | awk -F': ' 'tolower($1)=="retry-after"{print $2}')
[ -n "$retry" ] || fail "503 without Retry-After"
echo "503 within 2 s during the outage: ok"

echo "starting PostgreSQL"
pg_start
for _ in $(seq 1 60); do pg_isready -h 127.0.0.1 -q && break; sleep 0.25; done
back=$(date +%s.%N)
ok=""
for _ in $(seq 1 50); do
  if [ "$(curl -s -o /dev/null -w '%{http_code}' "${auth[@]}" "$URL/api/v1/me")" = "200" ]; then ok=1; break; fi
  sleep 0.1
done
[ -n "$ok" ] || fail "no 200 within 5 s of PostgreSQL's return"
elapsed=$(awk -v a="$back" -v b="$(date +%s.%N)" 'BEGIN { printf "%.2f", b - a }')
echo "200 again ${elapsed}s after PostgreSQL was back: ok"
sleep 1
touch "$WORK/stop"
wait "$WRITER_PID" || true
WRITER_PID=""

created=$(awk '$2 == "201"' "$WORK/writes.log" | wc -l)
in_db=$(psql "$PG/$DB" -Atc "SELECT count(*) FROM users WHERE email LIKE 'w%@fault.example.org'")
echo "writes answered 201: $created, counselors in the database: $in_db"
[ "$created" -gt 0 ] || fail "no write succeeded"
[ "$created" = "$in_db" ] || fail "a 2xx write is missing (or an unacknowledged one landed): $created vs $in_db"
bad=$(awk '$2 != "201" && $2 != "503"' "$WORK/writes.log" | wc -l)
[ "$bad" = "0" ] || fail "writes got answers other than 201/503: $(awk '$2 != "201" && $2 != "503"' "$WORK/writes.log" | head -3)"
kill -0 "$SERVER_PID" || fail "the server died"
echo "fault test: 1 passed, 0 failed"
