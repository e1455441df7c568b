#!/usr/bin/env bash
# The staff screen (/app) in a real browser: headless Chromium driven by Selenium, axe-core on
# every screen, screenshots at 768 px and 1280 px (see browser.py for what it checks). Starts a
# real `mend serve` on a fresh SQLite file and seeds it through the API; browser.py, then every
# walk_*.py beside it. It shares the portal
# test's browser helpers (tests/portal_page/browser.py) and what that test installs when missing:
# Debian's chromium and chromium-driver (apt-get), selenium into ~/.cache/mend-venv, axe-core
# into ~/.cache/mend-axe (npm).
# Usage: tests/app_page/run.sh PATH_TO_MEND_BINARY [SCREENSHOT_DIR]
# The screenshots go to SCREENSHOT_DIR (default: a new /tmp/mend-app-shots.* directory); the path
# is printed at the end. Nothing is written into the repository.
set -euo pipefail
BIN=$(realpath "${1:?path to the mend binary}")
OUT=${2:-$(mktemp -d /tmp/mend-app-shots.XXXXXX)}
PORT=${APP_PORT:-18094}
VENV=${MEND_VENV:-$HOME/.cache/mend-venv}
AXE=${MEND_AXE_DIR:-$HOME/.cache/mend-axe}
HERE=$(cd "$(dirname "$0")" && pwd)
WORK=$(mktemp -d)
SERVER_PID=""
cleanup() { [ -n "$SERVER_PID" ] && kill "$SERVER_PID" 2>/dev/null || true; rm -rf "$WORK"; }
trap cleanup EXIT

if ! command -v chromium >/dev/null || [ ! -x /usr/bin/chromedriver ]; then
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium chromium-driver >/dev/null
fi
[ -x "$VENV/bin/python" ] || python3 -m venv "$VENV"
"$VENV/bin/python" -c 'import selenium' 2>/dev/null || "$VENV/bin/pip" install -q 'selenium>=4.20,<5'
if [ ! -f "$AXE/node_modules/axe-core/axe.min.js" ]; then
  mkdir -p "$AXE"
  npm install --silent --no-audit --no-fund --prefix "$AXE" 'axe-core@4'
fi

export DATABASE_URL="sqlite://$WORK/mend.db" MEND_JWT_SECRET="app-page-secret-0123456789abcdef0123" MEND_ADDR="127.0.0.1:$PORT"
export MEND_ADMIN_PASSWORD="app page admin password" MEND_LOGIN_LIMIT_PER_IP=0 MEND_LOG=warn
URL="http://127.0.0.1:$PORT"
"$BIN" create-admin --practice "Riverside Counseling" --email admin@app.test >/dev/null
"$BIN" serve >"$WORK/server.log" 2>&1 &
SERVER_PID=$!
for _ in $(seq 1 50); do curl -sf "$URL/healthz" >/dev/null && break; sleep 0.2; done
curl -sf "$URL/healthz" >/dev/null || { echo "server did not start"; cat "$WORK/server.log"; exit 1; }

# browser.py is the first walk (part one: the day); each tests/app_page/walk_*.py is one more,
# on the same server and practice, with the same arguments, each seeding its own people.
status=0
for walk in "$HERE/browser.py" "$HERE"/walk_*.py; do
  [ -f "$walk" ] || continue
  echo "-- $(basename "$walk")"
  rm -rf "$WORK/chrome-profile"
  SE_AVOID_STATS=true PORTAL_PROFILE="$WORK/chrome-profile" "$VENV/bin/python" "$walk" \
    --url "$URL" --admin-email admin@app.test --admin-password "$MEND_ADMIN_PASSWORD" \
    --axe "$AXE/node_modules/axe-core/axe.min.js" --out "$OUT" || status=1
done
kill -0 "$SERVER_PID" || { echo "server died"; status=1; }
if grep -q "panicked" "$WORK/server.log"; then echo "server panicked"; status=1; fi
echo "staff screen screenshots: $OUT"
exit $status
