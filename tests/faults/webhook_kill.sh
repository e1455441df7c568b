#!/usr/bin/env bash
# Webhooks across instances and faults, on PostgreSQL. Two `mend serve` on one database; a burst
# of 200 events (client.created, made through both) to two webhooks whose receiver is on
# 127.0.0.1 (tests/faults/webhook_kill_receiver.py); mid-burst, the instance holding a delivery in
# flight is SIGKILLed. Then:
# - every event in the outbox arrives at each webhook (at least once; a duplicate only with the
#   same webhook-id and the same body), and nothing else does;
# - every delivery verifies with the Standard Webhooks reference library (PyPI standardwebhooks);
#   one webhook's secret is rotated mid-burst, and each event made after the rotation verifies
#   with the old secret and with the new one;
# - payloads hold ids only; every client answered 201 has its event.
# Then SIGTERM on the survivor while it holds a delivery in flight: it exits having finished and
# recorded that delivery, and leaves no claim behind (a new instance sends the rest at once, with
# no lease to wait for).
# Usage: tests/faults/webhook_kill.sh PATH_TO_MEND_BINARY   (PG_BASE defaults to postgres://postgres@127.0.0.1:5432)
set -euo pipefail
BIN=${1:?path to the mend binary}
PG_BASE=${PG_BASE:-postgres://postgres@127.0.0.1:5432}
VENV=${MEND_VENV:-$HOME/.cache/mend-venv}
PORT_A=${FAULT_PORT:-18096}
PORT_B=$((PORT_A + 1))
RX_PORT=$((PORT_A + 2))
HERE=$(cd "$(dirname "$0")" && pwd)
WORK=$(mktemp -d)
PG_DB="mend_webhook_kill_$$"
PID_a="" PID_b="" PID_c="" RX_PID="" LOAD_PID=""
started=$(date +%s)
cleanup() {
  for p in "$PID_a" "$PID_b" "$PID_c" "$RX_PID" "$LOAD_PID"; do
    [ -n "$p" ] && { kill -9 "$p" 2>/dev/null; wait "$p" 2>/dev/null; } || true
  done
  psql "$PG_BASE/postgres" -qc "DROP DATABASE IF EXISTS $PG_DB" >/dev/null 2>&1 || true
  rm -rf "$WORK"
}
trap cleanup EXIT
fail() {
  echo "WEBHOOK KILL TEST FAILED: $*"
  for f in "$WORK"/a.log "$WORK"/b.log "$WORK"/c.log "$WORK"/receiver.log; do
    [ -f "$f" ] && { echo "--- $(basename "$f")"; tail -n 15 "$f"; }
  done
  exit 1
}
say() { echo "webhook kill ($(( $(date +%s) - started ))s): $*"; }

if ! "$VENV/bin/python" -c 'import standardwebhooks' 2>/dev/null; then
  [ -x "$VENV/bin/pip" ] || python3 -m venv "$VENV"
  "$VENV/bin/pip" install -q 'standardwebhooks>=1.1,<2'
fi
PY="$VENV/bin/python"

psql "$PG_BASE/postgres" -qc "CREATE DATABASE $PG_DB" >/dev/null
export DATABASE_URL="$PG_BASE/$PG_DB"
export MEND_JWT_SECRET="webhook-kill-secret-0123456789abcdef012" MEND_ADMIN_PASSWORD="webhook kill password"
export MEND_AUDIT_KEY="ZmF1bHQtdGVzdC1hdWRpdC1rZXktc2VlZC0wMTIzNDU="
export MEND_LOGIN_LIMIT_PER_IP=0 MEND_WEBHOOK_ALLOW_INSECURE=1 MEND_WEBHOOK_RETRY_BASE_MS=500
export MEND_LOG="warn,mend::webhooks=info" MEND_LOG_FORMAT=json
sql() { psql "$DATABASE_URL" -Atc "$1"; }
NOW="(now() AT TIME ZONE 'UTC')"

"$BIN" create-admin --practice "Webhook kill" --email admin@webhook-kill.example.org >/dev/null
"$PY" "$HERE/webhook_kill_receiver.py" "$WORK" "$RX_PORT" >"$WORK/receiver.log" 2>&1 &
RX_PID=$!

# start NAME PORT: a `mend serve` whose pid is PID_<NAME> and whose worker id is WORKER_<NAME>.
start() {
  local name=$1 port=$2
  MEND_ADDR="127.0.0.1:$port" "$BIN" serve >>"$WORK/$name.log" 2>&1 &
  printf -v "PID_$name" '%s' "$!"
  for _ in $(seq 1 100); do curl -sf "http://127.0.0.1:$port/healthz" >/dev/null && break; sleep 0.1; done
  curl -sf "http://127.0.0.1:$port/healthz" >/dev/null || fail "instance $name did not start"
  local id=""
  for _ in $(seq 1 50); do
    id=$(grep -o '"worker":"[^"]*"' "$WORK/$name.log" | tail -n 1 | cut -d'"' -f4 || true)
    [ -n "$id" ] && break
    sleep 0.1
  done
  [ -n "$id" ] || fail "instance $name did not start its webhook worker"
  printf -v "WORKER_$name" '%s' "$id"
}
start a "$PORT_A"
start b "$PORT_B"
[ -f "$WORK/receiver.ready" ] || sleep 1
[ -f "$WORK/receiver.ready" ] || fail "the receiver did not start"

# An admin's token (valid on both instances) and two webhooks, /a and /b; their secrets go to
# the receiver.
"$PY" - "http://127.0.0.1:$PORT_A" "http://127.0.0.1:$RX_PORT" "$WORK" <<'PY'
import json, sys, urllib.request
api, rx, work = sys.argv[1:4]
def call(method, path, token=None, body=None):
    req = urllib.request.Request(api + path, method=method, data=json.dumps(body).encode())
    req.add_header("content-type", "application/json")
    if token: req.add_header("authorization", "Bearer " + token)
    with urllib.request.urlopen(req, timeout=10) as r:
        return json.loads(r.read())
token = call("POST", "/api/v1/auth/login", body={"email": "admin@webhook-kill.example.org", "password": "webhook kill password"})["access_token"]
secrets, hooks = {}, {}
for name in ("a", "b"):
    w = call("POST", "/api/v1/webhooks", token, {"url": f"{rx}/{name}", "event_types": ["client.created"]})
    secrets["/" + name], hooks[name] = [w["secret"]], w["id"]
json.dump(secrets, open(f"{work}/secrets.json", "w"))
open(f"{work}/token", "w").write(token)
open(f"{work}/hooks", "w").write(f"{hooks['a']} {hooks['b']}\n")
PY
TOKEN=$(cat "$WORK/token")
read -r HOOK_A HOOK_B <"$WORK/hooks"

# The burst: 200 clients made through both instances (4 writers, paced over a few seconds so the
# kill lands in the middle); a writer whose instance is gone carries on with the other.
"$PY" - "http://127.0.0.1:$PORT_A" "http://127.0.0.1:$PORT_B" "$TOKEN" "$WORK/created" <<'PY' &
import json, sys, threading, time, urllib.request
targets, token, out = list(sys.argv[1:3]), sys.argv[3], sys.argv[4]
lock, dead = threading.Lock(), set()
def create(base, n):
    body = {"first_name": "Kill-Marker", "last_name": f"Burst {n}", "email": f"burst{n}@kill-marker.example.org"}
    req = urllib.request.Request(base + "/api/v1/clients", method="POST", data=json.dumps(body).encode())
    req.add_header("content-type", "application/json")
    req.add_header("authorization", "Bearer " + token)
    with urllib.request.urlopen(req, timeout=10) as r:
        return json.loads(r.read())["id"]
def writer(t):
    for i in range(50):
        n = t * 50 + i
        for attempt in range(4):
            live = [b for b in targets if b not in dead] or targets
            base = live[(n + attempt) % len(live)]
            try:
                cid = create(base, n)
            except Exception:
                dead.add(base)
                continue
            with lock, open(out, "a") as f:
                f.write(cid + "\n")
            break
        time.sleep(0.03)
threads = [threading.Thread(target=writer, args=(t,)) for t in range(4)]
for t in threads: t.start()
for t in threads: t.join()
PY
LOAD_PID=$!

# Mid-burst: slow the receiver so a claim stays in flight, find who holds one, SIGKILL it.
for _ in $(seq 1 200); do [ "$(cat "$WORK/created" 2>/dev/null | wc -l)" -ge 60 ] && break; sleep 0.05; done
touch "$WORK/slow"
holder=""
for _ in $(seq 1 200); do
  holder=$(sql "SELECT claimed_by FROM webhook_deliveries WHERE status = 'pending' AND claimed_until > $NOW LIMIT 1")
  [ -n "$holder" ] && break
  sleep 0.05
done
[ -n "$holder" ] || fail "no delivery was in flight mid-burst"
case "$holder" in
  "$WORKER_a") victim=a survivor=b; kill -9 "$PID_a"; wait "$PID_a" 2>/dev/null || true; PID_a="" ;;
  "$WORKER_b") victim=b survivor=a; kill -9 "$PID_b"; wait "$PID_b" 2>/dev/null || true; PID_b="" ;;
  *) fail "a claim by an unknown worker $holder" ;;
esac
rm -f "$WORK/slow"
made=$(wc -l <"$WORK/created")
stranded=$(sql "SELECT count(*) FROM webhook_deliveries WHERE status = 'pending' AND claimed_by = '$holder' AND claimed_until > $NOW")
say "SIGKILLed instance $victim after $made of 200 events, holding $stranded delivery claim(s)"
[ "$stranded" -ge 1 ] || fail "the SIGKILLed instance held no claim"
SURVIVOR_PORT=$([ "$survivor" = a ] && echo "$PORT_A" || echo "$PORT_B")
SURVIVOR_URL="http://127.0.0.1:$SURVIVOR_PORT"

# Rotate webhook /a's secret through the survivor, mid-burst; the receiver learns the new one.
new_secret=$(curl -sf -X POST "$SURVIVOR_URL/api/v1/webhooks/$HOOK_A/rotate-secret" -H "authorization: Bearer $TOKEN" \
  -H 'content-type: application/json' -d '{}' | "$PY" -c 'import json,sys; print(json.load(sys.stdin)["secret"])') \
  || fail "rotate-secret failed"
"$PY" - "$WORK/secrets.json" "$new_secret" <<'PY'
import json, sys
s = json.load(open(sys.argv[1])); s["/a"].append(sys.argv[2]); json.dump(s, open(sys.argv[1], "w"))
PY
wait "$LOAD_PID" || true
LOAD_PID=""
# Five more after the rotation, so the two-secret check never runs on nothing.
for i in 1 2 3 4 5; do
  curl -sf -X POST "$SURVIVOR_URL/api/v1/clients" -H "authorization: Bearer $TOKEN" -H 'content-type: application/json' \
    -d "{\"first_name\":\"Kill-Marker\",\"last_name\":\"After $i\"}" | "$PY" -c 'import json,sys; print(json.load(sys.stdin)["id"])' \
    >>"$WORK/created" || fail "a write after the rotation failed"
done
say "$(wc -l <"$WORK/created") clients answered 201 ($(sql "SELECT count(*) FROM webhook_events") events in the outbox)"

# check.py: every event of the outbox arrived at both webhooks, verified, ids only.
cat >"$WORK/check.py" <<'PY'
import collections, datetime, json, os, sys
from standardwebhooks.webhooks import Webhook
work, mode = sys.argv[1], sys.argv[2]
events = set(open(f"{work}/events").read().split())
after = set(open(f"{work}/after").read().split())
rows = [json.loads(l) for l in open(f"{work}/deliveries.jsonl")] if os.path.exists(f"{work}/deliveries.jsonl") else []
secrets_a = json.load(open(f"{work}/secrets.json"))["/a"]
def signed_by_both(r):
    """Each of the old and the new secret of /a signs it (the library's own signing, so the
    check does not depend on the clock or on when the receiver learnt the new secret)."""
    h = r["headers"]
    at = datetime.datetime.fromtimestamp(int(h["webhook-timestamp"]), tz=datetime.timezone.utc)
    entries = h["webhook-signature"].split(" ")
    return len(secrets_a) == 2 and all(Webhook(s).sign(h["webhook-id"], at, r["body"]) in entries for s in secrets_a)
seen = collections.defaultdict(list)
for r in rows:
    seen[(r["path"], r["headers"]["webhook-id"])].append(r)
missing = {p: len(events - {i for (q, i) in seen if q == p}) for p in ("/a", "/b")}
bad = os.path.exists(f"{work}/bad.jsonl") and os.path.getsize(f"{work}/bad.jsonl") > 0
if mode == "wait":
    # Done waiting when all arrived, or at once on a bad signature (the final check reports it).
    sys.exit(0 if bad or not any(missing.values()) else 1)
problems = []
if bad:
    problems.append(f"{sum(1 for _ in open(work + '/bad.jsonl'))} deliveries no secret verified")
for p, n in missing.items():
    if n: problems.append(f"{n} events never arrived at {p}")
stray = {i for (_, i) in seen} - events
if stray: problems.append(f"{len(stray)} deliveries of no event in the outbox")
dups = 0
for (p, i), rs in seen.items():
    dups += len(rs) - 1
    if len({r["body"] for r in rs}) != 1: problems.append(f"{p} {i}: one webhook-id, different bodies")
    for r in rs:
        body = json.loads(r["body"])
        if body["type"] != "client.created" or set(body["data"]) != {"practice_id", "id"}:
            problems.append(f"unexpected payload {r['body']}")
        if "Kill-Marker" in r["body"] or "example.org" in r["body"]:
            problems.append(f"a name or email in a payload: {r['body']}")
        if p == "/a" and i in after and not signed_by_both(r):
            problems.append(f"{i} was made after the rotation but is not signed with both secrets")
created = set(open(f"{work}/created").read().split())
data_ids = {json.loads(rs[0]["body"])["data"]["id"] for rs in seen.values()}
if created - data_ids: problems.append(f"{len(created - data_ids)} clients answered 201 without their event")
both = sum(1 for (p, i), rs in seen.items() if p == "/a" and i in after and signed_by_both(rs[0]))
print(f"{len(events)} events, {len(rows)} deliveries to 2 webhooks, {dups} duplicates (same webhook-id and body), "
      f"{both} events after the rotation verified with both secrets")
if not both: problems.append("no event after the rotation was checked against both secrets")
if problems:
    print("\n".join(problems[:20])); sys.exit(1)
PY
collect() {
  sql "SELECT id FROM webhook_events" >"$WORK/events"
  sql "SELECT id FROM webhook_events WHERE created_at > (SELECT updated_at FROM webhooks WHERE id = '$HOOK_A')" >"$WORK/after"
}
# wait_all SECONDS: until every event of the outbox arrived at both webhooks.
wait_all() {
  local deadline=$(( $(date +%s) + $1 ))
  while [ "$(date +%s)" -lt "$deadline" ]; do
    collect
    "$PY" "$WORK/check.py" "$WORK" wait && return 0
    sleep 0.5
  done
  return 1
}
# The stranded claim waits for its lease (30 s) before the survivor sends it again.
wait_all 120 || { "$PY" "$WORK/check.py" "$WORK" final || true; fail "not every event arrived after the SIGKILL"; }
result=$("$PY" "$WORK/check.py" "$WORK" final) || fail "$result"
say "every event arrived after the SIGKILL: $result"
by=$(sql "SELECT claimed_by, count(*) FROM webhook_deliveries WHERE status = 'succeeded' GROUP BY claimed_by" \
  | sed -e "s/^$WORKER_a|/a: /" -e "s/^$WORKER_b|/b: /" | tr '\n' ' ')
say "deliveries recorded by instance: $by"

# SIGTERM with a delivery in flight: finished and recorded, no claim left.
touch "$WORK/slow"
survivor_pid_var="PID_$survivor" survivor_worker_var="WORKER_$survivor"
survivor_pid=${!survivor_pid_var} survivor_worker=${!survivor_worker_var}
for i in 1 2 3; do
  curl -sf -o /dev/null -X POST "$SURVIVOR_URL/api/v1/clients" -H "authorization: Bearer $TOKEN" \
    -H 'content-type: application/json' -d "{\"first_name\":\"Kill-Marker\",\"last_name\":\"Term $i\"}" || fail "a write before SIGTERM failed"
done
claims=""
for _ in $(seq 1 100); do
  claims=$(sql "SELECT id FROM webhook_deliveries WHERE status = 'pending' AND claimed_by = '$survivor_worker' AND claimed_until > $NOW" | tr '\n' ' ')
  [ -n "${claims// /}" ] && break
  sleep 0.05
done
[ -n "${claims// /}" ] || fail "no delivery in flight before SIGTERM"
term_at=$(date +%s%N)
kill -TERM "$survivor_pid"
code=0
timeout 30 tail --pid="$survivor_pid" -f /dev/null || fail "instance $survivor did not stop within 30 s of SIGTERM"
wait "$survivor_pid" 2>/dev/null || code=$?
printf -v "PID_$survivor" '%s' ""
took_ms=$(( ($(date +%s%N) - term_at) / 1000000 ))
[ "$code" = "0" ] || fail "instance $survivor exited with $code after SIGTERM"
rm -f "$WORK/slow"
for id in $claims; do
  state=$(sql "SELECT status || ' ' || coalesce(status_code::text, '-') || ' ' || (claimed_until IS NULL)::text FROM webhook_deliveries WHERE id = '$id'")
  [ "$state" = "succeeded 200 true" ] || fail "delivery $id claimed before SIGTERM ended as: $state"
done
left=$(sql "SELECT count(*) FROM webhook_deliveries WHERE status = 'pending' AND claimed_until > $NOW")
[ "$left" = "0" ] || fail "$left claims left behind after SIGTERM"
say "SIGTERM: stopped in ${took_ms} ms, finished and recorded its $(echo $claims | wc -w) delivery(ies) in flight, no claim left"

# A fresh instance sends what is left at once: well within the 30 s lease.
start c "$PORT_A"
wait_all 10 || fail "the deliveries left at SIGTERM were not sent within 10 s by a new instance"
result=$("$PY" "$WORK/check.py" "$WORK" final) || fail "$result"
kill -TERM "$PID_c"; wait "$PID_c" 2>/dev/null || true; PID_c=""
say "passed: $result"
