#!/usr/bin/env python3
"""Turns the raw lines written by run.sh into the Markdown report.

Each raw line is space-separated key=value pairs: round, workload, server, status and the
figures of one run. Every figure in the tables is the median over the rounds that succeeded. The
ratio section compares our sample with each peer round by round (ours ÷ peer, both measured in the
same round) and gives each ratio's minimum, median and maximum; a target counts as met only when
ours is on the right side of it in at least 4 of every 5 rounds.
"""
import math
import argparse
import statistics
import sys

SERVER_ORDER = ["c-echo", "sample", "netty-io_uring", "netty-epoll", "netty-nio", "netty-tls-jdk",
                "netty-tls-openssl", "redis"]
SERVER_LABELS = {
    "c-echo": "C io_uring echo (reference)",
    "sample": "our sample app",
    "sample-b": "the sample app, second build (SAMPLE_B_JAR)",
    "netty-io_uring": "Netty io_uring",
    "netty-epoll": "Netty epoll",
    "netty-nio": "Netty NIO",
    "redis": "redis-server",
    "netty-tls-jdk": "Netty io_uring + SslHandler (JDK)",
    "netty-tls-openssl": "Netty io_uring + SslHandler (OpenSSL)",
}
RESP_TESTS = ["ping_inline", "ping_mbulk", "set", "get"]


def parse(path):
    runs = []
    with open(path) as f:
        for line in f:
            fields = dict(part.split("=", 1) for part in line.split() if "=" in part)
            if fields:
                runs.append(fields)
    return runs


def median(runs, key):
    values = []
    for run in runs:
        try:
            values.append(float(run[key]))
        except (KeyError, ValueError):
            pass
    return statistics.median(values) if values else None


def fmt(value, digits=2):
    if value is None:
        return "–"
    if digits == 0:
        return f"{value:,.0f}"
    return f"{value:.{digits}f}"


def ordered(servers):
    known = [s for s in SERVER_ORDER if s in servers]
    return known + sorted(s for s in servers if s not in SERVER_ORDER)


def echo_title(workload):
    tls = workload.startswith("tls-")
    spec = workload[len("tls-echo-" if tls else "echo-"):].split("-")
    conns, inflight, size = spec[0][1:], spec[1][1:], spec[2][1:]
    size = f"{int(size[:-1])} KiB" if size.endswith("k") else f"{size} B"
    return f"{'TLS 1.3 echo' if tls else 'Echo'}: {conns} connections × {inflight} in flight × {size}"


def echo_table(workload, runs):
    out = [f"### {echo_title(workload)}", ""]
    servers = ordered({r["server"] for r in runs})
    ok = {s: [r for r in runs if r["server"] == s and r.get("status") == "OK"] for s in servers}
    tls = workload.startswith("tls-")
    reference = median(ok.get("netty-tls-jdk" if tls else "c-echo", []), "msgs_per_s")
    out.append(f"| server | ok runs | msgs/s | {'× Netty-JDK' if tls else '× C'} | MB/s | p50 µs | p99 µs | p99.9 µs "
               "| CPU µs/msg user | sys | total | server CPU busy | enters/msg | loadgen CPU µs/msg | host steal |")
    out.append("|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|")
    for s in servers:
        good = ok[s]
        total = len([r for r in runs if r["server"] == s])
        rate = median(good, "msgs_per_s")
        ratio = rate / reference if rate is not None and reference else None
        out.append("| " + " | ".join([
            SERVER_LABELS.get(s, s),
            f"{len(good)}/{total}",
            fmt(rate, 0),
            fmt(ratio, 3),
            fmt(median(good, "mb_per_s"), 1),
            fmt(median(good, "p50_us"), 1),
            fmt(median(good, "p99_us"), 1),
            fmt(median(good, "p999_us"), 1),
            fmt(median(good, "server_user_us_per_msg"), 3),
            fmt(median(good, "server_sys_us_per_msg"), 3),
            fmt(median(good, "server_cpu_us_per_msg"), 3),
            fmt(median(good, "server_cpu_util"), 2),
            fmt(median(good, "enters_per_msg"), 3),
            fmt(median(good, "loadgen_cpu_us_per_msg"), 3),
            fmt(median(good, "host_steal"), 3),
        ]) + " |")
    out.append("")
    return out


def round_ratios(workload, runs, ours, peers, key):
    """Per-round ratios ours ÷ peer of one measure, for the servers of one workload."""
    rounds = sorted({r["round"] for r in runs}, key=int)
    out = []
    for peer in peers:
        cells = []
        for rnd in rounds:
            a = [r for r in runs if r["round"] == rnd and r["server"] == ours and r.get("status") == "OK"]
            b = [r for r in runs if r["round"] == rnd and r["server"] == peer and r.get("status") == "OK"]
            va, vb = median(a, key), median(b, key)
            cells.append(fmt(va / vb, 2) if va is not None and vb else "–")
        if any(c != "–" for c in cells):
            out.append(f"| {workload} | {key} | {SERVER_LABELS.get(peer, peer)} | " + ", ".join(cells) + " |")
    return out


def tls_ratio_section(runs):
    tls = sorted({r["workload"] for r in runs if r["workload"].startswith("tls-echo-")})
    if not tls:
        return []
    out = ["### TLS: ours ÷ peer, per round", "",
           "Throughput above 1 and CPU per message below 1 favour ours; \"plaintext\" is our own echo "
           "listener in the same round.", "",
           "| workload | measure | peer | per round |", "|---|---|---|---|"]
    for workload in tls:
        of_workload = [r for r in runs if r["workload"] == workload]
        plain = [dict(r, server="plaintext") for r in runs
                 if r["workload"] == workload[len("tls-"):] and r["server"] == "sample"]
        for key in ("msgs_per_s", "server_cpu_us_per_msg"):
            out += round_ratios(workload, of_workload + plain, "sample",
                                ["netty-tls-jdk", "netty-tls-openssl", "plaintext"], key)
    out.append("")
    return out


def resp_table(workload, runs):
    tls = workload.startswith("tls-")
    pipeline = workload[len("tls-resp-p" if tls else "resp-p"):]
    out = [f"### redis-benchmark{' --tls' if tls else ''}, 50 connections, -P {pipeline}", ""]
    out.append("| test | server | ok runs | requests/s | × redis | p50 ms | p99 ms "
               "| CPU µs/req user | sys | total |")
    out.append("|---|---|---|---|---|---|---|---|---|---|")
    servers = ordered({r["server"] for r in runs})
    for test in RESP_TESTS:
        of_test = [r for r in runs if r.get("test") == test or (r.get("status") == "NOSTART")]
        ok = {s: [r for r in of_test if r["server"] == s and r.get("status") == "OK"] for s in servers}
        reference = median(ok.get("redis", []), "rps")
        for s in servers:
            good = ok[s]
            total = len([r for r in of_test if r["server"] == s])
            rate = median(good, "rps")
            ratio = rate / reference if rate is not None and reference else None
            out.append("| " + " | ".join([
                test,
                SERVER_LABELS.get(s, s),
                f"{len(good)}/{total}",
                fmt(rate, 0),
                fmt(ratio, 3),
                fmt(median(good, "p50_ms"), 3),
                fmt(median(good, "p99_ms"), 3),
                fmt(median(good, "server_user_us_per_msg"), 3),
                fmt(median(good, "server_sys_us_per_msg"), 3),
                fmt(median(good, "server_cpu_us_per_msg"), 3),
            ]) + " |")
    out.append("")
    return out


OURS = "sample"
# (peer, figure, label, target, direction): ours ÷ peer must be >= target ("ge") or <= target ("le").
ECHO_RATIOS = [
    ("netty-io_uring", "msgs_per_s", "msgs/s ours ÷ Netty io_uring", 1.00, "ge"),
    ("c-echo", "msgs_per_s", "msgs/s ours ÷ C", 0.98, "ge"),
    ("netty-io_uring", "server_cpu_us_per_msg", "server CPU/msg ours ÷ Netty io_uring", 1.00, "le"),
    ("c-echo", "server_cpu_us_per_msg", "server CPU/msg ours ÷ C", None, "le"),
    ("netty-io_uring", "loadgen_cpu_us_per_msg", "loadgen CPU/msg ours ÷ Netty io_uring", None, "le"),
    ("c-echo", "p999_us", "p99.9 ours ÷ C", 1.30, "le"),
    ("sample-b", "msgs_per_s", "msgs/s ours ÷ second build", None, "ge"),
    ("sample-b", "server_cpu_us_per_msg", "server CPU/msg ours ÷ second build", None, "le"),
    ("sample-b", "loadgen_cpu_us_per_msg", "loadgen CPU/msg ours ÷ second build", None, "le"),
]
RESP_RATIOS = [
    ("netty-io_uring", "rps", "requests/s ours ÷ Netty io_uring", 1.00, "ge"),
    ("redis", "rps", "requests/s ours ÷ redis-server", 1.05, "ge"),
    ("netty-io_uring", "server_cpu_us_per_msg", "server CPU/req ours ÷ Netty io_uring", None, "le"),
    ("sample-b", "rps", "requests/s ours ÷ second build", None, "ge"),
    ("sample-b", "server_cpu_us_per_msg", "server CPU/req ours ÷ second build", None, "le"),
]


def value(run, key):
    try:
        return float(run[key])
    except (KeyError, ValueError):
        return None


def per_round(runs, peer, key):
    """Ratios ours ÷ peer, one per round in which both succeeded, in round order."""
    by_round = {}
    for r in runs:
        if r.get("status") == "OK" and r["server"] in (OURS, peer):
            by_round.setdefault(int(r["round"]), {})[r["server"]] = value(r, key)
    ratios = []
    for rnd in sorted(by_round):
        ours, theirs = by_round[rnd].get(OURS), by_round[rnd].get(peer)
        if ours is not None and theirs:
            ratios.append(ours / theirs)
    return ratios


def verdict(ratios, target, direction, rounds):
    if target is None or not ratios:
        return "", ""
    wins = sum(1 for x in ratios if (x >= target if direction == "ge" else x <= target))
    needed = math.ceil(0.8 * rounds)
    sign = "≥" if direction == "ge" else "≤"
    if rounds < 5:
        result = f"{wins} of {len(ratios)} (fewer than 5 rounds: no verdict)"
    elif wins >= needed:
        result = f"**met**: {wins} of {len(ratios)}"
    else:
        result = f"not met: {wins} of {len(ratios)}"
    return f"{sign} {target:.2f}", result


def ratio_rows(title, runs, specs, rounds):
    rows = []
    for peer, key, label, target, direction in specs:
        ratios = per_round(runs, peer, key)
        if not ratios:
            continue
        goal, result = verdict(ratios, target, direction, rounds)
        rows.append("| " + " | ".join([
            title, label, ", ".join(f"{x:.2f}" for x in ratios),
            f"{min(ratios):.2f}", f"{statistics.median(ratios):.2f}", f"{max(ratios):.2f}", goal, result,
        ]) + " |")
    return rows


def ratio_section(runs):
    rounds = len({r["round"] for r in runs})
    rows = []
    for workload in workloads_of(runs):
        of_workload = [r for r in runs if r["workload"] == workload]
        if workload.startswith("echo-"):
            rows += ratio_rows(echo_title(workload)[len("Echo: "):], of_workload, ECHO_RATIOS, rounds)
        elif workload.startswith("resp-"):
            for test in RESP_TESTS:
                of_test = [r for r in of_workload if r.get("test") == test]
                rows += ratio_rows(f"RESP -P {workload[len('resp-p'):]} {test}", of_test, RESP_RATIOS, rounds)
    if not rows:
        return []
    out = ["### Per-round ratios: ours ÷ peer, same round", "",
           f"{rounds} round(s). A throughput ratio above 1 and a CPU or latency ratio below 1 favour ours. "
           "A target is met when ours is on its side in at least 4 of 5 rounds (80% of the rounds).", "",
           "| workload | ratio | per round | min | median | max | target | ours on the target's side |",
           "|---|---|---|---|---|---|---|---|"]
    return out + rows + [""]


def workloads_of(runs):
    workloads = []
    for r in runs:
        if r["workload"] not in workloads:
            workloads.append(r["workload"])
    return workloads


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("raw")
    parser.add_argument("--meta", action="append", default=[])
    args = parser.parse_args()
    runs = parse(args.raw)

    out = ["# Benchmark results", ""]
    for item in args.meta:
        key, _, value = item.partition("=")
        out.append(f"- **{key}**: {value}")
    out += ["", "Medians over the rounds. \"× C\" is throughput relative to the C io_uring echo server, "
            "\"× redis\" relative to redis-server, both from this run. CPU is the server process's "
            "utime/stime over the measured window divided by messages (or requests); it has the "
            "resolution of one clock tick, 10 ms over the whole window. \"server CPU busy\" is the server's "
            "CPU time over wall time: well below 1 means the server was waiting for the load generator.", ""]

    out += ratio_section(runs)
    for workload in workloads_of(runs):
        of_workload = [r for r in runs if r["workload"] == workload]
        if workload.startswith("echo-") or workload.startswith("tls-echo-"):
            out += echo_table(workload, of_workload)
        elif workload.startswith("resp-") or workload.startswith("tls-resp-"):
            out += resp_table(workload, of_workload)
    out += tls_ratio_section(runs)

    failed = [r for r in runs if r.get("status") != "OK"]
    if failed:
        out += ["### Failed runs", ""]
        for r in failed:
            out.append(f"- round {r['round']}, {r['workload']}, {r['server']}: {r.get('status')}"
                       + (f" ({r['test']})" if "test" in r else "")
                       + (f", exit {r['rc']}" if "rc" in r else ""))
        out.append("")
    sys.stdout.write("\n".join(out))


if __name__ == "__main__":
    main()
