#!/usr/bin/env python3
"""What the io_uring server adds to the sample app's Spring Boot start, side by side.

Starts the sample jar N times with the server and N times with iouring.server.enabled=false,
alternating (with, without, with, ...), each pinned to the same CPU, and reports the median of:

- "Started": wall time from launching the JVM to Spring Boot's "Started ... in" log line;
- "connect": wall time to the first successful TCP connect to the echo listener (with the server only);
- "Boot says": the "process running for" figure in that log line (the JVM's own uptime).

Usage (from the project root, after building the sample with `mvn -o -q -DskipTests package`):

    benchmarks/startup.py                         # 5 starts each, pinned to CPU 0
    benchmarks/startup.py --starts 7 --cpu 0,1    # more starts, both CPUs
    benchmarks/startup.py --class-load            # also count the classes each start loads
    benchmarks/startup.py --aot --cpu 0,1         # the same with a JDK 25 AOT cache (see below)

With --aot the jar is first extracted the way Spring Boot recommends for CDS and AOT caches
(java -Djarmode=tools -jar JAR extract), one training start per mode writes its cache
(-XX:AOTCacheOutput), and the measured starts run with -XX:AOTCache: each mode with the cache trained
for it, as an application would deploy it.

Each start also reports the process's CPU time (user + system) at the "Started" line.

Extra JVM options go in `--jvm='...'`, extra application arguments in `--args='...'` (one string
each), e.g. `--args='--iouring.server.listeners.echo.port=17000 --server.port=18080' --port 17000`
to keep clear of other processes on the default ports.
"""
import argparse
import glob
import os
import re
import shlex
import socket
import statistics
import subprocess
import sys
import tempfile
import time

STARTED = re.compile(r"Started \S+ in ([0-9.]+) seconds \(process running for ([0-9.]+)\)")


def default_jar():
    root = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
    jars = [j for j in glob.glob(os.path.join(root, "sample-app", "target", "sample-app-*.jar"))
            if not j.endswith((".original", "-sources.jar", "-javadoc.jar"))]
    return jars[0] if jars else None


def java():
    home = os.environ.get("JAVA_HOME") or "/usr/lib/jvm/temurin-25-jdk-amd64"
    candidate = os.path.join(home, "bin", "java")
    return candidate if os.path.exists(candidate) else "java"


def can_connect(port):
    try:
        with socket.create_connection(("127.0.0.1", port), timeout=0.2):
            return True
    except OSError:
        return False


def cpu_seconds(pid):
    try:
        with open(f"/proc/{pid}/stat") as f:
            fields = f.read().rsplit(")", 1)[1].split()
        return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")
    except (OSError, IndexError, ValueError):
        return None


def one_start(args, with_server, class_log, extra_jvm=()):
    cmd = []
    if args.cpu:
        cmd += ["taskset", "-c", args.cpu]
    cmd += [java(), "--enable-native-access=ALL-UNNAMED"] + args.jvm + list(extra_jvm)
    if class_log:
        cmd.append(f"-Xlog:class+load=info:file={class_log}")
    cmd += ["-jar", args.jar] + args.args
    if not with_server:
        cmd.append("--iouring.server.enabled=false")
    launched = time.monotonic()
    proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, bufsize=1)
    started = boot = connect = cpu = None
    lines = []
    try:
        deadline = launched + 120
        for line in proc.stdout:
            lines.append(line)
            if args.verbose:
                sys.stderr.write(line)
            m = STARTED.search(line)
            if m:
                started = time.monotonic() - launched
                cpu = cpu_seconds(proc.pid)
                boot = float(m.group(2))
                break
            if time.monotonic() > deadline:
                break
        if started is not None and with_server:
            while time.monotonic() < deadline and not can_connect(args.port):
                time.sleep(0.002)
            connect = time.monotonic() - launched
            # The listener may already have accepted before "Started": connect time is then the poll's.
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=20)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()
    if started is None:
        sys.stderr.write("".join(lines[-40:]))
        raise SystemExit(f"the sample did not log 'Started' ({'with' if with_server else 'without'} the server)")
    return started, boot, connect, cpu, lines


def prepare_aot(args, tmp):
    """Extracts the jar and trains one AOT cache per mode; returns the extra JVM options per mode."""
    extracted = os.path.join(tmp, "extracted")
    subprocess.run([java(), "-Djarmode=tools", "-jar", args.jar, "extract", "--destination", extracted],
                   check=True, stdout=subprocess.DEVNULL)
    args.jar = os.path.join(extracted, os.path.basename(args.jar))
    options = {}
    for with_server in (True, False):
        cache = os.path.join(tmp, f"app-{'with' if with_server else 'without'}.aot")
        one_start(args, with_server, None, [f"-XX:AOTCacheOutput={cache}"])
        if not os.path.exists(cache):
            raise SystemExit(f"the training start did not write {cache}")
        options[with_server] = [f"-XX:AOTCache={cache}"]
    return options


def class_counts(path):
    total = 0
    ours = 0
    foreign = 0
    with open(path) as f:
        for line in f:
            if " source: " not in line:
                continue
            total += 1
            name = line.split("]")[-1].strip().split(" ")[0]
            if name.startswith("dev.iouring."):
                ours += 1
            if name.startswith(("jdk.internal.foreign.", "java.lang.foreign.")) or "LambdaForm" in name \
                    or "Species_" in name:
                foreign += 1
    return total, ours, foreign


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--jar", default=default_jar())
    parser.add_argument("--starts", type=int, default=5)
    parser.add_argument("--cpu", default="0", help="taskset CPU list; empty for no pinning")
    parser.add_argument("--port", type=int, default=7000, help="the echo listener's port")
    parser.add_argument("--class-load", action="store_true", help="count loaded classes (-Xlog:class+load)")
    parser.add_argument("--aot", action="store_true", help="extract the jar and start with a trained AOT cache")
    parser.add_argument("--verbose", action="store_true")
    parser.add_argument("--jvm", default="", help="extra JVM options, one string")
    parser.add_argument("--args", default="", help="extra application arguments, one string")
    args = parser.parse_args()
    args.jvm = shlex.split(args.jvm)
    args.args = shlex.split(args.args)
    if not args.jar or not os.path.exists(args.jar):
        raise SystemExit("sample jar not found: build it (mvn -o -q -DskipTests package) or pass --jar")
    if can_connect(args.port):
        raise SystemExit(f"port {args.port} is already in use: stop whatever listens there first")

    results = {True: [], False: []}
    classes = {True: [], False: []}
    timings = {True: [], False: []}
    tmp = tempfile.mkdtemp(prefix="startup-")
    extra = prepare_aot(args, tmp) if args.aot else {True: [], False: []}
    for i in range(args.starts):
        for with_server in (True, False):
            log = os.path.join(tmp, f"classes-{i}-{with_server}.log") if args.class_load else None
            started, boot, connect, cpu, lines = one_start(args, with_server, log, extra[with_server])
            results[with_server].append((started, boot, connect, cpu))
            timings[with_server].append([l.strip() for l in lines if "startup timing" in l])
            if log:
                classes[with_server].append(class_counts(log))
            print(f"start {i + 1} {'with   ' if with_server else 'without'}: Started at {started:.3f} s, "
                  f"Boot says {boot:.3f} s" + (f", first connect {connect:.3f} s" if connect else "")
                  + (f", CPU {cpu:.2f} s" if cpu is not None else ""),
                  file=sys.stderr)

    def med(with_server, index):
        values = [r[index] for r in results[with_server] if r[index] is not None]
        return statistics.median(values) if values else None

    print(f"# Startup: the sample with and without the io_uring server ({args.starts} starts each, alternating)")
    print()
    print(f"- jar: {args.jar}")
    print(f"- cpu: {args.cpu or 'not pinned'}; jvm options: {' '.join(args.jvm) or 'none'}; "
          f"arguments: {' '.join(args.args) or 'none'}; AOT cache: {'yes, one per mode' if args.aot else 'no'}")
    print(f"- date: {time.strftime('%Y-%m-%d %H:%M UTC', time.gmtime())}; load average: "
          f"{open('/proc/loadavg').read().split()[0:3]}")
    print()
    print("| | Started (wall) s | Boot's 'process running for' s | first connect s | CPU at Started s "
          "| per start (Started) |")
    print("|---|---|---|---|---|---|")
    for with_server in (True, False):
        label = "with the server" if with_server else "iouring.server.enabled=false"
        connect = med(with_server, 2)
        cpu = med(with_server, 3)
        print(f"| {label} | {med(with_server, 0):.3f} | {med(with_server, 1):.3f} | "
              f"{'' if connect is None else f'{connect:.3f}'} | {'' if cpu is None else f'{cpu:.2f}'} | "
              + ", ".join(f"{r[0]:.2f}" for r in results[with_server]) + " |")
    diffs = [a[0] - b[0] for a, b in zip(results[True], results[False])]
    print()
    print(f"The server adds (median of the medians' difference): {med(True, 0) - med(False, 0):+.3f} s; "
          f"pairwise differences per start: {', '.join(f'{d:+.2f}' for d in diffs)} "
          f"(median {statistics.median(diffs):+.3f} s)")
    cpu_diffs = [a[3] - b[3] for a, b in zip(results[True], results[False]) if a[3] is not None and b[3] is not None]
    if cpu_diffs:
        print()
        print(f"CPU time the server adds by the Started line, pairwise: {', '.join(f'{d:+.2f}' for d in cpu_diffs)} "
              f"(median {statistics.median(cpu_diffs):+.2f} s)")
    if args.class_load:
        print()
        print("| | classes loaded (median) | of them dev.iouring.* | foreign/LambdaForm/Species |")
        print("|---|---|---|---|")
        for with_server in (True, False):
            counts = classes[with_server]
            print(f"| {'with' if with_server else 'without'} | "
                  + " | ".join(str(statistics.median(c[k] for c in counts)) for k in range(3)) + " |")
    if any(timings[True]):
        print()
        print("Timings the server logged (last start with the server):")
        print()
        for line in timings[True][-1]:
            print(f"    {line}")


if __name__ == "__main__":
    main()
