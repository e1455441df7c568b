#!/usr/bin/env python3
"""Mend benchmark: seeds a practice in PostgreSQL, serves it with the release binary, drives load
with wrk from a separate process and measures, in the same run and at the same concurrency,
pgbench replaying the exact SQL statements each scenario issues (captured from PostgreSQL's own
statement log) and wrk against /healthz (the HTTP ceiling).

Started by tests/bench/run.sh (which builds the binary); stdlib only. See the README section
"Benchmark" for what each number means.
"""
import argparse
import base64
import datetime as dt
import json
import os
import platform
import re
import shutil
import signal
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import urllib.error
import urllib.request

HERE = os.path.dirname(os.path.abspath(__file__))
PG_BASE = os.environ.get("PG_BASE", "postgres://postgres@127.0.0.1:5432")
PG_LOG = os.environ.get("BENCH_PG_LOG", "/var/log/postgresql/postgresql-15-main.log")
PASSWORD = "bench password 0123456789"
JWT_SECRET = "bench-secret-0123456789abcdef0123456789abcdef"
# MEND_AUDIT_KEY (base64 of a 32-byte Ed25519 seed), required with PostgreSQL.
AUDIT_KEY = "YmVuY2gtYXVkaXQta2V5LXNlZWQtMDEyMzQ1Njc4OWE="

SIZES = {
    "full": dict(counselors=100, clients=20000, couples=10000, sessions=1000000, big_sessions=100000, notes=200000,
                 portal_users=2000),
    "quick": dict(counselors=10, clients=2000, couples=1000, sessions=20000, big_sessions=2000, notes=4000,
                  portal_users=200),
    # The scale test's small practice: 1,000 sessions, couples with full pages (>= 25 sessions each).
    "small": dict(counselors=10, clients=40, couples=20, sessions=1000, big_sessions=500, notes=100, portal_users=10),
}

# The OpenAPI path each scenario needs; a scenario whose endpoint is not in this build is skipped
# (and says so loudly) unless --require-all.
NEEDS = {
    "a": "/api/v1/clients/{id}",
    "b": "/api/v1/sessions",
    "b_deep": "/api/v1/sessions",
    "c": "/api/v1/sessions/{id}/notes",
    "d": "/api/v1/portal/sessions",
    "e": "/api/v1/clients/{id}",
    "f": "/api/v1/worklist",
    "g": "/api/v1/couples",
}

TITLES = {
    "healthz": "GET /healthz (HTTP ceiling)",
    "a": "a. counselor reads a client",
    "b": "b. counselor pages a couple's sessions (first page)",
    "b_deep": "b. same, deep cursor (90% into 100k sessions)",
    "c": "c. counselor writes a note",
    "d": "d. client reads GET /portal/sessions",
    "e": "e. (a) while logins run at 20/s",
    "f": "f. counselor reads GET /worklist (first page)",
    "g": "g. counselor lists GET /couples?limit=25 (partners' names, session times)",
    "scale_small": "b. on the small practice (scale test)",
}


def log(msg):
    print(f"[bench {time.strftime('%H:%M:%S')}] {msg}", flush=True)


class BenchError(Exception):
    pass


# ---------------------------------------------------------------- ids (see seed.sql)

def bid(prefix, n):
    return f"{prefix}-0000-4000-8000-{n:012x}"


def counselor_id(k):
    return bid("a0000000", k)


def client_id(i):
    return bid("b0000000", i)


def couple_id(j):
    return bid("c0000000", j)


def session_id(s):
    return bid("d0000000", s)


def couple_counselor(j, sz):
    return (j - 1) % sz["counselors"] + 1


def client_counselor(i, sz):
    return ((i + 1) // 2 - 1) % sz["counselors"] + 1


def sessions_of_couple(j, sz, count):
    """The first `count` session numbers of regular couple j (j >= 2)."""
    start = sz["big_sessions"] + (j - 2) + 1
    step = sz["couples"] - 1
    return [s for s in range(start, sz["sessions"] + 1, step)][:count]


# ---------------------------------------------------------------- processes

def run(cmd, env=None, check=True, capture=True, timeout=1800):
    res = subprocess.run(cmd, env=env, text=True, capture_output=capture, timeout=timeout)
    if check and res.returncode != 0:
        raise BenchError(f"{' '.join(cmd[:3])}... failed ({res.returncode}):\n{(res.stdout or '')[-2000:]}\n"
                         f"{(res.stderr or '')[-2000:]}")
    return res


def psql(db, sql, check=True):
    """Runs SQL, retrying while PostgreSQL is briefly unavailable (another job may restart it)."""
    last = None
    for _ in range(20):
        res = run(["psql", f"{PG_BASE}/{db}", "-XAtq", "-v", "ON_ERROR_STOP=1", "-c", sql], check=False)
        if res.returncode == 0:
            return res.stdout.strip()
        last = res
        if "could not connect" in res.stderr or "the database system is" in res.stderr:
            time.sleep(1)
            continue
        break
    if check:
        raise BenchError(f"psql failed: {sql[:200]}\n{last.stderr[-1000:]}")
    return None


def http(method, url, token=None, body=None, timeout=30):
    data = json.dumps(body).encode() if body is not None else None
    req = urllib.request.Request(url, data=data, method=method)
    if token:
        req.add_header("Authorization", f"Bearer {token}")
    if data is not None:
        req.add_header("Content-Type", "application/json")
    try:
        with urllib.request.urlopen(req, timeout=timeout) as resp:
            raw = resp.read()
            return resp.status, raw
    except urllib.error.HTTPError as e:
        return e.code, e.read()


class Server:
    def __init__(self, binary, db, port, workdir, pool=None):
        self.binary, self.db, self.port, self.workdir = binary, db, port, workdir
        self.url = f"http://127.0.0.1:{port}"
        env = dict(os.environ)
        env.update(DATABASE_URL=f"{PG_BASE}/{db}", MEND_JWT_SECRET=JWT_SECRET, MEND_AUDIT_KEY=AUDIT_KEY, MEND_ADDR=f"127.0.0.1:{port}",
                   MEND_LOGIN_LIMIT_PER_IP="0", MEND_LOG=os.environ.get("BENCH_MEND_LOG", "warn"))
        if pool:
            env["MEND_DB_POOL_SIZE"] = str(pool)
        self.logfile = open(os.path.join(workdir, f"server-{db}-{port}.log"), "a")
        self.proc = subprocess.Popen([binary, "serve"], env=env, stdout=self.logfile, stderr=subprocess.STDOUT)
        deadline = time.time() + 60
        while time.time() < deadline:
            if self.proc.poll() is not None:
                raise BenchError(f"mend serve exited with {self.proc.returncode}; see {self.logfile.name}")
            try:
                if http("GET", self.url + "/readyz", timeout=2)[0] == 200:
                    return
            except OSError:
                pass
            time.sleep(0.2)
        raise BenchError("mend serve did not become ready within 60 s")

    def reset_peak(self):
        try:
            with open(f"/proc/{self.proc.pid}/clear_refs", "w") as f:
                f.write("5")
        except OSError:
            pass  # not root: the peak then covers the whole life of the process

    def rss_kb(self):
        out = {}
        with open(f"/proc/{self.proc.pid}/status") as f:
            for line in f:
                if line.startswith(("VmHWM:", "VmRSS:")):
                    out[line.split(":")[0]] = int(line.split()[1])
        return out

    def alive(self):
        return self.proc.poll() is None

    def stop(self):
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
            try:
                self.proc.wait(timeout=40)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
        self.logfile.close()


# ---------------------------------------------------------------- database

def create_db(binary, db, sizes, workdir):
    t0 = time.time()
    psql("postgres", f"DROP DATABASE IF EXISTS {db} WITH (FORCE)")
    psql("postgres", f"CREATE DATABASE {db}")
    env = dict(os.environ, DATABASE_URL=f"{PG_BASE}/{db}", MEND_ADMIN_PASSWORD=PASSWORD, MEND_JWT_SECRET=JWT_SECRET, MEND_AUDIT_KEY=AUDIT_KEY,
               MEND_LOG="warn")
    run([binary, "migrate"], env=env)
    run([binary, "create-admin", "--practice", "Bench Practice", "--email", "admin@bench.example.org"], env=env)
    cmd = ["psql", f"{PG_BASE}/{db}", "-X", "-q", "-v", "ON_ERROR_STOP=1"]
    for k, v in sizes.items():
        cmd += ["-v", f"{k}={v}"]
    cmd += ["-f", os.path.join(HERE, "seed.sql")]
    res = run(cmd, timeout=3600)
    with open(os.path.join(workdir, f"seed-{db}.log"), "w") as f:
        f.write(res.stdout + res.stderr)
    visible = settle(db)
    size = psql("postgres", f"SELECT pg_size_pretty(pg_database_size('{db}'))")
    secs = time.time() - t0
    log(f"seeded {db} in {secs:.0f} s ({size}): {sizes}; pages all-visible: {visible}")
    return {"seconds": round(secs, 1), "size": size, "sizes": sizes, "all_visible": visible}


def settle(db, tries=5):
    """Sets the visibility map of the seeded tables, as autovacuum keeps it on a practice's
    database (index-only scans then skip the heap). The seed's own VACUUM can leave it unset: an
    autovacuum ANALYZE started on the new tables holds back the horizon while it runs. So: wait
    for the database's autovacuum workers, VACUUM, and check; answers the share of all-visible
    pages over the tables with rows."""
    share = "?"
    for _ in range(tries):
        for _ in range(120):
            busy = psql("postgres", "SELECT count(*) FROM pg_stat_activity "
                        f"WHERE datname = '{db}' AND backend_type = 'autovacuum worker'")
            if busy == "0":
                break
            time.sleep(0.5)
        psql(db, "VACUUM")
        row = psql(db, "SELECT sum(relallvisible), sum(relpages) FROM pg_class "
                   "WHERE relkind = 'r' AND relnamespace = current_schema()::regnamespace AND relpages > 0")
        seen, pages = (int(x or 0) for x in row.split("|"))
        share = f"{100 * seen / max(pages, 1):.1f} %"
        if seen >= pages:
            break
    return share


def drop_db(db):
    psql("postgres", f"DROP DATABASE IF EXISTS {db} WITH (FORCE)", check=False)


# ---------------------------------------------------------------- statement capture -> pgbench script

LINE = re.compile(r"^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d(?:\.\d+)? \S+ \[(\d+)\] (\S*)@(\S*) ([A-Z]+):  (.*)$")
PARAM = re.compile(r"\$(\d+) = (NULL|'(?:[^']|'')*')")
V7 = re.compile(r"^[0-9a-f]{8}-[0-9a-f]{4}-7[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$")
V7_ANYWHERE = re.compile(r"[0-9a-f]{8}-[0-9a-f]{4}-7[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}")


def log_size():
    try:
        return os.path.getsize(PG_LOG)
    except OSError as e:
        raise BenchError(f"cannot read PostgreSQL's log {PG_LOG} (set BENCH_PG_LOG): {e}")


def read_log(offset, db):
    with open(PG_LOG, "r", errors="replace") as f:
        f.seek(offset)
        text = f.read()
    entries = []
    for line in text.split("\n"):
        m = LINE.match(line)
        if m:
            entries.append([m.group(1), m.group(3), m.group(4), m.group(5)])
        elif line.startswith("\t") and entries:
            entries[-1][3] += "\n" + line[1:]
    return [e for e in entries if e[1] == db]


# The webhook worker's poll (every 500 ms, on its own connection) is not part of any request:
# caught inside a request's window it would make the replay do work the request never did.
BACKGROUND = ("UPDATE webhook_deliveries SET claimed_by",)


# The audit sealer's pass (every second, a transaction on a pooled connection) is not part of any
# request either: a transaction that touches the seal's tables, or runs the sealer's lookup of the
# events' subjects (`store::audit_subjects::resolve_subjects`, which names none of them), is left
# out whole, from its BEGIN (or the window's start) to its COMMIT (or the window's end). So is a
# transaction the window's end cuts off: a request's own has ended before the end marker is sent.
SEALER_TABLES = ("audit_chain", "audit_subjects", "audit_checkpoints", "audit_seal_lease",
                 "JOIN disclosure_subjects j ON j.disclosure_id")


def statements_between(entries, start_mark, end_mark):
    """Statements (sql, params) logged between the two marker queries, in order, leaving out
    the background poll (BACKGROUND) and the sealer's transactions (SEALER_TABLES)."""
    out, inside = [], False
    for i, (pid, _, level, text) in enumerate(entries):
        if start_mark in text:
            inside = True
            continue
        if end_mark in text:
            break
        if not inside or level != "LOG":
            continue
        if text.startswith("statement: "):
            out.append((pid, text[len("statement: "):], {}))
        else:
            m = re.match(r"execute [^:]*: (.*)", text, re.S)
            if not m:
                continue
            params = {}
            for nxt in entries[i + 1:i + 3]:
                if nxt[0] == pid and nxt[2] == "DETAIL" and nxt[3].startswith("parameters: "):
                    params = {int(n): v for n, v in PARAM.findall(nxt[3])}
                    break
            out.append((pid, m.group(1), params))
    # Segments per connection: BEGIN .. COMMIT/ROLLBACK, and the statements between them.
    drop, segment = set(), {}

    def close(pid, cut=False):
        seg = segment.pop(pid, [])
        if any(any(t in out[k][1] for t in SEALER_TABLES) for k in seg):
            drop.update(seg)
        elif cut and seg and out[seg[0]][1].lstrip().upper().startswith("BEGIN"):
            drop.update(seg)

    for k, (pid, sql, _) in enumerate(out):
        head = sql.lstrip().upper()
        if head.startswith("BEGIN"):
            close(pid)
        segment.setdefault(pid, []).append(k)
        if head.startswith("COMMIT") or head.startswith("ROLLBACK"):
            close(pid)
    for pid in list(segment):
        close(pid, cut=True)
    kept = [o for k, o in enumerate(out) if k not in drop]
    return [(sql, params) for _, sql, params in kept if not any(sql.lstrip().startswith(b) for b in BACKGROUND)]


# A fresh id that, like Mend's UUIDv7, grows over time (a per-client counter first), so index
# inserts land at the right edge as Mend's do (random ids would dirty random pages). Built from
# pgbench variables, not a volatile function, so a lookup by it can use the index.
def fresh_id(k):
    return (f"(CAST(:run AS text) || lpad(CAST(:n AS text), 14, '0') || '-{k}-' || "
            f"lpad(CAST(:client_id AS text), 4, '0'))")


def pg_literal(quoted, known_ids):
    """A logged parameter as a pgbench-safe SQL literal. Fresh UUIDv7 ids made by the request
    become a new time-ordered id per transaction; ':' is escaped (pgbench reads :name as a variable)."""
    if quoted == "NULL":
        return "NULL"
    value = quoted[1:-1].replace("''", "'")
    fresh = known_ids.setdefault("__fresh__", {})
    if V7.match(value) and value not in known_ids:
        return fresh_id(fresh.setdefault(value, len(fresh)))

    def text(part):
        esc = part.replace("\\", "\\\\").replace("'", "''").replace(":", "\\072")
        return f"E'{esc}'"

    # Fresh ids inside a value (the audit batch's JSON array of events) are made fresh the same
    # way, the value rebuilt around them by concatenation.
    parts, last = [], 0
    for m in V7_ANYWHERE.finditer(value):
        if m.group(0) in known_ids:
            continue
        parts += [text(value[last:m.start()]), fresh_id(fresh.setdefault(m.group(0), len(fresh)))]
        last = m.end()
    if not parts:
        return text(value)
    return "(" + " || ".join(parts + [text(value[last:])]) + ")"


def to_script(statements, known_ids):
    known_ids = dict.fromkeys(known_ids) if not isinstance(known_ids, dict) else dict(known_ids)
    lines = ["\\set n :n + 1"]
    for sql, params in statements:
        if re.match(r"\s*SET\s", sql, re.I):
            continue
        sql = re.sub(r"\$(\d+)", lambda m: pg_literal(params[int(m.group(1))], known_ids), sql)
        sql = " ".join(sql.split()).rstrip(";")
        if re.search(r":(?!n\b|run\b|client_id\b)[A-Za-z_]", re.sub(r"E'(?:[^']|'')*'", "", sql).replace("::", "")):
            raise BenchError(f"statement has a ':' pgbench would read as a variable: {sql[:200]}")
        lines.append(sql + ";")
    return "\n".join(lines) + "\n"


def capture(binary, db, port, workdir, requests, known_ids):
    """Runs each scenario's sample requests once against a server whose connections log every
    statement, and returns {scenario: [script text, ...]}."""
    psql("postgres", f"ALTER DATABASE {db} SET log_statement = 'all'")
    psql("postgres", f"ALTER DATABASE {db} SET log_parameter_max_length = -1")
    server = None
    try:
        server = Server(binary, db, port, workdir)
        # Warm up: every pooled connection opened and every statement prepared once.
        for reqs in requests.values():
            for method, path, token, body in reqs:
                for _ in range(2):
                    http(method, server.url + path, token, body)
        marks, offset = [], log_size()
        for name, reqs in requests.items():
            for n, (method, path, token, body) in enumerate(reqs):
                start, end = f"bench-mark-start-{name}-{n}", f"bench-mark-end-{name}-{n}"
                psql(db, f"SELECT '{start}'")
                status, raw = http(method, server.url + path, token, body)
                if not 200 <= status < 300:
                    raise BenchError(f"capture: {method} {path} answered {status}: {raw[:300]!r}")
                time.sleep(0.05)
                psql(db, f"SELECT '{end}'")
                marks.append((name, start, end))
        time.sleep(0.5)
        entries = read_log(offset, db)
        scripts = {}
        for name, start, end in marks:
            stmts = statements_between(entries, start, end)
            if not stmts:
                raise BenchError(f"capture: no statements logged for {name} (is logging to {PG_LOG}?)")
            scripts.setdefault(name, []).append(to_script(stmts, known_ids))
        return scripts
    finally:
        if server:
            server.stop()
        psql("postgres", f"ALTER DATABASE {db} RESET log_statement", check=False)
        psql("postgres", f"ALTER DATABASE {db} RESET log_parameter_max_length", check=False)


# ---------------------------------------------------------------- load generators

def pct(sorted_vals, p):
    if not sorted_vals:
        return 0.0
    k = min(len(sorted_vals) - 1, max(0, int(round(p / 100.0 * len(sorted_vals) + 0.5)) - 1))
    return sorted_vals[k]


def run_wrk(url, targets, workdir, name, conns, secs, threads=2):
    path = os.path.join(workdir, f"targets-{name}.tsv")
    with open(path, "w") as f:
        for method, p, token, body in targets:
            f.write("\t".join([method, p, token or "", json.dumps(body) if body is not None else ""]) + "\n")
    env = dict(os.environ, BENCH_TARGETS=path)
    res = run(["wrk", f"-t{min(threads, conns)}", f"-c{conns}", f"-d{secs}s", "--timeout", "5s",
               "-s", os.path.join(HERE, "load.lua"), url], env=env, timeout=secs + 120)
    m = re.search(r"^BENCH_JSON (.*)$", res.stdout, re.M)
    if not m:
        raise BenchError(f"wrk gave no result for {name}:\n{res.stdout}\n{res.stderr}")
    r = json.loads(m.group(1))
    r["rps"] = r["requests"] / (r["duration_us"] / 1e6) if r["duration_us"] else 0.0
    r["errors"] = (r["non_2xx"] + r["connect_errors"] + r["read_errors"] + r["write_errors"] + r["timeouts"])
    return {"rps": round(r["rps"], 1), "p50_ms": r["p50_us"] / 1000, "p99_ms": r["p99_us"] / 1000,
            "requests": r["requests"], "errors": r["errors"], "non_2xx": r["non_2xx"], "first_bad": r["first_bad"],
            "socket_errors": r["errors"] - r["non_2xx"]}


def bare_scripts(db, names):
    """pgbench scripts of a bare primary-key SELECT on each scenario's own table: clients for (a),
    sessions for (b) and (d)."""
    table = {"a": "clients", "b": "sessions", "b_deep": "sessions", "d": "sessions"}
    out = {}
    for name in sorted(names):
        ids = psql(db, f"SELECT id FROM {table[name]} ORDER BY id LIMIT 4").split()
        out[name] = [f"SELECT * FROM {table[name]} WHERE id = '{i}';\n" for i in ids]
    return out


def run_pgbench(db, scripts, workdir, name, conns, secs):
    d = os.path.join(workdir, f"pgbench-{name}")
    shutil.rmtree(d, ignore_errors=True)
    os.makedirs(d)
    cmd = ["pgbench", "-n", "-M", "prepared", "-D", "n=0", "-D", f"run={int(time.time() * 1000)}", "-c", str(conns), "-j", str(min(2, conns)), "-T", str(secs),
           "-l", f"--log-prefix={d}/log"]
    for n, text in enumerate(scripts):
        p = os.path.join(d, f"script{n}.sql")
        with open(p, "w") as f:
            f.write(text)
        cmd += ["-f", p]
    cmd.append(f"{PG_BASE}/{db}")
    res = run(cmd, check=False, timeout=secs + 120)
    lat = []
    for fn in os.listdir(d):
        if fn.startswith("log"):
            with open(os.path.join(d, fn)) as f:
                for line in f:
                    parts = line.split()
                    if len(parts) >= 3 and parts[2].isdigit():
                        lat.append(int(parts[2]))
    failed = re.search(r"number of failed transactions: (\d+)", res.stdout)
    tps = re.search(r"tps = ([\d.]+) \(without initial connection time\)", res.stdout)
    if res.returncode != 0 or not tps or (failed and int(failed.group(1)) > 0):
        raise BenchError(f"pgbench {name} failed ({res.returncode}):\n{res.stdout[-1500:]}\n{res.stderr[-1500:]}")
    lat.sort()
    return {"tps": round(float(tps.group(1)), 1), "p50_ms": pct(lat, 50) / 1000, "p99_ms": pct(lat, 99) / 1000,
            "transactions": len(lat), "statements_per_tx": [s.count(";\n") for s in scripts]}


def open_loop(url, targets, rate, secs, conns=16):
    """Open-loop load at a fixed rate: requests are sent at their scheduled times whatever the
    previous ones did, and latency counts from the scheduled time (no coordinated omission).
    Python, so it shares the 2 cores with the server; good for a few thousand requests/s."""
    import asyncio

    reqs = []
    for method, p, token, body in targets:
        data = json.dumps(body).encode() if body is not None else b""
        head = f"{method} {p} HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: Bearer {token}\r\n"
        if body is not None:
            head += f"Content-Type: application/json\r\nContent-Length: {len(data)}\r\n"
        reqs.append((head + "\r\n").encode() + data)
    host, port = url.split("//")[1].split(":")
    lat, bad, late = [], [0], [0]

    async def one_conn(queue):
        reader, writer = await asyncio.open_connection(host, int(port))
        while True:
            item = await queue.get()
            if item is None:
                break
            due, raw = item
            writer.write(raw)
            await writer.drain()
            status_line = await reader.readline()
            length = 0
            while True:
                h = await reader.readline()
                if h in (b"\r\n", b""):
                    break
                k, _, v = h.decode("latin-1").partition(":")
                if k.lower() == "content-length":
                    length = int(v.strip())
            if length:
                await reader.readexactly(length)
            code = int(status_line.split()[1]) if status_line else 0
            if not 200 <= code < 300:
                bad[0] += 1
            lat.append(time.perf_counter() - due)
        writer.close()

    async def main():
        queue = asyncio.Queue()
        workers = [asyncio.create_task(one_conn(queue)) for _ in range(conns)]
        start = time.perf_counter() + 0.1
        total = int(rate * secs)
        for n in range(total):
            due = start + n / rate
            delay = due - time.perf_counter()
            if delay > 0:
                await asyncio.sleep(delay)
            elif delay < -0.05:
                late[0] += 1
            queue.put_nowait((due, reqs[n % len(reqs)]))
        for _ in workers:
            queue.put_nowait(None)
        await asyncio.gather(*workers)

    t0 = time.perf_counter()
    asyncio.run(main())
    elapsed = time.perf_counter() - t0
    lat.sort()
    return {"rate": rate, "achieved_rps": round(len(lat) / elapsed, 1), "p50_ms": round(pct(lat, 50) * 1000, 2),
            "p99_ms": round(pct(lat, 99) * 1000, 2), "requests": len(lat), "non_2xx": bad[0],
            "sender_late": late[0]}


def find_oha(explicit=None):
    """The oha binary: --oha, $BENCH_OHA, or oha on PATH; None to use the Python generator."""
    for cand in (explicit, os.environ.get("BENCH_OHA"), shutil.which("oha")):
        if cand and os.access(cand, os.X_OK):
            return cand
    return None


def open_loop_oha(oha, url, targets, rate, secs, workdir, name, conns=16):
    """Open-loop load with oha (`-q` fixed rate, `--latency-correction`: latency counts from the
    scheduled send time, no coordinated omission). oha sends one set of headers, so the run uses
    the first caller's requests of the scenario (the same endpoint, the same kind of rows)."""
    token = targets[0][2]
    paths = [p for method, p, tk, body in targets if tk == token and method == "GET" and body is None]
    urls = os.path.join(workdir, f"oha-urls-{name}.txt")
    with open(urls, "w") as f:
        f.write("".join(url + p + "\n" for p in paths))
    out = os.path.join(workdir, f"oha-{name}.json")
    cmd = [oha, "-z", f"{secs}s", "-c", str(conns), "-q", str(rate), "--latency-correction", "--no-tui",
           "--urls-from-file", "--output-format", "json", "-o", out]
    if token:
        cmd += ["-H", f"Authorization: Bearer {token}"]
    run(cmd + [urls], timeout=secs + 120)
    with open(out) as f:
        j = json.load(f)
    codes = {int(k): v for k, v in (j.get("statusCodeDistribution") or {}).items()}
    done = sum(codes.values())
    # Requests still in flight when -z ends are cut off, not failed.
    errors = sum(v for k, v in (j.get("errorDistribution") or {}).items() if k != "aborted due to deadline")
    p = j.get("latencyPercentiles") or {}
    return {"rate": rate, "achieved_rps": round(j["summary"]["requestsPerSec"] or 0, 1),
            "p50_ms": round((p.get("p50") or 0) * 1000, 2), "p99_ms": round((p.get("p99") or 0) * 1000, 2),
            "requests": done, "non_2xx": sum(v for k, v in codes.items() if not 200 <= k < 300) + errors,
            "sender_late": 0, "generator": "oha", "urls": len(paths)}


def combine_runs(runs, rate_key, count_key):
    """Runs taken in turns, as one: the rate over their summed time, counts summed, and each
    percentile the median of the runs' own (a run's raw latencies are not all kept)."""
    if len(runs) == 1:
        return dict(runs[0])
    total = sum(x[count_key] for x in runs)
    elapsed = sum(x[count_key] / x[rate_key] for x in runs if x[rate_key])
    out = dict(runs[0])
    out[rate_key] = round(total / elapsed, 1) if elapsed else 0.0
    out[count_key] = total
    for k in ("p50_ms", "p99_ms"):
        out[k] = statistics.median(x[k] for x in runs)
    for k in ("errors", "non_2xx", "socket_errors"):
        if k in out:
            out[k] = sum(x[k] for x in runs)
    out["per_round"] = [x[rate_key] for x in runs]
    return out


def combine_logins(runs):
    codes = {}
    for x in runs:
        for k, v in x["codes"].items():
            codes[k] = codes.get(k, 0) + v
    return {"logins": sum(x["logins"] for x in runs), "ok": sum(x["ok"] for x in runs), "codes": codes,
            "rate": round(statistics.mean(x["rate"] for x in runs), 1),
            "p50_ms": statistics.median(x["p50_ms"] for x in runs),
            "p99_ms": statistics.median(x["p99_ms"] for x in runs)}


class LoginLoad(threading.Thread):
    """POST /auth/login at a fixed rate (open loop: one thread per login, started on schedule)."""

    def __init__(self, url, emails, rate):
        super().__init__(daemon=True)
        self.url, self.emails, self.rate = url, emails, rate
        self.stop_flag = threading.Event()
        self.lat, self.codes, self.threads = [], {}, []
        self.lock = threading.Lock()

    def one(self, email):
        t = time.perf_counter()
        try:
            code, _ = http("POST", self.url + "/api/v1/auth/login", body={"email": email, "password": PASSWORD})
        except OSError:
            code = 0
        with self.lock:
            self.lat.append(time.perf_counter() - t)
            self.codes[code] = self.codes.get(code, 0) + 1

    def run(self):
        start, n = time.perf_counter(), 0
        while not self.stop_flag.is_set():
            due = start + n / self.rate
            delay = due - time.perf_counter()
            if delay > 0:
                time.sleep(delay)
            th = threading.Thread(target=self.one, args=(self.emails[n % len(self.emails)],), daemon=True)
            th.start()
            self.threads.append(th)
            n += 1
        self.elapsed = time.perf_counter() - start

    def result(self):
        for th in self.threads:
            th.join(timeout=30)
        lat = sorted(self.lat)
        ok = self.codes.get(200, 0)
        return {"logins": len(lat), "ok": ok, "codes": {str(k): v for k, v in self.codes.items()},
                "rate": round(len(lat) / self.elapsed, 1) if self.elapsed else 0,
                "p50_ms": round(pct(lat, 50) * 1000, 1), "p99_ms": round(pct(lat, 99) * 1000, 1)}


# ---------------------------------------------------------------- scenarios

def login(url, email):
    status, raw = http("POST", url + "/api/v1/auth/login", body={"email": email, "password": PASSWORD})
    if status != 200:
        raise BenchError(f"login {email}: {status} {raw[:200]!r}")
    return json.loads(raw)["access_token"]


def note_body(n):
    return {"body": f"Benchmark note {n}: partners reviewed the week; one boundary held, one was tested.",
            "topics": ["trust", "boundaries"], "agreements": ["weekly check-in"], "risk_level": "low"}


def deep_cursors(url, token, sz, fractions=(0.80, 0.85, 0.90, 0.95)):
    """Cursors deep into couple 1's sessions, made in the format the listing itself gives out
    (decoded from its own first-page cursor), checked to return the expected next rows."""
    status, raw = http("GET", f"{url}/api/v1/sessions?couple_id={couple_id(1)}&limit=25", token)
    if status != 200:
        raise BenchError(f"sessions first page: {status} {raw[:200]!r}")
    page = json.loads(raw)
    cur = page.get("next_cursor")
    if not cur:
        raise BenchError("sessions first page has no next_cursor")
    body = json.loads(base64.urlsafe_b64decode(cur + "=" * (-len(cur) % 4)))
    last = page["items"][-1]
    if body.get("v", [None])[-1] != last["id"]:
        raise BenchError(f"cannot read the cursor format: {body}")
    # Session s of couple 1 starts at 2014-01-06 08:00 + s hours (seed.sql).
    base = dt.datetime(2014, 1, 6, 8, 0)
    s25 = int(last["id"].split("-")[-1], 16)
    t25 = base + dt.timedelta(hours=s25)
    fmts = ["%Y-%m-%dT%H:%M:%SZ", "%Y-%m-%dT%H:%M:%S.%fZ", "%Y-%m-%d %H:%M:%S", "%Y-%m-%dT%H:%M:%S",
            "%Y-%m-%d %H:%M:%S.%f", "%Y-%m-%dT%H:%M:%S.%f", "%Y-%m-%dT%H:%M:%S+00:00"]
    key = body["v"][0] if len(body["v"]) == 2 else None
    fmt = next((f for f in fmts if key is not None and t25.strftime(f) == key), None)
    if fmt is None:
        raise BenchError(f"cannot read the cursor's time format: {key!r}")
    out = []
    for frac in fractions:
        s = int(sz["big_sessions"] * frac)
        t = base + dt.timedelta(hours=s)
        c = base64.urlsafe_b64encode(json.dumps({"k": body["k"], "v": [t.strftime(fmt), session_id(s)]},
                                                separators=(",", ":")).encode()).decode().rstrip("=")
        status, raw = http("GET", f"{url}/api/v1/sessions?couple_id={couple_id(1)}&limit=25&cursor={c}", token)
        items = json.loads(raw).get("items", []) if status == 200 else []
        if status != 200 or not items or items[0]["id"] != session_id(s + 1):
            raise BenchError(f"deep cursor at {frac:.0%} did not page where expected: {status} {raw[:200]!r}")
        out.append(c)
    return out


def build_targets(url, sz, actors):
    """Sample requests per scenario: (method, path, token, body). `actors` counselors each read
    their own clients, page their own couples, write notes on their own sessions."""
    ks = list(range(1, min(actors, sz["counselors"]) + 1))
    tokens = {k: login(url, f"counselor{k}@bench.example.org") for k in ks}
    t = {"healthz": [("GET", "/healthz", "", None)]}
    t["a"], t["b"], t["c"] = [], [], []
    for k in ks:
        clients = [i for i in range(3, sz["clients"] + 1) if client_counselor(i, sz) == k][:4]
        t["a"] += [("GET", f"/api/v1/clients/{client_id(i)}", tokens[k], None) for i in clients]
        couples = [j for j in range(2, sz["couples"] + 1) if couple_counselor(j, sz) == k][:4]
        t["b"] += [("GET", f"/api/v1/sessions?couple_id={couple_id(j)}&limit=25", tokens[k], None) for j in couples]
        for j in couples[:2]:
            for s in sessions_of_couple(j, sz, 2):
                t["c"].append(("POST", f"/api/v1/sessions/{session_id(s)}/notes", tokens[k], note_body(s)))
    t["e"] = t["a"]
    t["f"] = [("GET", "/api/v1/worklist?limit=25", tokens[k], None) for k in ks]
    t["g"] = [("GET", "/api/v1/couples?limit=25", tokens[k], None) for k in ks]
    portal = [i for i in range(3, sz["portal_users"] + 1)][:max(4, actors)]
    t["d"] = [("GET", "/api/v1/portal/sessions", login(url, f"client{i}@bench.example.org"), None) for i in portal]
    return t, tokens


def check_targets(url, targets):
    for method, p, token, body in targets:
        status, raw = http(method, url + p, token, body)
        if not 200 <= status < 300:
            raise BenchError(f"{method} {p} answered {status}: {raw[:300]!r}")


def run_soak(server, targets, scen, sz, workdir, conns, secs):
    mix = [t for k in ("a", "b", "d", "c") if k in scen for t in targets[k]]
    if not mix:
        return None
    log(f"soak: {secs} s of mixed load ({len(mix)} requests cycled) with logins at 2/s; sampling RSS")
    samples, stop = [], threading.Event()

    def sample():
        t0 = time.perf_counter()
        while not stop.is_set():
            samples.append((round(time.perf_counter() - t0, 1), round(server.rss_kb()["VmRSS"] / 1024, 1)))
            stop.wait(5 if secs >= 60 else 0.5)

    sampler = threading.Thread(target=sample, daemon=True)
    sampler.start()
    logins = LoginLoad(server.url, [f"counselor{k}@bench.example.org" for k in range(1, sz["counselors"] + 1)], 2)
    logins.start()
    try:
        w = run_wrk(server.url, mix, workdir, "soak", conns, secs)
    finally:
        logins.stop_flag.set()
        logins.join()
        stop.set()
        sampler.join()
    lr = logins.result()
    if w["errors"] or lr["ok"] != lr["logins"]:
        raise BenchError(f"soak: {w['errors']} failed requests (first: {w['first_bad']}), logins {lr}")
    # Growth: the last minute's median over the second minute's (the first is warm-up), or over
    # the second and last tenths on a short soak.
    span = 60 if secs >= 180 else max(secs / 10, 0.5)
    early = [v for t, v in samples if span <= t < 2 * span] or [samples[0][1]]
    late = [v for t, v in samples if t >= samples[-1][0] - span] or [samples[-1][1]]
    res = {"seconds": secs, "requests": w["requests"], "rps": w["rps"], "logins": lr["logins"],
           "rss_early_mb": statistics.median(early), "rss_late_mb": statistics.median(late),
           "rss_max_mb": max(v for _, v in samples), "samples": samples}
    res["growth_mb"] = round(res["rss_late_mb"] - res["rss_early_mb"], 1)
    log(f"soak: {w['rps']:.0f} req/s, RSS {res['rss_early_mb']} MB -> {res['rss_late_mb']} MB "
        f"(max {res['rss_max_mb']} MB), {lr['logins']} logins")
    if not server.alive():
        raise BenchError("the server died during the soak")
    return res


# ---------------------------------------------------------------- main

def machine_info(binary, oha=None):
    def out(cmd):
        try:
            return subprocess.run(cmd, text=True, capture_output=True, timeout=20).stdout.strip()
        except Exception:
            return "?"
    settings = psql("postgres", "SELECT string_agg(name || '=' || setting || coalesce(unit, ''), ', ' ORDER BY name) "
                                "FROM pg_settings WHERE name IN ('shared_buffers','max_connections','synchronous_commit',"
                                "'fsync','work_mem','effective_cache_size','wal_level','max_wal_size')")
    mem = next((line.split()[1] for line in open("/proc/meminfo") if line.startswith("MemTotal")), "?")
    return {
        "date": dt.datetime.now(dt.timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ"),
        "cores": os.cpu_count(), "cpu": next((line.split(":", 1)[1].strip() for line in open("/proc/cpuinfo")
                                              if line.startswith("model name")), "?"),
        "mem_gb": round(int(mem) / 1048576, 1) if mem != "?" else "?", "kernel": platform.release(),
        "mend_commit": out(["git", "-C", HERE, "rev-parse", "--short", "HEAD"]),
        "postgres": psql("postgres", "SHOW server_version"), "pg_settings": settings,
        "wrk": out(["wrk", "-v"]).splitlines()[0] if out(["wrk", "-v"]) else "?",
        "pgbench": out(["pgbench", "--version"]), "rustc": out(["rustc", "--version"]),
        "oha": out([find_oha(oha), "--version"]) if find_oha(oha) else "none (Python open-loop generator)",
        "python": platform.python_version(),
        "load_before": open("/proc/loadavg").read().split()[:3],
    }


def measure_sealer(binary, db, n):
    """The sealer's rate: seal what is there, add a backlog of `n` audit events (reads of seeded
    sessions, so each event's subjects are resolved through the session's attendees, as a read's
    are), then time `mend audit seal` over it (one process, the same code the server's sealer
    runs every second): events sealed per second, subjects and checkpoint included."""
    env = dict(os.environ, DATABASE_URL=f"{PG_BASE}/{db}", MEND_JWT_SECRET=JWT_SECRET, MEND_AUDIT_KEY=AUDIT_KEY,
               MEND_LOG="warn")
    run([binary, "audit", "seal"], env=env)
    psql(db, f"""
        INSERT INTO audit_events (id, practice_id, at, actor_id, actor_role, action, resource_type, resource_id,
                                  outcome, request_id, ip)
        SELECT lpad(to_hex(ms >> 16), 8, '0') || '-' || lpad(to_hex(ms & 65535), 4, '0') || '-7' ||
               substr(h, 1, 3) || '-8' || substr(h, 4, 3) || '-' || substr(h, 7, 12),
               s.practice_id, now() AT TIME ZONE 'UTC', s.counselor_id, 'counselor', 'read', 'session', s.id,
               'success', 'bench-seal', NULL
        FROM (SELECT id, practice_id, counselor_id, row_number() OVER () AS g FROM sessions LIMIT {n}) s,
             LATERAL (SELECT (extract(epoch FROM clock_timestamp()) * 1000)::bigint AS ms,
                             md5(s.g::text || random()::text) AS h) x""")
    t0 = time.time()
    out = run([binary, "audit", "seal"], env=env).stdout
    seconds = time.time() - t0
    sealed = int(re.search(r"sealed (\d+) events", out).group(1))
    t1 = time.time()
    verify = run([binary, "audit", "verify"], env=env).stdout
    verify_s = time.time() - t1
    total = int(psql(db, "SELECT count(*) FROM audit_chain").strip() or 0)
    return {"events": sealed, "seconds": round(seconds, 2), "events_per_s": round(sealed / seconds) if seconds else None,
            "chain": total, "verify_seconds": round(verify_s, 2), "verify_ok": verify.startswith("mend audit verify: ok")}


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--bin", required=True, help="the release mend binary")
    ap.add_argument("--quick", action="store_true", help="small data, a few seconds per scenario (CI)")
    ap.add_argument("--duration", type=int, help="seconds per load run (default: quick 3, full 20)")
    ap.add_argument("--connections", type=int, help="concurrency for wrk and pgbench (default: quick 4, full 8)")
    ap.add_argument("--port", type=int, default=18181)
    ap.add_argument("--out", default=os.path.join(HERE, "results"), help="directory for <date>.md and .json")
    ap.add_argument("--oha", help="the oha binary for the open-loop runs (default: $BENCH_OHA, then PATH; "
                                   "without one, a Python generator)")
    ap.add_argument("--rounds", type=int, help="Mend and pgbench take turns in this many runs of duration/rounds "
                                               "seconds each (default: quick 1, full 4)")
    ap.add_argument("--no-open-loop", action="store_true", help="skip the open-loop p99 runs at half the peak rate")
    ap.add_argument("--no-seal", action="store_true", help="skip the audit sealer's rate")
    ap.add_argument("--reuse-db", action="store_true", help="keep and reuse seeded databases (development)")
    ap.add_argument("--keep-db", action="store_true", help="do not drop the databases at the end")
    ap.add_argument("--require-all", action="store_true", help="fail if a scenario's endpoint is missing")
    ap.add_argument("--enforce", action="store_true", help="exit 3 when a target is missed (full mode)")
    ap.add_argument("--scenarios", help="comma-separated subset of a,b,b_deep,c,d,e,f (development; default all)")
    ap.add_argument("--soak", type=int, help="seconds of mixed load while RSS is sampled (default: quick 5, "
                                             "full 600; 0 skips)")
    args = ap.parse_args()
    mode = "quick" if args.quick else "full"
    secs = args.duration or (3 if args.quick else 20)
    soak = args.soak if args.soak is not None else (5 if args.quick else 600)
    oha = find_oha(args.oha)
    rounds = args.rounds or (1 if args.quick else 4)
    part = max(1, secs // rounds)
    wanted = set(args.scenarios.split(",")) if args.scenarios else None
    conns = args.connections or (4 if args.quick else 8)
    sz, small = SIZES[mode], SIZES["small"]
    db, db_small = f"mend_bench_{mode}", "mend_bench_small"
    workdir = tempfile.mkdtemp(prefix="mend-bench-")
    results = {"mode": mode, "duration_s": secs, "rounds": rounds, "connections": conns, "machine": machine_info(args.bin, oha),
               "scenarios": {}, "notes": []}
    log(f"{mode} run: {secs} s per load run at {conns} connections; work files in {workdir}")
    servers = []
    try:
        # 1. Databases.
        for name, sizes in ((db, sz), (db_small, small)):
            exists = psql("postgres", f"SELECT 1 FROM pg_database WHERE datname = '{name}'")
            if args.reuse_db and exists:
                log(f"reusing {name}")
                results.setdefault("seed", {})[name] = {"reused": True, "sizes": sizes}
            else:
                results.setdefault("seed", {})[name] = create_db(args.bin, name, sizes, workdir)

        # 2. Which scenarios this build can serve.
        probe = Server(args.bin, db, args.port, workdir)
        doc = json.loads(http("GET", probe.url + "/openapi.json")[1])
        present = set(doc.get("paths", {}).keys())
        scen = [s for s in ["a", "b", "b_deep", "c", "d", "e", "f", "g"] if NEEDS[s] in present
                and (wanted is None or s in wanted)]
        missing = [s for s in NEEDS if s not in scen and (wanted is None or s in wanted)]
        for s in missing:
            msg = f"SKIPPED {TITLES[s]}: {NEEDS[s]} is not in this build's OpenAPI document"
            log("!" * 8 + " " + msg)
            results["notes"].append(msg)
        if missing and args.require_all:
            raise BenchError("scenarios missing and --require-all given")
        targets, tokens = build_targets(probe.url, sz, 8 if not args.quick else 4)
        targets = {k: v for k, v in targets.items() if k == "healthz" or k in scen}
        if "b_deep" in scen:
            targets["b_deep"] = [("GET", f"/api/v1/sessions?couple_id={couple_id(1)}&limit=25&cursor={c}",
                                  tokens[1], None) for c in deep_cursors(probe.url, tokens[1], sz)]
        for name, tl in targets.items():
            check_targets(probe.url, tl[:3])
        probe.stop()

        # 3. Capture each scenario's statements; one pgbench script per sample request.
        practice = psql(db, "SELECT practice_id FROM users WHERE role = 'admin' LIMIT 1")
        admin = psql(db, "SELECT id FROM users WHERE role = 'admin' LIMIT 1")
        sample = {k: v[:4] for k, v in targets.items() if k in scen and k != "e"}
        scripts = capture(args.bin, db, args.port, workdir, sample, {practice, admin}) if sample else {}
        os.makedirs(os.path.join(workdir, "scripts"), exist_ok=True)
        for name, texts in scripts.items():
            for n, text in enumerate(texts):
                with open(os.path.join(workdir, "scripts", f"{name}-{n}.sql"), "w") as f:
                    f.write(text)
        results["statements"] = {k: v[0] for k, v in scripts.items()}
        # The second limit: a bare primary-key SELECT on the scenario's own table, no audit, no
        # access rules (what "a read" costs PostgreSQL here). One script per sample row.
        bare = bare_scripts(db, {k for k in scen if k in ("a", "b", "b_deep", "d")})
        results["bare_statements"] = {k: v[0] for k, v in bare.items()}

        # 4. Load: every scenario against a fresh server (logins renewed), then its pgbench script.
        server = Server(args.bin, db, args.port, workdir)
        servers.append(server)
        targets, tokens = build_targets(server.url, sz, 8 if not args.quick else 4)
        targets = {k: v for k, v in targets.items() if k == "healthz" or k in scen}
        if "b_deep" in scen:
            targets["b_deep"] = [("GET", f"/api/v1/sessions?couple_id={couple_id(1)}&limit=25&cursor={c}",
                                  tokens[1], None) for c in deep_cursors(server.url, tokens[1], sz)]
        order = ["healthz"] + [s for s in ["a", "b", "b_deep", "d", "c", "e", "f", "g"] if s in scen]
        for name in order:
            r = {"title": TITLES[name]}
            # wrk warm-up, one second, not counted; then a checkpoint, so that one started by an
            # earlier run's writes does not land on this run (pgbench gets the same).
            run_wrk(server.url, targets[name], workdir, name + "-warm", conns, 1)
            psql(db, "CHECKPOINT")
            server.reset_peak()
            # Mend and pgbench take turns in `rounds` short runs: the VM's speed drifts by tens of
            # percent over minutes, and alternating puts both sides of a ratio in the same minutes.
            runs, pg_runs, alone_runs, login_runs, bare_runs = [], [], [], [], []
            for i in range(rounds):
                if name == "e":
                    # (a) alone, then (a) with logins: the baseline from the same minute.
                    alone_runs.append(run_wrk(server.url, targets[name], workdir, f"{name}-alone-{i}", conns, part))
                    psql(db, "CHECKPOINT")
                    logins = LoginLoad(server.url, [f"counselor{k}@bench.example.org"
                                                    for k in range(1, sz["counselors"] + 1)], 20)
                    logins.start()
                    runs.append(run_wrk(server.url, targets[name], workdir, f"{name}-{i}", conns, part))
                    logins.stop_flag.set()
                    logins.join()
                    login_runs.append(logins.result())
                    if login_runs[-1]["ok"] != login_runs[-1]["logins"]:
                        raise BenchError(f"logins failed during (e): {login_runs[-1]}")
                else:
                    runs.append(run_wrk(server.url, targets[name], workdir, f"{name}-{i}", conns, part))
                if runs[-1]["errors"]:
                    raise BenchError(f"{name}: {runs[-1]['errors']} failed requests under load "
                                     f"(non-2xx {runs[-1]['non_2xx']}, first: {runs[-1]['first_bad']})")
                if name in scripts:
                    psql(db, "CHECKPOINT")
                    pg_runs.append(run_pgbench(db, scripts[name], workdir, f"{name}-{i}", conns, part))
                if name in bare:
                    bare_runs.append(run_pgbench(db, bare[name], workdir, f"{name}-bare-{i}", conns, part))
            r["rounds"] = rounds
            r["mend"] = combine_runs(runs, "rps", "requests")
            if alone_runs:
                r["alone"] = combine_runs(alone_runs, "rps", "requests")
                r["logins"] = combine_logins(login_runs)
                log(f"e: (a) alone in the same rounds: {r['alone']['rps']:.0f} req/s")
            r["mend"]["peak_rss_mb"] = round(server.rss_kb()["VmHWM"] / 1024, 1)
            if not server.alive():
                raise BenchError(f"the server died during {name}")
            log(f"{name}: {r['mend']['rps']:.0f} req/s p50 {r['mend']['p50_ms']:.2f} ms p99 "
                f"{r['mend']['p99_ms']:.2f} ms, {r['mend']['errors']} errors, peak RSS {r['mend']['peak_rss_mb']} MB")
            if pg_runs:
                r["pgbench"] = combine_runs(pg_runs, "tps", "transactions")
                r["ratio"] = round(r["mend"]["rps"] / r["pgbench"]["tps"], 3)
                r["ratio_rounds"] = [round(m["rps"] / p["tps"], 3) for m, p in zip(runs, pg_runs)]
                log(f"{name}: pgbench of the same statements {r['pgbench']['tps']:.0f} tps p50 "
                    f"{r['pgbench']['p50_ms']:.2f} ms -> ratio {r['ratio']:.2f} (rounds: {r['ratio_rounds']})")
            if bare_runs:
                r["bare"] = combine_runs(bare_runs, "tps", "transactions")
                r["ratio_bare"] = round(r["mend"]["rps"] / r["bare"]["tps"], 3)
                log(f"{name}: pgbench bare primary-key read {r['bare']['tps']:.0f} tps -> ratio {r['ratio_bare']:.2f}")
            if name in ("a", "b", "d", "f", "g") and not args.no_open_loop:
                rate = max(1, int(r["mend"]["rps"] / 2))
                server.reset_peak()
                if oha:
                    r["open_loop"] = open_loop_oha(oha, server.url, targets[name], rate, secs, workdir, name)
                else:
                    r["open_loop"] = open_loop(server.url, targets[name], rate, secs)
                    r["open_loop"]["generator"] = "python"
                ol = r["open_loop"]
                log(f"{name}: open loop at {rate}/s: achieved {ol['achieved_rps']}/s p50 {ol['p50_ms']} ms "
                    f"p99 {ol['p99_ms']} ms, {ol['non_2xx']} non-2xx, {ol['sender_late']} sent late")
                if ol["non_2xx"]:
                    raise BenchError(f"{name}: {ol['non_2xx']} non-2xx answers in the open-loop run")
            results["scenarios"][name] = r

        server.stop()
        servers.remove(server)

        # 4b. The audit sealer: events sealed per second, beside the audited read rate of (a).
        if not args.no_seal:
            results["sealer"] = measure_sealer(args.bin, db, 20000 if args.quick else 200000)
            sl = results["sealer"]
            reads = results["scenarios"].get("a", {}).get("mend", {}).get("rps")
            log(f"sealer: {sl['events']} events in {sl['seconds']} s = {sl['events_per_s']}/s"
                + (f" ({sl['events_per_s'] / reads:.1f}x the audited read rate of (a), {reads:.0f}/s)" if reads else "")
                + f"; verify of {sl['chain']} events: {sl['verify_seconds']} s, ok={sl['verify_ok']}")
            if not sl["verify_ok"]:
                raise BenchError("mend audit verify failed after the sealer's run")

        # 5. Scale: (b) against the small practice, same concurrency.
        if "b" in scen:
            server = Server(args.bin, db_small, args.port, workdir)
            servers.append(server)
            st, _ = build_targets(server.url, small, 4)
            run_wrk(server.url, st["b"], workdir, "scale-warm", conns, 1)
            server.reset_peak()
            r = {"title": TITLES["scale_small"], "mend": run_wrk(server.url, st["b"], workdir, "scale", conns, secs)}
            r["mend"]["peak_rss_mb"] = round(server.rss_kb()["VmHWM"] / 1024, 1)
            if r["mend"]["errors"]:
                raise BenchError(f"scale: {r['mend']['errors']} failed requests: {r['mend']['first_bad']}")
            results["scenarios"]["scale_small"] = r
            big = results["scenarios"]["b"]["mend"]["p50_ms"]
            results["scale"] = {"sessions_small": small["sessions"], "sessions_large": sz["sessions"],
                                "p50_small_ms": r["mend"]["p50_ms"], "p50_large_ms": big,
                                "ratio": round(big / r["mend"]["p50_ms"], 3) if r["mend"]["p50_ms"] else None}
            server.stop()
            servers.remove(server)

        # 6. Soak, last (it measures memory, not speed): a fresh server and fresh tokens (they
        # live 15 minutes), every scenario's requests mixed, logins at 2/s, RSS sampled.
        if soak > 0:
            server = Server(args.bin, db, args.port, workdir)
            servers.append(server)
            st, _ = build_targets(server.url, sz, 8 if not args.quick else 4)
            results["soak"] = run_soak(server, st, scen, sz, workdir, conns, soak)
            server.stop()
            servers.remove(server)
    except BenchError as e:
        log(f"FAILED: {e}")
        results["failed"] = str(e)
    finally:
        for s in servers:
            s.stop()
        results["machine"]["load_after"] = open("/proc/loadavg").read().split()[:3]
        if not args.keep_db and not args.reuse_db:
            drop_db(db)
            drop_db(db_small)

    sys.path.insert(0, HERE)
    import report
    verdicts = report.targets(results)
    results["targets"] = verdicts
    text = report.markdown(results)
    print("\n" + text)
    os.makedirs(args.out, exist_ok=True)
    stamp = dt.datetime.now().strftime("%Y-%m-%d")
    base = os.path.join(args.out, f"{stamp}{'-quick' if args.quick else ''}")
    with open(base + ".md", "w") as f:
        f.write(text)
    with open(base + ".json", "w") as f:
        json.dump(results, f, indent=2)
    log(f"wrote {base}.md and {base}.json")
    if "failed" in results:
        return 1
    if args.enforce and not args.quick and any(v["met"] is False for v in verdicts):
        return 3
    return 0


if __name__ == "__main__":
    sys.exit(main())
