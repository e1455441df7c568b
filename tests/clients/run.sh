#!/usr/bin/env bash
# Generates the clients integrators generate from the committed spec, and fails on any warning:
# Python with openapi-python-client (then byte-compiled and imported, warnings as errors), and
# TypeScript with openapi-typescript (then type-checked with tsc --strict against check.ts).
# The tools install themselves once into ~/.cache/mend-clients (a venv and an npm prefix); the
# clients are written to a temp dir and removed. Usage: tests/clients/run.sh [SPEC]
set -euo pipefail
cd "$(dirname "$0")/../.."
SPEC=$(realpath "${1:-openapi/openapi.json}")
CACHE=${MEND_CLIENTS_CACHE:-$HOME/.cache/mend-clients}
WORK=$(mktemp -d)
trap 'rm -rf "$WORK"' EXIT

if [ ! -x "$CACHE/venv/bin/openapi-python-client" ] || [ ! -x "$CACHE/venv/bin/ruff" ]; then
  python3 -m venv "$CACHE/venv"
  # ruff: openapi-python-client formats what it generates with it, and warns when it is missing.
  "$CACHE/venv/bin/pip" install -q 'openapi-python-client>=0.29,<0.30' 'ruff<1'
fi
BIN="$CACHE/npm/node_modules/.bin"
if [ ! -x "$BIN/openapi-typescript" ] || [ ! -x "$BIN/tsc" ]; then
  mkdir -p "$CACHE/npm"
  npm install --silent --no-audit --no-fund --prefix "$CACHE/npm" 'openapi-typescript@7' 'typescript@5'
fi

# Fails when a tool's output has anything that looks like a warning or an error.
quiet() {
  local name=$1 log=$2
  if grep -v '^Generating ' "$log" | grep -qiE 'warn|⚠|error|skipping|missing|deprecat'; then
    echo "$name: warnings or errors:"
    cat "$log"
    exit 1
  fi
}

echo "python: openapi-python-client"
mkdir -p "$WORK/py"
# The chart is an SVG image and a release document a PDF: the generator reads non-JSON bodies
# only as files (its documented `content_type_overrides`), as an integrator would tell it to.
printf 'content_type_overrides:\n  image/svg+xml: application/octet-stream\n  application/pdf: application/octet-stream\n' >"$WORK/py-config.yml"
if ! PATH="$CACHE/venv/bin:$PATH" openapi-python-client generate --path "$SPEC" --meta none \
  --config "$WORK/py-config.yml" --output-path "$WORK/py/mend_client" >"$WORK/py.log" 2>&1; then
  cat "$WORK/py.log"
  exit 1
fi
quiet "openapi-python-client" "$WORK/py.log"
"$CACHE/venv/bin/python" -W error -m compileall -q "$WORK/py/mend_client" >"$WORK/pyc.log" 2>&1 || { cat "$WORK/pyc.log"; exit 1; }
quiet "python compileall" "$WORK/pyc.log"
(cd "$WORK/py" && "$CACHE/venv/bin/python" -W error -c '
import mend_client.models as m
from mend_client import AuthenticatedClient
AuthenticatedClient(base_url="http://127.0.0.1:8080", token="t")
assert m.PracticeViewTimezone("America/New_York").value == "America/New_York"
assert m.PracticeViewTimezone("GMT+0") != m.PracticeViewTimezone("GMT0")
')

echo "typescript: openapi-typescript + tsc --strict"
mkdir -p "$WORK/ts"
cp tests/clients/tsconfig.json tests/clients/check.ts "$WORK/ts/"
"$BIN/openapi-typescript" "$SPEC" -o "$WORK/ts/schema.ts" >"$WORK/ts.log" 2>&1 || { cat "$WORK/ts.log"; exit 1; }
quiet "openapi-typescript" "$WORK/ts.log"
"$BIN/tsc" -p "$WORK/ts/tsconfig.json" >"$WORK/tsc.log" 2>&1 || { cat "$WORK/tsc.log"; exit 1; }
quiet "tsc" "$WORK/tsc.log"
echo "clients: generated and checked, no warnings"
