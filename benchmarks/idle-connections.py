#!/usr/bin/env python3
"""What an idle connection costs our server: opens N connections to the sample app's echo listener,
leaves them idle, and reports the server's growth per connection.

    benchmarks/idle-connections.py [--connections 10000] [--jar sample-app/target/sample-app-*.jar]

Starts the sample (one event loop, like run.sh), warms it up with a round of connections that are
opened and closed again, then measures the server process before and after the idle connections are
open, each time right after a full GC (jcmd GC.run):
  - RSS (VmRSS of /proc/PID/status): heap pages touched, native memory and the JVM's own, together;
  - live heap after GC (jvm.memory.used, area=heap, from the Actuator).
Kernel socket memory is the kernel's and shows in neither. The server's "connections active" gauge
must reach N before the second measurement, so every connection was accepted and armed.
"""
import argparse
import glob
import json
import os
import resource
import socket
import subprocess
import sys
import time
import urllib.request

BENCH_DIR = os.path.dirname(os.path.abspath(__file__))
REPO_DIR = os.path.dirname(BENCH_DIR)


def actuator(port, path):
    with urllib.request.urlopen(f"http://127.0.0.1:{port}/actuator/{path}", timeout=30) as response:
        return json.load(response)


def metric(port, name, tag=None):
    query = f"?tag={tag}" if tag else ""
    return actuator(port, f"metrics/{name}{query}")["measurements"][0]["value"]


def rss_bytes(pid):
    with open(f"/proc/{pid}/status") as f:
        for line in f:
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) * 1024
    raise RuntimeError("no VmRSS")


def wait_until(condition, what, seconds=120):
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        try:
            if condition():
                return
        except OSError:
            pass
        time.sleep(0.2)
    raise SystemExit(f"timed out waiting for {what}")


def measure(java_home, pid, actuator_port):
    # Twice: the first full GC may itself release memory the second does not see again.
    for _ in range(2):
        subprocess.run([os.path.join(java_home, "bin", "jcmd"), str(pid), "GC.run"], check=True,
                       stdout=subprocess.DEVNULL)
    time.sleep(1)
    return rss_bytes(pid), metric(actuator_port, "jvm.memory.used", "area:heap")


def open_connections(port, count):
    sockets = []
    for _ in range(count):
        s = socket.create_connection(("127.0.0.1", port))
        sockets.append(s)
    return sockets


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--connections", type=int, default=10000)
    parser.add_argument("--jar", default=None)
    parser.add_argument("--port", type=int, default=7000)
    parser.add_argument("--actuator-port", type=int, default=8080)
    parser.add_argument("--sample-args", default="--iouring.server.event-loops=1")
    args = parser.parse_args()

    java_home = os.environ.get("JAVA_HOME") or "/usr/lib/jvm/temurin-25-jdk-amd64"
    jar = args.jar or next((j for j in sorted(glob.glob(os.path.join(REPO_DIR, "sample-app/target/sample-app-*.jar")))
                            if not j.endswith((".original", "-sources.jar", "-javadoc.jar"))), None)
    if not jar:
        raise SystemExit("sample app jar not found: build it with 'mvn -B -q -DskipTests package'")
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    needed = args.connections + 1000  # this process holds the client ends; the server has its own limit
    if hard < needed:
        raise SystemExit(f"open-file limit {hard} is below {needed}: raise it (ulimit -Hn)")
    resource.setrlimit(resource.RLIMIT_NOFILE, (hard, hard))

    server = subprocess.Popen([os.path.join(java_home, "bin", "java"), "--enable-native-access=ALL-UNNAMED",
                               "-jar", jar] + args.sample_args.split(),
                              stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        wait_until(lambda: actuator(args.actuator_port, "health")["status"] == "UP", "the sample to start")

        def active():
            return metric(args.actuator_port, "iouring.server.connections.active", "listener:echo")

        # Warm-up: load and compile the accept and close paths, grow the loop's tables once.
        warm = open_connections(args.port, min(1000, args.connections))
        wait_until(lambda: active() >= len(warm), "the warm-up connections")
        for s in warm:
            s.close()
        wait_until(lambda: active() == 0, "the warm-up connections to close")

        rss0, heap0 = measure(java_home, server.pid, args.actuator_port)
        idle = open_connections(args.port, args.connections)
        wait_until(lambda: active() >= args.connections, f"{args.connections} active connections")
        rss1, heap1 = measure(java_home, server.pid, args.actuator_port)
        print(f"idle connections: {args.connections}")
        print(f"server RSS: {rss0 / 2**20:.1f} MiB -> {rss1 / 2**20:.1f} MiB, "
              f"{(rss1 - rss0) / args.connections:,.0f} B per connection")
        print(f"live heap after GC: {heap0 / 2**20:.1f} MiB -> {heap1 / 2**20:.1f} MiB, "
              f"{(heap1 - heap0) / args.connections:,.0f} B per connection")
        for s in idle:
            s.close()
        wait_until(lambda: active() == 0, "the idle connections to close")
    finally:
        server.terminate()
        try:
            server.wait(timeout=30)
        except subprocess.TimeoutExpired:
            server.kill()
    return 0


if __name__ == "__main__":
    sys.exit(main())
