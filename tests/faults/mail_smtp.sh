#!/usr/bin/env bash
# Mail over real SMTP: `mend serve` (SQLite) with MEND_MAIL_URL=smtp://127.0.0.1:PORT and an SMTP
# sink on 127.0.0.1 (Python's aiosmtpd, tests/faults/mail_smtp_sink.py). An admin invites a
# counselor while the sink is down: the answer is 201 {delivery: "email"} with no token, and the
# send fails and is retried (logged by message id, never by address). Then a slow sink (2 s per
# message) comes up: the invitation arrives over SMTP, from MEND_MAIL_FROM to the invitee, with
# plain text and HTML, and its one link ({MEND_PUBLIC_URL}/app?invite=TOKEN) sets the password.
# A password reset follows the same way (/app?reset=TOKEN) and ends the earlier login. The
# server's log never holds the invitee's address or a token.
# Usage: tests/faults/mail_smtp.sh PATH_TO_MEND_BINARY
set -euo pipefail
BIN=${1:?path to the mend binary}
VENV=${MEND_VENV:-$HOME/.cache/mend-venv}
PORT=${FAULT_PORT:-18110}
SMTP_PORT=$((PORT + 1))
HERE=$(cd "$(dirname "$0")" && pwd)
WORK=$(mktemp -d)
PID="" SINK=""
started=$(date +%s)
cleanup() {
  for p in "$PID" "$SINK"; do
    [ -n "$p" ] && { kill "$p" 2>/dev/null; wait "$p" 2>/dev/null; } || true
  done
  rm -rf "$WORK"
}
trap cleanup EXIT
fail() {
  echo "MAIL SMTP TEST FAILED: $*"
  for f in "$WORK"/mend.log "$WORK"/sink.log; do [ -f "$f" ] && { echo "--- $(basename "$f")"; tail -n 20 "$f"; }; done
  exit 1
}
say() { echo "mail smtp ($(( $(date +%s) - started ))s): $*"; }

if ! "$VENV/bin/python" -c 'import aiosmtpd' 2>/dev/null; then
  [ -x "$VENV/bin/pip" ] || python3 -m venv "$VENV"
  "$VENV/bin/pip" install -q 'aiosmtpd>=1.4,<2'
fi
PY="$VENV/bin/python"

export DATABASE_URL="sqlite://$WORK/data/mend.db"
export MEND_ADMIN_PASSWORD="mail smtp admin password"
export MEND_MAIL_URL="smtp://127.0.0.1:$SMTP_PORT" MEND_MAIL_FROM="Mend <no-reply@mend.test>"
export MEND_PUBLIC_URL="https://mend.test" MEND_MAIL_RETRY_BASE_MS=500 MEND_LOGIN_LIMIT_PER_IP=0
export MEND_LOG="info" MEND_LOG_FORMAT=json MEND_ADDR="127.0.0.1:$PORT"
API="http://127.0.0.1:$PORT/api/v1"
INVITEE="invitee-$$@example.org"

"$BIN" create-admin --practice "Mail SMTP" --email admin@mail-smtp.example.org >/dev/null
"$BIN" serve >"$WORK/mend.log" 2>&1 &
PID=$!
for _ in $(seq 1 100); do curl -sf "http://127.0.0.1:$PORT/healthz" >/dev/null && break; sleep 0.1; done
curl -sf "http://127.0.0.1:$PORT/healthz" >/dev/null || fail "mend did not start"
grep -q "mail is on" "$WORK/mend.log" || fail "the start-up log does not say mail is on"

post() { curl -s -o "$WORK/body" -w '%{http_code}' -H 'content-type: application/json' "${@:3}" -d "$2" "$API$1"; }
json() { "$PY" -c "import json,sys; print(json.load(open('$WORK/body'))$1)"; }

[ "$(post /auth/login "{\"email\":\"admin@mail-smtp.example.org\",\"password\":\"$MEND_ADMIN_PASSWORD\"}")" = 200 ] || fail "admin login"
ADMIN=$(json "['access_token']")

# The sink is down: the invite is answered at once, and its mail waits for a retry.
code=$(post /users "{\"email\":\"$INVITEE\",\"display_name\":\"Invitee\",\"role\":\"counselor\"}" -H "authorization: Bearer $ADMIN")
[ "$code" = 201 ] || fail "POST /users answered $code: $(cat "$WORK/body")"
[ "$(json "['delivery']")" = email ] || fail "delivery is not email: $(cat "$WORK/body")"
json ".get('invite_token')" | grep -qx None || fail "the answer carries a token"
for _ in $(seq 1 50); do grep -q "it will be retried" "$WORK/mend.log" && break; sleep 0.1; done
grep -q "it will be retried" "$WORK/mend.log" || fail "no failed send was logged"
grep "it will be retried" "$WORK/mend.log" | head -n 1 | grep -q '"message":"[0-9a-f-]\{36\}"' \
  || fail "the failed send is not logged by message id"
say "the sink is down: the send failed and will be retried"

# A slow sink comes up: the retry delivers the invitation over SMTP.
"$PY" "$HERE/mail_smtp_sink.py" "$WORK/inbox" "$SMTP_PORT" 2 >"$WORK/sink.log" 2>&1 &
SINK=$!
for _ in $(seq 1 200); do [ -f "$WORK/inbox/1.eml" ] && break; sleep 0.1; done
[ -f "$WORK/inbox/1.eml" ] || fail "no message reached the sink within 20 s"
grep -qx "no-reply@mend.test" <(head -n 1 "$WORK/inbox/1.env") || fail "wrong envelope sender: $(cat "$WORK/inbox/1.env")"
grep -qx "$INVITEE" <(sed -n 2p "$WORK/inbox/1.env") || fail "wrong envelope recipient: $(cat "$WORK/inbox/1.env")"
link() {
  "$PY" - "$1" <<'PY'
import email, email.policy, re, sys
msg = email.message_from_bytes(open(sys.argv[1], "rb").read(), policy=email.policy.default)
plain = msg.get_body(("plain",)).get_content()
html = msg.get_body(("html",)).get_content()
links = re.findall(r"https://mend\.test/\S+", plain)
assert len(links) == 1, links
assert links[0].replace("&", "&amp;") in html, "the HTML part carries the same link"
assert "Invitee" not in plain and "Invitee" not in html, "no name in the mail"
print(links[0])
PY
}
LINK=$(link "$WORK/inbox/1.eml") || fail "the message is not as expected"
case "$LINK" in https://mend.test/app\?invite=*) ;; *) fail "unexpected link $LINK" ;; esac
TOKEN=${LINK#*invite=}
say "the invitation arrived over SMTP with its link"

[ "$(post /auth/accept-invite "{\"token\":\"$TOKEN\",\"password\":\"the invitee's own password\"}")" = 200 ] || fail "the mailed link did not set the password: $(cat "$WORK/body")"
EARLIER=$(json "['access_token']")
say "the link set the password"

# A reset: 202, mailed over SMTP, and it ends the earlier login.
[ "$(post /auth/forgot-password "{\"email\":\"$INVITEE\"}")" = 202 ] || fail "forgot-password"
for _ in $(seq 1 100); do [ -f "$WORK/inbox/2.eml" ] && break; sleep 0.1; done
[ -f "$WORK/inbox/2.eml" ] || fail "no reset mail within 10 s"
LINK=$(link "$WORK/inbox/2.eml") || fail "the reset message is not as expected"
case "$LINK" in https://mend.test/app\?reset=*) ;; *) fail "unexpected reset link $LINK" ;; esac
[ "$(post /auth/reset-password "{\"token\":\"${LINK#*reset=}\",\"password\":\"a reset password, long\"}")" = 204 ] || fail "reset-password"
code=$(curl -s -o /dev/null -w '%{http_code}' -H "authorization: Bearer $EARLIER" "$API/me")
[ "$code" = 401 ] || fail "the earlier login still works after the reset ($code)"
say "the reset link set the password and ended the earlier login"

grep -q "$INVITEE" "$WORK/mend.log" && fail "the server's log holds the invitee's address"
grep -q "$TOKEN" "$WORK/mend.log" && fail "the server's log holds the invite token"
say "ok"
