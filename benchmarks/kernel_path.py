#!/usr/bin/env python3
"""Where the kernel time goes, per message, for each echo server at one workload.

Runs each server pinned to SERVER_CPU with the load generator on LOAD_CPU (as run.sh does), rotates the
servers within each round, and over the middle of each measured window counts, with `perf stat` on the
server's and the load generator's threads:
  io_uring tracepoints (requests submitted, completions, poll arms, task work, waits),
  system calls entered, context switches, and packets handed to the loopback device.
Every count is divided by the messages completed in that interval (the load generator's rate times the
interval), so servers can be compared per message. With --profile, it also samples the server's kernel
stacks (`perf record`, cpu-clock) in a separate run and lists the top kernel symbols.

Usage (from the repository root, after `mvn -B -q -DskipTests package`):
  benchmarks/kernel_path.py [--conns 1000] [--inflight 1] [--size 64] [--rounds 3] [--profile]
Writes benchmarks/results/KERNEL-PATH-<stamp>.md. Ports are private (17xxx) so a running sample
elsewhere on the machine is not measured by mistake.
"""
import argparse
import datetime
import glob
import os
import re
import signal
import socket
import statistics
import subprocess
import sys
import time

BENCH = os.path.dirname(os.path.abspath(__file__))
REPO = os.path.dirname(BENCH)
BUILD = os.path.join(BENCH, "build")
JAVA_HOME = os.environ.get("JAVA_HOME", "/usr/lib/jvm/temurin-25-jdk-amd64")
JAVA = os.path.join(JAVA_HOME, "bin", "java")
SERVER_CPU = os.environ.get("SERVER_CPU", "0")
LOAD_CPU = os.environ.get("LOAD_CPU", "1")
PORTS = {"c-echo": 17201, "sample": 17200, "netty-io_uring": 17202}

SERVER_EVENTS = [
    "io_uring:io_uring_submit_req", "io_uring:io_uring_complete", "io_uring:io_uring_poll_arm",
    "io_uring:io_uring_task_add", "io_uring:io_uring_task_work_run", "io_uring:io_uring_local_work_run",
    "io_uring:io_uring_cqring_wait", "io_uring:io_uring_queue_async_work", "io_uring:io_uring_short_write",
    "raw_syscalls:sys_enter", "sched:sched_switch", "net:net_dev_xmit",
]
LOADGEN_EVENTS = ["raw_syscalls:sys_enter", "sched:sched_switch", "net:net_dev_xmit"]


def sh(cmd, **kw):
    return subprocess.run(cmd, shell=True, check=True, **kw)


def build(servers):
    os.makedirs(BUILD, exist_ok=True)
    sh(f"gcc -O2 -Wall -o {BUILD}/loadgen {BENCH}/loadgen/loadgen.c")
    if "c-echo" in servers:
        sh(f"gcc -O2 -Wall -o {BUILD}/c-echo {BENCH}/c-echo/echo.c -luring")
    if "netty-io_uring" in servers and not os.path.exists(f"{BENCH}/netty/target/classpath.txt"):
        sh(f"mvn -q -B -f {BENCH}/netty/pom.xml package dependency:build-classpath "
           f"-Dmdep.outputFile=target/classpath.txt")


def port_free(port):
    with socket.socket() as s:
        return s.connect_ex(("127.0.0.1", port)) != 0


def wait_port(port, proc, deadline=60):
    end = time.time() + deadline
    while time.time() < end:
        if proc.poll() is not None:
            raise RuntimeError(f"server exited with {proc.returncode} before listening on {port}")
        if not port_free(port):
            return
        time.sleep(0.1)
    raise RuntimeError(f"nothing listens on {port} after {deadline} s")


def start(server, log):
    port = PORTS[server]
    if not port_free(port):
        raise RuntimeError(f"port {port} is already taken by another process")
    pin = ["taskset", "-c", SERVER_CPU]
    if server == "c-echo":
        cmd = pin + [f"{BUILD}/c-echo", str(port), f"{BUILD}/c-echo-enters-kp.bin"]
    elif server == "netty-io_uring":
        cp = f"{BENCH}/netty/target/netty-peers-0.1.0-SNAPSHOT.jar:" + open(f"{BENCH}/netty/target/classpath.txt").read().strip()
        cmd = pin + [JAVA, "--enable-native-access=ALL-UNNAMED", "-cp", cp, "dev.iouring.benchmarks.netty.PeerServer",
                     "--transport", "io_uring", "--protocol", "echo", "--port", str(port)]
    else:
        jar = os.environ.get("SAMPLE_JAR") or [j for j in glob.glob(f"{REPO}/sample-app/target/sample-app-*.jar")
                                               if not j.endswith((".original", "-sources.jar"))][0]
        cmd = pin + [JAVA, "--enable-native-access=ALL-UNNAMED", "-jar", jar, "--iouring.server.event-loops=1",
                     f"--iouring.server.listeners.echo.port={port}", "--iouring.server.listeners.resp.port=0",
                     "--iouring.server.listeners.line.port=0", "--iouring.server.listeners.resp-tls.port=0",
                     "--iouring.server.listeners.echo-tls.port=0", "--server.port=0"]
    proc = subprocess.Popen(cmd, stdout=log, stderr=subprocess.STDOUT)
    wait_port(port, proc)
    return proc, port


def perf_stat(pid, events, seconds):
    """Counts events over every thread of pid for the given seconds; returns {event: count}."""
    out = subprocess.run(["perf", "stat", "-x", ",", "--no-big-num", "-e", ",".join(events), "-p", str(pid),
                          "--", "sleep", str(seconds)], capture_output=True, text=True)
    counts = {}
    for line in out.stderr.splitlines():
        parts = line.split(",")
        if len(parts) > 2 and parts[2] in events:
            counts[parts[2]] = float(parts[0]) if parts[0].replace(".", "").isdigit() else float("nan")
    return counts


def one_run(server, args, log):
    proc, port = start(server, log)
    try:
        time.sleep(1)
        lg = subprocess.Popen(["taskset", "-c", LOAD_CPU, f"{BUILD}/loadgen", "--port", str(port),
                               "-c", str(args.conns), "-p", str(args.inflight), "-s", str(args.size),
                               "--warmup", str(args.warmup), "--duration", str(args.duration),
                               "--server-pid", str(proc.pid)], stdout=subprocess.PIPE, text=True)
        time.sleep(args.warmup + 1)
        window = max(1, args.duration - 2)
        import threading
        result = {}
        t = threading.Thread(target=lambda: result.update(lg=perf_stat(lg.pid, LOADGEN_EVENTS, window)))
        t.start()
        srv = perf_stat(proc.pid, SERVER_EVENTS, window)
        t.join()
        line = lg.communicate(timeout=args.duration + 120)[0]
        fields = dict(kv.split("=", 1) for kv in line.split()[1:] if "=" in kv)
        msgs = float(fields["msgs_per_s"]) * window
        row = {"msgs_per_s": float(fields["msgs_per_s"]),
               "server_cpu": float(fields.get("server_cpu_us_per_msg", "nan")),
               "server_sys": float(fields.get("server_sys_us_per_msg", "nan")),
               "loadgen_cpu": float(fields.get("loadgen_cpu_us_per_msg", "nan"))}
        for e, v in srv.items():
            row["srv " + e.split(":")[1]] = v / msgs
        for e, v in result.get("lg", {}).items():
            row["lg " + e.split(":")[1]] = v / msgs
        return row
    finally:
        proc.send_signal(signal.SIGTERM)
        try:
            proc.wait(timeout=30)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()


def profile(server, args, log, seconds=6):
    proc, port = start(server, log)
    data = os.path.join(BUILD, f"kp-{server}.perf")
    try:
        time.sleep(1)
        lg = subprocess.Popen(["taskset", "-c", LOAD_CPU, f"{BUILD}/loadgen", "--port", str(port),
                               "-c", str(args.conns), "-p", str(args.inflight), "-s", str(args.size),
                               "--warmup", str(args.warmup), "--duration", str(seconds + 2)], stdout=subprocess.PIPE)
        time.sleep(args.warmup + 1)
        subprocess.run(["perf", "record", "-q", "-e", "cpu-clock", "-F", "1999", "-p", str(proc.pid), "-o", data,
                        "--", "sleep", str(seconds)], capture_output=True)
        lg.communicate(timeout=120)
        rep = subprocess.run(["perf", "report", "-i", data, "--no-children", "--sort", "sym", "--stdio",
                              "--percent-limit", "1.5"], capture_output=True, text=True).stdout
        lines = [l for l in rep.splitlines() if re.match(r"\s+[0-9.]+%", l)]
        return lines[:25]
    finally:
        proc.send_signal(signal.SIGTERM)
        try:
            proc.wait(timeout=30)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--conns", type=int, default=1000)
    ap.add_argument("--inflight", type=int, default=1)
    ap.add_argument("--size", type=int, default=64)
    ap.add_argument("--rounds", type=int, default=3)
    ap.add_argument("--warmup", type=int, default=10)
    ap.add_argument("--duration", type=int, default=10)
    ap.add_argument("--servers", default="c-echo sample netty-io_uring")
    ap.add_argument("--profile", action="store_true")
    args = ap.parse_args()
    servers = args.servers.split()
    build(servers)
    stamp = datetime.datetime.now().strftime("%Y-%m-%d-%H%M%S")
    os.makedirs(f"{BENCH}/results/logs/kp-{stamp}", exist_ok=True)
    rows = {s: [] for s in servers}
    for r in range(args.rounds):
        order = servers[r % len(servers):] + servers[:r % len(servers)]
        for s in order:
            with open(f"{BENCH}/results/logs/kp-{stamp}/{s}.log", "a") as log:
                row = one_run(s, args, log)
            rows[s].append(row)
            print(f"round {r + 1} {s}: {row['msgs_per_s']:.0f} msgs/s, server {row['server_cpu']:.2f} us/msg", flush=True)
    keys = []
    for s in servers:
        for row in rows[s]:
            keys += [k for k in row if k not in keys]
    out = [f"# Kernel path per message: {args.conns} x {args.inflight} x {args.size} B, {stamp}", "",
           "Command: `benchmarks/kernel_path.py " + " ".join(sys.argv[1:]) + "`", "",
           f"Server on CPU {SERVER_CPU}, load generator on CPU {LOAD_CPU}; {args.rounds} rounds, servers rotated; "
           f"{args.warmup} s warm-up, counts over {max(1, args.duration - 2)} s of the {args.duration} s window. "
           "Each cell is the median over rounds of (count in the interval / messages in the interval); "
           "`srv` counts the server's threads, `lg` the load generator's.", "",
           "| per message | " + " | ".join(servers) + " |", "|---|" + "---|" * len(servers)]
    for k in keys:
        cells = []
        for s in servers:
            vals = [row[k] for row in rows[s] if k in row and row[k] == row[k]]
            cells.append(f"{statistics.median(vals):.3f}" if vals else "")
        out.append(f"| {k} | " + " | ".join(cells) + " |")
    out.append("")
    out.append("Per round, msgs/s: " + "; ".join(
        f"{s} " + ", ".join(f"{row['msgs_per_s']:.0f}" for row in rows[s]) for s in servers))
    if args.profile:
        for s in servers:
            with open(f"{BENCH}/results/logs/kp-{stamp}/{s}-profile.log", "a") as log:
                lines = profile(s, args, log)
            out += ["", f"## {s}: top symbols (cpu-clock samples of the server's threads)", "", "```"] + lines + ["```"]
    path = f"{BENCH}/results/KERNEL-PATH-{stamp}.md"
    with open(path, "w") as f:
        f.write("\n".join(out) + "\n")
    print("\n".join(out))
    print(f"wrote {path}")


if __name__ == "__main__":
    main()
