#!/usr/bin/env bash
# Outside validation of the FHIR R4 API: a real `mend serve` on SQLite, a couple made through
# the JSON API (sessions in person, by telehealth and by phone, milestones, activities, assessments,
# releases), then every /fhir/R4 path fetched and each resource, each Bundle entry and each
# OperationOutcome validated with fhir.resources (R4B models), and every reference in the
# couple's $everything Bundle resolved within it (validate.py). Fails on any invalid resource.
# Usage: tests/fhir/run.sh PATH_TO_MEND_BINARY
set -euo pipefail
BIN=${1:?path to the mend binary}
PORT=${FHIR_PORT:-18093}
VENV=${MEND_VENV:-$HOME/.cache/mend-venv}
WORK=$(mktemp -d)
SERVER_PID=""
cleanup() { [ -n "$SERVER_PID" ] && kill "$SERVER_PID" 2>/dev/null || true; rm -rf "$WORK"; }
trap cleanup EXIT

[ -x "$VENV/bin/python" ] || python3 -m venv "$VENV"
if ! "$VENV/bin/python" -c 'import fhir.resources, sys; sys.exit(0 if fhir.resources.__version__.startswith("8.") else 1)' 2>/dev/null; then
  "$VENV/bin/pip" install -q 'fhir.resources>=8,<9'
fi

export DATABASE_URL="sqlite://$WORK/mend.db" MEND_JWT_SECRET="fhir-validation-secret-0123456789abcdef" MEND_ADDR="127.0.0.1:$PORT"
export MEND_ADMIN_PASSWORD="fhir validation admin password" MEND_LOGIN_LIMIT_PER_IP=0 MEND_LOG=warn
"$BIN" create-admin --practice "FHIR check" --email admin@fhir.example.org >/dev/null
"$BIN" serve >"$WORK/server.log" 2>&1 &
SERVER_PID=$!
for _ in $(seq 1 50); do curl -sf "http://127.0.0.1:$PORT/healthz" >/dev/null && break; sleep 0.2; done

status=0
MEND_URL="http://127.0.0.1:$PORT" "$VENV/bin/python" "$(dirname "$0")/validate.py" || status=1
kill -0 "$SERVER_PID" || { echo "server died"; status=1; }
if grep -q "panicked" "$WORK/server.log"; then echo "server panicked"; status=1; fi
exit $status
