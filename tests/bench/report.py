#!/usr/bin/env python3
"""Renders a benchmark result (the JSON bench.py writes) as the markdown table, and judges the
issue's targets. `python3 tests/bench/report.py results/<date>.json` prints it again."""
import json
import sys

ORDER = ["healthz", "a", "b", "b_deep", "c", "d", "e", "f", "g", "scale_small"]


def targets(r):
    """[{target, value, met}], met is None when it could not be measured in this run."""
    s = r.get("scenarios", {})
    out = []

    def add(name, value, met):
        out.append({"target": name, "value": value, "met": met})

    for k in ("a", "b"):
        ratio = s.get(k, {}).get("ratio")
        add(f"({k}) >= 60% of pgbench of the same statements", f"{ratio:.0%}" if ratio is not None else "n/a",
            None if ratio is None else ratio >= 0.6)
    bare = s.get("a", {}).get("ratio_bare")
    add("(a) >= 40% of a bare primary-key read on clients (pgbench)", f"{bare:.0%}" if bare is not None else "n/a",
        None if bare is None else bare >= 0.4)
    for k in ("a", "b", "d"):
        ol = s.get(k, {}).get("open_loop")
        add(f"({k}) p99 <= 10 ms at half its peak rate (open loop)",
            f"{ol['p99_ms']:.2f} ms at {ol['rate']}/s" if ol else "n/a", None if not ol else ol["p99_ms"] <= 10)
    # The counselor's screens: the worklist (f) and a page of couples (g) against a client read (a),
    # in the same run: p99 at 8 connections (closed loop) and at half the peak rate (open loop).
    a_rps = (s.get("a", {}).get("mend") or {}).get("rps")
    for k in ("f", "g"):
        m = s.get(k, {}).get("mend")
        add(f"({k}) p99 <= 25 ms at 8 connections", f"{m['p99_ms']:.2f} ms" if m else "n/a",
            None if not m else m["p99_ms"] <= 25)
        ol = s.get(k, {}).get("open_loop")
        add(f"({k}) p99 <= 25 ms at half its peak rate (open loop)",
            f"{ol['p99_ms']:.2f} ms at {ol['rate']}/s" if ol else "n/a", None if not ol else ol["p99_ms"] <= 25)
        add(f"({k}) >= 50% of (a)'s req/s", f"{m['rps'] / a_rps:.0%} ({m['rps']:.0f} vs {a_rps:.0f} req/s)" if m and a_rps else "n/a",
            None if not (m and a_rps) else m["rps"] / a_rps >= 0.5)
    c = s.get("c", {}).get("mend")
    add("(c) >= 1,500 notes/s", f"{c['rps']:.0f}/s" if c else "n/a", None if not c else c["rps"] >= 1500)
    # The baseline is (a) run alone just before (e) (older results: (a)'s own run).
    a, e = s.get("e", {}).get("alone") or s.get("a", {}).get("mend"), s.get("e", {}).get("mend")
    if a and e:
        loss = 1 - e["rps"] / a["rps"]
        add("(e) reads lose <= 20% with logins at 20/s",
            f"{loss:.0%} ({e['rps']:.0f} vs {a['rps']:.0f} req/s alone just before)", loss <= 0.2)
    else:
        add("(e) reads lose <= 20% with logins at 20/s", "n/a", None)
    peaks = [v["mend"]["peak_rss_mb"] for v in s.values() if "mend" in v]
    add("peak RSS <= 100 MB", f"{max(peaks):.1f} MB" if peaks else "n/a", None if not peaks else max(peaks) <= 100)
    so = r.get("soak")
    long_soak = so and so["seconds"] >= 600
    add("no RSS growth over a 10-minute soak (last minute vs second minute, <= 5 MB)",
        f"{so['growth_mb']:+.1f} MB ({so['rss_early_mb']} -> {so['rss_late_mb']} MB, max {so['rss_max_mb']} MB, "
        f"{so['seconds']} s, {so['requests']:,} requests, {so['logins']} logins)" if so else "n/a",
        None if not long_soak else so["growth_mb"] <= 5)
    if so:
        peaks.append(so["rss_max_mb"])
        out[-2] = {"target": "peak RSS <= 100 MB", "value": f"{max(peaks):.1f} MB", "met": max(peaks) <= 100}
    sc = r.get("scale")
    add("scale: p50 of (b) at 1M / at 1k sessions <= 1.3",
        f"{sc['ratio']:.2f} ({sc['p50_large_ms']:.2f} / {sc['p50_small_ms']:.2f} ms, "
        f"{sc['sessions_large']:,} vs {sc['sessions_small']:,} sessions)" if sc and sc.get("ratio") else "n/a",
        None if not sc or not sc.get("ratio") else sc["ratio"] <= 1.3)
    return out


def fmt(v, spec=".2f"):
    return "" if v is None else format(v, spec)


def markdown(r):
    m = r["machine"]
    lines = [f"# Mend benchmark, {m['date']} ({r['mode']} mode)", ""]
    if r["mode"] == "quick":
        lines += ["Quick mode: small data and a few seconds per run, to keep the harness working. "
                  "Its numbers are not a measurement; targets are shown, not enforced.", ""]
    lines += [
        f"- machine: {m['cores']} cores ({m['cpu']}), {m['mem_gb']} GB, Linux {m['kernel']}",
        f"- load average before / after: {' '.join(m['load_before'])} / {' '.join(m.get('load_after', []))}"
        " (above ~0.5 before, other work shared the cores and the numbers are low)",
        f"- mend {m['mend_commit']} ({m['rustc']}), PostgreSQL {m['postgres']}, {m['wrk']}, {m['pgbench']}, open loop: {m.get('oha', 'Python generator')}",
        f"- PostgreSQL settings: {m['pg_settings']}",
        f"- load: wrk (closed loop) and pgbench at {r['connections']} connections, {r['duration_s']} s each per scenario"
        + (f", taking turns in {r['rounds']} rounds of {r['duration_s'] // r['rounds']} s (rates over the summed time, "
           "p50/p99 the median of the rounds')" if r.get("rounds", 1) > 1 else "")
        + ", after a 1 s warm-up; server with MEND_LOG=warn, MEND_LOGIN_LIMIT_PER_IP=0, default pool (PostgreSQL: 4 connections per core)",
    ]
    for db, sd in r.get("seed", {}).items():
        sizes = ", ".join(f"{k} {v:,}" for k, v in sd["sizes"].items())
        lines.append(f"- {db}: {sizes}" + (f"; seeded in {sd['seconds']:.0f} s, {sd['size']}" if "seconds" in sd
                                            else " (reused)"))
    lines += ["", "| scenario | req/s | p50 ms | p99 ms | peak RSS MB | pgbench tps | pgbench p50 ms | ratio | "
              "bare read tps | ratio to a bare read | open loop: rate, p99 ms |",
              "|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---|"]
    for k in ORDER:
        v = r.get("scenarios", {}).get(k)
        if not v:
            continue
        mm, pg, ol = v["mend"], v.get("pgbench"), v.get("open_loop")
        lines.append(f"| {v['title']} | {mm['rps']:.0f} | {mm['p50_ms']:.2f} | {mm['p99_ms']:.2f} | "
                     f"{mm['peak_rss_mb']} | {fmt(pg and pg['tps'], '.0f')} | {fmt(pg and pg['p50_ms'])} | "
                     f"{fmt(v.get('ratio'), '.0%')} | "
                     f"{fmt(v.get('bare') and v['bare']['tps'], '.0f')} | {fmt(v.get('ratio_bare'), '.0%')} | "
                     f"{'' if not ol else str(ol['rate']) + '/s: ' + format(ol['p99_ms'], '.2f')} |")
    e = r.get("scenarios", {}).get("e", {}).get("logins")
    if e:
        lines.append("")
        lines.append(f"Logins during (e): {e['logins']} at {e['rate']}/s, {e['ok']} ok, p50 {e['p50_ms']} ms, "
                     f"p99 {e['p99_ms']} ms.")
    sl = r.get("sealer")
    if sl:
        reads = r.get("scenarios", {}).get("a", {}).get("mend", {}).get("rps")
        lines.append("")
        lines.append(f"Audit sealer: {sl['events']:,} events sealed in {sl['seconds']} s = {sl['events_per_s']:,} events/s"
                     + (f", {sl['events_per_s'] / reads:.1f}x the audited read rate of (a) ({reads:.0f}/s)" if reads else "")
                     + f"; `mend audit verify` of the whole chain ({sl['chain']:,} events): {sl['verify_seconds']} s.")
    lines += ["", "| target | measured | met |", "|---|---|---|"]
    for t in r.get("targets", []):
        met = {True: "yes", False: "**no**", None: "not measured"}[t["met"]]
        lines.append(f"| {t['target']} | {t['value']} | {met} |")
    lines += ["", "Notes:", "",
              "- ratio = Mend's requests/s over pgbench's transactions/s, where one pgbench transaction is "
              "exactly the statements one request issued (captured from PostgreSQL's statement log, with "
              "their bound values; ids Mend makes fresh become a new time-ordered id per transaction), at the same "
              "concurrency, `-M prepared`.",
              "- wrk is closed loop. The open-loop column comes from oha (`-q` at half the closed-loop rate, "
              "`--latency-correction`, 16 connections, one caller's requests of the scenario) or, where oha is "
              "not installed, a Python generator that sends at a fixed rate and counts latency from the "
              "scheduled send time; either shares the cores with the server.",
              "- peak RSS is VmHWM of the server process, reset before each run (/proc/PID/clear_refs)."]
    for n in r.get("notes", []):
        lines.append(f"- {n}")
    if r.get("failed"):
        lines += ["", f"**FAILED**: {r['failed']}"]
    return "\n".join(lines) + "\n"


if __name__ == "__main__":
    with open(sys.argv[1]) as f:
        res = json.load(f)
    res.setdefault("targets", targets(res))
    print(markdown(res))
