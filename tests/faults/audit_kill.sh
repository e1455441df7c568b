#!/usr/bin/env bash
# SIGKILL under 16 concurrent readers: every read that was answered 200 has its audit event in
# the database after the kill (the group-committed audit trail answers only after the commit).
# Runs on SQLite, and on PostgreSQL too when PG_BASE (e.g. postgres://postgres@127.0.0.1:5432) is set.
# Usage: tests/faults/audit_kill.sh PATH_TO_MEND_BINARY
set -euo pipefail
BIN=${1:?path to the mend binary}
PORT=${FAULT_PORT:-18093}
WORK=$(mktemp -d)
SERVER_PID=""
PG_DB=""
cleanup() {
  [ -n "$SERVER_PID" ] && kill -9 "$SERVER_PID" 2>/dev/null || true
  [ -n "$PG_DB" ] && psql "$PG_BASE/postgres" -qc "DROP DATABASE IF EXISTS $PG_DB" >/dev/null 2>&1 || true
  rm -rf "$WORK"
}
trap cleanup EXIT
fail() { echo "AUDIT KILL TEST FAILED: $*"; tail -n 20 "$WORK/server.log" 2>/dev/null || true; exit 1; }

export MEND_JWT_SECRET="audit-kill-secret-0123456789abcdef0123" MEND_ADDR="127.0.0.1:$PORT"
export MEND_AUDIT_KEY="ZmF1bHQtdGVzdC1hdWRpdC1rZXktc2VlZC0wMTIzNDU="
export MEND_ADMIN_PASSWORD="audit kill password" MEND_LOGIN_LIMIT_PER_IP=0 MEND_LOG=warn
URL="http://127.0.0.1:$PORT"

run_store() {
  local store=$1
  case "$store" in
    sqlite) export DATABASE_URL="sqlite://$WORK/mend.db" ;;
    postgres)
      PG_DB="mend_audit_kill_$$"
      psql "$PG_BASE/postgres" -qc "CREATE DATABASE $PG_DB" >/dev/null
      export DATABASE_URL="$PG_BASE/$PG_DB" ;;
  esac
  "$BIN" create-admin --practice "Audit kill" --email admin@kill.example.org >/dev/null
  "$BIN" serve >>"$WORK/server.log" 2>&1 &
  SERVER_PID=$!
  for _ in $(seq 1 100); do curl -sf "$URL/healthz" >/dev/null && break; sleep 0.1; done
  curl -sf "$URL/healthz" >/dev/null || fail "server did not start ($store)"
  python3 - "$URL" "$WORK/answered.$store" <<'PY' &
import json, sys, threading, time, urllib.request, urllib.error
url, out = sys.argv[1], sys.argv[2]
def call(method, path, token=None, body=None, rid=None):
    req = urllib.request.Request(url + path, method=method, data=json.dumps(body).encode() if body is not None else None)
    req.add_header("content-type", "application/json")
    if token: req.add_header("authorization", "Bearer " + token)
    if rid: req.add_header("x-request-id", rid)
    with urllib.request.urlopen(req, timeout=5) as r:
        return r.status, json.loads(r.read() or b"null")
_, tokens = call("POST", "/api/v1/auth/login", body={"email": "admin@kill.example.org", "password": "audit kill password"})
token = tokens["access_token"]
_, client = call("POST", "/api/v1/clients", token, {"first_name": "K", "last_name": "Reader"})
path = "/api/v1/clients/" + client["id"]
answered, lock = [], threading.Lock()
def reader(n):
    i = 0
    while True:
        i += 1
        rid = f"kill-{n}-{i}"
        try:
            status, _ = call("GET", path, token, rid=rid)
        except Exception:
            return
        if status == 200:
            with lock:
                answered.append(rid)
                with open(out, "a") as f:
                    f.write(rid + "\n")
threads = [threading.Thread(target=reader, args=(n,)) for n in range(16)]
for t in threads: t.start()
for t in threads: t.join()
PY
  local load=$!
  sleep 2
  kill -9 "$SERVER_PID"
  wait "$SERVER_PID" 2>/dev/null || true
  SERVER_PID=""
  wait "$load" || true
  [ -s "$WORK/answered.$store" ] || fail "no read was answered ($store)"
  local answered missing
  answered=$(wc -l <"$WORK/answered.$store")
  case "$store" in
    sqlite)
      missing=$(python3 - "$WORK/mend.db" "$WORK/answered.$store" <<'PY'
import sqlite3, sys
db = sqlite3.connect(sys.argv[1])
have = {r[0] for r in db.execute("SELECT request_id FROM audit_events WHERE action = 'read'")}
print(sum(1 for rid in open(sys.argv[2]).read().split() if rid not in have))
PY
) ;;
    postgres)
      psql "$DATABASE_URL" -Atc "SELECT request_id FROM audit_events WHERE action = 'read'" | sort -u >"$WORK/have.$store"
      missing=$(sort -u "$WORK/answered.$store" | comm -23 - "$WORK/have.$store" | wc -l) ;;
  esac
  echo "audit kill ($store): $answered reads answered 200 before SIGKILL, $missing without their event"
  [ "$missing" = "0" ] || fail "answered reads lost their audit events ($store)"
}

run_store sqlite
if [ -n "${PG_BASE:-}" ]; then run_store postgres; fi
echo "audit kill test: passed"
