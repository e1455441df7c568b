#!/usr/bin/env bash
# The embedded store under concurrency: the assigned counselor's audited GET /api/v1/clients/{id}
# on SQLite, wrk closed loop at N connections (default 32, issue 13's measurement), with wrk's
# latency distribution. Also GET /healthz at the same concurrency (the HTTP ceiling) and, after the
# run, a count of the run's audit events against wrk's answered requests.
#   bash tests/bench/sqlite.sh [--debug-build | --bin PATH] [--connections N] [--duration S]
# Prints a Markdown table; needs wrk and sqlite3 (installed if missing).
set -euo pipefail
cd "$(dirname "$0")/../.."
export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-$HOME/.cache/mend-target}"
profile=release conns=32 secs=20 BIN=""
while [ $# -gt 0 ]; do
  case "$1" in
    --debug-build) profile=debug ;;
    --bin) BIN=$2; profile=given; shift ;;
    --connections) conns=$2; shift ;;
    --duration) secs=$2; shift ;;
    *) echo "unknown option $1"; exit 2 ;;
  esac
  shift
done
for tool in wrk sqlite3; do
  command -v "$tool" >/dev/null || { apt-get update -qq && apt-get install -y -qq wrk sqlite3 >/dev/null; }
done
case "$profile" in
  release) cargo build --release --quiet; BIN="$CARGO_TARGET_DIR/release/mend" ;;
  debug) cargo build --quiet; BIN="$CARGO_TARGET_DIR/debug/mend" ;;
esac

PORT=${BENCH_SQLITE_PORT:-18105}
WORK=$(mktemp -d)
SERVER_PID=""
cleanup() { [ -n "$SERVER_PID" ] && kill "$SERVER_PID" 2>/dev/null || true; rm -rf "$WORK"; }
trap cleanup EXIT
export DATABASE_URL="sqlite://$WORK/mend.db" MEND_JWT_SECRET="bench-sqlite-secret-0123456789abcdef0123" MEND_ADDR="127.0.0.1:$PORT"
export MEND_ADMIN_PASSWORD="bench admin password" MEND_LOGIN_LIMIT_PER_IP=0 MEND_LOG=warn
URL="http://127.0.0.1:$PORT"
"$BIN" create-admin --practice "Bench" --email admin@bench.example.org >/dev/null
"$BIN" serve >"$WORK/server.log" 2>&1 &
SERVER_PID=$!
for _ in $(seq 1 50); do curl -sf "$URL/healthz" >/dev/null && break; sleep 0.2; done

json() { python3 -c "import json,sys; print(json.load(sys.stdin)$1)"; }
login() { curl -sf -X POST "$URL/api/v1/auth/login" -H 'content-type: application/json' -d "{\"email\":\"$1\",\"password\":\"$2\"}" | json '["access_token"]'; }
ADMIN=$(login admin@bench.example.org "$MEND_ADMIN_PASSWORD")
invite=$(curl -sf -X POST "$URL/api/v1/users" -H "authorization: Bearer $ADMIN" -H 'content-type: application/json' \
  -d '{"email":"counselor@bench.example.org","display_name":"Counselor","role":"counselor"}' | json '["invite_token"]')
COUNSELOR=$(curl -sf -X POST "$URL/api/v1/auth/accept-invite" -H 'content-type: application/json' \
  -d "{\"token\":\"$invite\",\"password\":\"bench counselor password\"}" | json '["access_token"]')
client_id=$(curl -sf -X POST "$URL/api/v1/clients" -H "authorization: Bearer $COUNSELOR" -H 'content-type: application/json' \
  -d '{"first_name":"Bench","last_name":"Client"}' | json '["id"]')
curl -sf "$URL/api/v1/clients/$client_id" -H "authorization: Bearer $COUNSELOR" >/dev/null

events() { sqlite3 "$WORK/mend.db" "SELECT count(*) FROM audit_events WHERE resource_id = '$client_id' AND action = 'read'"; }
cat >"$WORK/auth.lua" <<EOF
wrk.headers["authorization"] = "Bearer $COUNSELOR"
EOF
row() { # name, wrk output
  python3 - "$1" "$2" <<'EOF'
import re, sys
name, out = sys.argv[1], sys.argv[2]
rps = float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1))
def ms(label):
    m = re.search(rf"^\s+{label}%?\s+([\d.]+)(us|ms|s)\b", out, re.M)
    v = float(m.group(1)); return {"us": v / 1000, "ms": v, "s": v * 1000}[m.group(2)]
non2xx = re.search(r"Non-2xx or 3xx responses: (\d+)", out)
print(f"| {name} | {rps:.0f} | {ms('50'):.2f} | {ms('99'):.2f} | {non2xx.group(1) if non2xx else 0} |")
EOF
}
echo "bench (SQLite): $conns connections, ${secs}s each, $profile build, load average $(cut -d' ' -f1-3 /proc/loadavg)"
echo
echo "| scenario (SQLite) | req/s | p50 ms | p99 ms | non-2xx |"
echo "|---|---:|---:|---:|---:|"
out=$(wrk -t2 -c"$conns" -d"${secs}s" --latency "$URL/healthz")
row "GET /healthz" "$out"
before=$(events)
out=$(wrk -t2 -c"$conns" -d"${secs}s" --latency -s "$WORK/auth.lua" "$URL/api/v1/clients/$client_id")
row "a. counselor reads a client (audited)" "$out"
after=$(events)
answered=$(python3 -c "import re,sys; print(re.search(r'(\d+) requests in', sys.argv[1]).group(1))" "$out")
echo
echo "audit events written during the run: $((after - before)); requests wrk counted as completed: $answered"
echo "(wrk stops counting at the deadline, so a few answered requests may be missing from its count, never the reverse)"
[ $((after - before)) -ge "$answered" ] || { echo "FAIL: fewer audit events than answered reads"; exit 1; }
