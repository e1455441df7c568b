#!/usr/bin/env bash
# The audit seal across instances, on PostgreSQL. Two `mend serve` on one database, both under
# audited read load (8 readers each); each runs the background sealer, and the lease lets one
# seal at a time. Mid-load the instance holding the lease is SIGKILLed: the other takes the lease
# over when it expires and goes on sealing, under load. Then:
# - every event of the trail is sealed exactly once: seqs 1..n with no gap, n = the events;
# - subjects were written for the reads (each read names the client it read);
# - checkpoints were signed, and `mend audit verify` recomputes one unbroken chain: exit 0.
# Usage: tests/faults/seal_two_instances.sh PATH_TO_MEND_BINARY   (PG_BASE defaults to postgres://postgres@127.0.0.1:5432)
set -euo pipefail
BIN=${1:?path to the mend binary}
PG_BASE=${PG_BASE:-postgres://postgres@127.0.0.1:5432}
PORT_A=${FAULT_PORT:-18196}
PORT_B=$((PORT_A + 1))
WORK=$(mktemp -d)
PG_DB="mend_seal_two_$$"
PID_a="" PID_b="" LOADERS=()
started=$(date +%s)
cleanup() {
  for p in "$PID_a" "$PID_b" "${LOADERS[@]}"; do
    [ -n "$p" ] && { kill -9 "$p" 2>/dev/null; wait "$p" 2>/dev/null; } || true
  done
  psql "$PG_BASE/postgres" -qc "DROP DATABASE IF EXISTS $PG_DB WITH (FORCE)" >/dev/null 2>&1 || true
  rm -rf "$WORK"
}
trap cleanup EXIT
fail() {
  echo "SEAL TWO INSTANCES TEST FAILED: $*"
  for f in "$WORK"/a.log "$WORK"/b.log; do
    [ -f "$f" ] && { echo "--- $(basename "$f")"; tail -n 15 "$f"; }
  done
  exit 1
}
say() { echo "seal two instances ($(( $(date +%s) - started ))s): $*"; }

psql "$PG_BASE/postgres" -qc "CREATE DATABASE $PG_DB" >/dev/null
export DATABASE_URL="$PG_BASE/$PG_DB"
export MEND_JWT_SECRET="seal-two-secret-0123456789abcdef0123456" MEND_ADMIN_PASSWORD="seal two instances password"
export MEND_AUDIT_KEY="ZmF1bHQtdGVzdC1hdWRpdC1rZXktc2VlZC0wMTIzNDU="
export MEND_LOGIN_LIMIT_PER_IP=0 MEND_LOG="warn,mend::seal=info" MEND_LOG_FORMAT=json
sql() { psql "$DATABASE_URL" -Atc "$1"; }

"$BIN" create-admin --practice "Seal two" --email admin@seal-two.example.org >/dev/null

start() {
  local name=$1 port=$2
  MEND_ADDR="127.0.0.1:$port" "$BIN" serve >>"$WORK/$name.log" 2>&1 &
  printf -v "PID_$name" '%s' "$!"
  for _ in $(seq 1 100); do curl -sf "http://127.0.0.1:$port/healthz" >/dev/null && break; sleep 0.1; done
  curl -sf "http://127.0.0.1:$port/healthz" >/dev/null || fail "instance $name did not start"
}
start a "$PORT_A"
start b "$PORT_B"

TOKEN=$(curl -sf -X POST "http://127.0.0.1:$PORT_A/api/v1/auth/login" -H 'content-type: application/json' \
  -d "{\"email\":\"admin@seal-two.example.org\",\"password\":\"$MEND_ADMIN_PASSWORD\"}" | python3 -c 'import json,sys; print(json.load(sys.stdin)["access_token"])')
CLIENT=$(curl -sf -X POST "http://127.0.0.1:$PORT_A/api/v1/clients" -H "authorization: Bearer $TOKEN" \
  -H 'content-type: application/json' -d '{"first_name":"Sam","last_name":"Sealed"}' | python3 -c 'import json,sys; print(json.load(sys.stdin)["id"])')

# reader N SECONDS: audited reads of the client, to both instances in turn, until time is up;
# counts its 200s (a killed instance's refusals are not counted).
reader() {
  local n=$1 until=$(( $(date +%s) + $2 )) ok=0 port
  while [ "$(date +%s)" -lt "$until" ]; do
    n=$((n + 1)); port=$(( n % 2 == 0 ? PORT_A : PORT_B ))
    code=$(curl -s -o /dev/null -w '%{http_code}' "http://127.0.0.1:$port/api/v1/clients/$CLIENT" -H "authorization: Bearer $TOKEN" || true)
    [ "$code" = 200 ] && ok=$((ok + 1))
  done
  echo "$ok" >"$WORK/reads.$1"
}
for i in $(seq 1 16); do reader "$i" 22 & LOADERS+=("$!"); done

sleep 3
holder=$(sql "SELECT holder FROM audit_seal_lease")
[ -n "$holder" ] || fail "no instance took the sealer's lease under load"
sealed=$(sql "SELECT count(*) FROM audit_chain")
[ "$sealed" -gt 0 ] || fail "nothing sealed after 3 s under load"
owner=a; grep -q "\"sealer\":\"$holder\"" "$WORK/b.log" && owner=b
say "instance $owner holds the lease ($sealed events sealed); SIGKILL it under load"
if [ "$owner" = a ]; then kill -9 "$PID_a"; wait "$PID_a" 2>/dev/null || true; PID_a=""; survivor=b
else kill -9 "$PID_b"; wait "$PID_b" 2>/dev/null || true; PID_b=""; survivor=a; fi

# The survivor takes the lease over once it expires (10 s) and seals on.
for _ in $(seq 1 150); do
  now=$(sql "SELECT holder FROM audit_seal_lease")
  [ "$now" != "$holder" ] && break
  sleep 0.1
done
[ "$now" != "$holder" ] || fail "the surviving instance never took the lease over"
grep -q "\"sealer\":\"$now\"" "$WORK/$survivor.log" || fail "the new holder is not the survivor"
say "instance $survivor took the lease over"

for p in "${LOADERS[@]}"; do wait "$p" 2>/dev/null || true; done
LOADERS=()
reads=$(cat "$WORK"/reads.* | awk '{ s += $1 } END { print s }')
[ "$reads" -gt 100 ] || fail "only $reads reads answered"

# Every event sealed once, in one chain.
events=0 sealed=-1
for _ in $(seq 1 100); do
  events=$(sql "SELECT count(*) FROM audit_events")
  sealed=$(sql "SELECT count(*) FROM audit_chain")
  [ "$events" = "$sealed" ] && break
  sleep 0.2
done
[ "$events" = "$sealed" ] || fail "$sealed of $events events sealed"
[ "$(sql "SELECT max(seq) FROM audit_chain")" = "$sealed" ] || fail "the seqs have a gap"
[ "$(sql "SELECT count(DISTINCT event_id) FROM audit_chain")" = "$sealed" ] || fail "an event is sealed twice"
subjects=$(sql "SELECT count(*) FROM audit_subjects WHERE client_id = '$CLIENT'")
[ "$subjects" -ge "$reads" ] || fail "$subjects subjects for $reads reads of the client"
checkpoints=$(sql "SELECT count(*) FROM audit_checkpoints")
[ "$checkpoints" -ge 1 ] || fail "no checkpoint signed for $sealed events"
out=$("$BIN" audit verify) || fail "mend audit verify: $out"
say "$reads reads answered; $events events sealed once each in one chain; $checkpoints checkpoints; $out"
