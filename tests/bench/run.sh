#!/usr/bin/env bash
# Mend benchmark, one command: builds the release binary, seeds a fresh PostgreSQL database, serves
# it and measures each scenario beside pgbench running the same SQL and the /healthz ceiling.
#   bash tests/bench/run.sh            full size (1M sessions; seeding takes minutes), 20 s per run
#   bash tests/bench/run.sh --quick    small data, 3 s per run, fails on any error (CI)
#   --debug-build                      benchmark the debug binary instead (CI: saves a release build)
# Other options go to bench.py (--duration S, --connections N, --keep-db, --enforce, ...; --help).
# Results: tests/bench/results/<date>[-quick].md and .json. Needs PostgreSQL on 127.0.0.1:5432
# (user postgres, trust; PG_BASE overrides), wrk, pgbench, psql, python3 (oha for the full run, installed
# if missing), and read access to the
# server log (BENCH_PG_LOG, default /var/log/postgresql/postgresql-15-main.log).
set -euo pipefail
cd "$(dirname "$0")/../.."
export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-$HOME/.cache/mend-target}"
export PG_BASE="${PG_BASE:-postgres://postgres@127.0.0.1:5432}"

missing=()
for tool in wrk pgbench psql python3; do command -v "$tool" >/dev/null || missing+=("$tool"); done
if [ ${#missing[@]} -gt 0 ]; then
  echo "bench: installing ${missing[*]}"
  apt-get update -qq && apt-get install -y -qq wrk postgresql-client python3 >/dev/null
fi
for _ in $(seq 1 60); do pg_isready -h 127.0.0.1 -p 5432 -q && break; sleep 0.5; done
pg_isready -h 127.0.0.1 -p 5432 -q || { echo "bench: PostgreSQL is not answering on 127.0.0.1:5432"; exit 1; }

# The full run measures open-loop latency with oha (crates.io); without it, a Python generator.
# Installed once into ~/.cache/mend-bench-tools (a few minutes of compiling); BENCH_OHA overrides.
quick=0
for a in "$@"; do [ "$a" = "--quick" ] && quick=1; done
if [ "$quick" = 0 ] && [ -z "${BENCH_OHA:-}" ] && ! command -v oha >/dev/null; then
  tools="$HOME/.cache/mend-bench-tools"
  if [ ! -x "$tools/bin/oha" ]; then
    echo "bench: cargo install oha (once, into $tools)"
    cargo install oha --version 1.16.0 --locked --no-default-features --features native-tls --root "$tools" --quiet \
      || echo "bench: could not install oha; the open-loop runs use the Python generator"
  fi
  [ -x "$tools/bin/oha" ] && export BENCH_OHA="$tools/bin/oha"
fi

# --debug-build: use the debug binary (CI, where it is built already; its numbers mean nothing).
profile=release
args=()
for a in "$@"; do
  if [ "$a" = "--debug-build" ]; then profile=debug; else args+=("$a"); fi
done
if [ "$profile" = release ]; then
  echo "bench: cargo build --release"
  cargo build --release --quiet
else
  echo "bench: cargo build (debug)"
  cargo build --quiet
fi
exec python3 tests/bench/bench.py --bin "$CARGO_TARGET_DIR/$profile/mend" ${args[@]+"${args[@]}"}
