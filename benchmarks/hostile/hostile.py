#!/usr/bin/env python3
"""Hostile-peer harness for the sample app: bounded in time, loopback only, standard library only.

    benchmarks/hostile/hostile.py [--seconds 180] [--start JAR [--transport nio|io-uring]] [--families i,h,d,...]

Either attaches to a sample already running on 127.0.0.1 (echo 7000, RESP 6380, line 7001, Actuator
8080) or, with --start JAR, starts one itself (java -Xmx512m, its output in --out) and kills it at the
end. Records a baseline after a warm-up (open fds, RSS, live heap after a full GC, active connections,
health), runs the attack families one after the other, each for a bounded slice of the time, while a
control client checks every second that all three services still answer correctly; then closes every
peer, waits (polling, with a deadline) for the active connections to return to 0, and compares with the
baseline.

Families (run in the order given by --families; the default runs the ones known to kill event loops
last, so that the others meet a healthy server):
  a  oversized line (7001) / oversized inline command (6380), then RST (SO_LINGER 0) at once
  b  short-lived peers: CLIENT INFO / PING, then RST
  c  never-reading peers with big replies: SET big <1 MiB, or 512 KiB where that is the limit>, pipelined GET big x thousands, and a 9 KB
     MGET naming big ~1000 times (a ~1 GiB reply)
  d  trickling peers: one byte per 100 ms on every port; every line and RESP trickler must be closed by a
     timeout (needs 16 s: the sample's timeouts are 10 s)
  e  random garbage to every port
  f  huge declared lengths on RESP (*2147483647, $2147483647, ...)
  g  valid lines then one oversized line in the same write (7001; and PINGs + oversized inline on
     6380), counting the replies that arrive before the close
  h  connection flood: thousands of idle connections held open, fresh clients checked meanwhile
  i  half-close (shutdown write) after a request: the reply must still arrive
  k  the store filled with 500 KB values past maxmemory: -OOM replies, reads still served
  l  unfinished 500 KB commands held on many connections: the pending budget closes those past it
  m  DBSIZE/INFO with 200,000 keys while other connections measure PING round trips
  j  (always on) control client: echo round trip, RESP SET/GET, line upper-casing, once a second

Exit code: 0 all checks passed; 1 a check failed but the server still serves; 2 the server died, an
event loop died, or it stopped serving; 3 the harness could not run (server did not start...).
"""
import argparse
import collections
import errno
import itertools
import json
import os
import random
import re
import resource
import select
import selectors
import shutil
import signal
import socket
import struct
import subprocess
import sys
import tempfile
import threading
import time
import urllib.error
import urllib.request

HOST = "127.0.0.1"
IP_BIND_ADDRESS_NO_PORT = getattr(socket, "IP_BIND_ADDRESS_NO_PORT", 24)
MiB = 1 << 20
DEFAULT_ORDER = "i,h,d,l,k,m,f,e,g,b,a,c"
LOOP_DEATH = re.compile(r"\b([\w-]+) event loop (\d+) failed and stopped")
LOG_LEVEL = re.compile(r"\s(ERROR|WARN)\s+\d+\s+---")
EXCEPTION = re.compile(r"\b((?:[a-z_$][\w$]*\.)+[A-Z][\w$]*(?:Exception|Error))\b(?::\s?([^\n]{0,110}))?")

now = time.monotonic


def log(msg):
    print(f"[{time.strftime('%H:%M:%S')}] {msg}", flush=True)


# ---------------------------------------------------------------------------------------------------
# sockets


class Counters:
    """Thread-safe counters and values of one family."""

    def __init__(self):
        self.lock = threading.Lock()
        self.counts = collections.Counter()
        self.values = {}

    def add(self, key, n=1):
        with self.lock:
            self.counts[key] += n

    def set(self, key, value):
        with self.lock:
            self.values[key] = value

    def max(self, key, value):
        with self.lock:
            if key not in self.values or value > self.values[key]:
                self.values[key] = value

    def min(self, key, value):
        with self.lock:
            if key not in self.values or value < self.values[key]:
                self.values[key] = value

    def snapshot(self):
        with self.lock:
            out = dict(sorted(self.counts.items()))
            out.update(self.values)
            return out


def err_name(e):
    if isinstance(e, (socket.timeout, TimeoutError)) and not getattr(e, "errno", None):
        return "timeout"
    if isinstance(e, OSError) and e.errno:
        return errno.errorcode.get(e.errno, str(e.errno))
    return type(e).__name__


_source = itertools.count()
SPREAD_SOURCES = True


def connect(port, timeout=2.0, rcvbuf=None):
    """A TCP connection to 127.0.0.1:port, every socket operation bounded by timeout. Source addresses
    rotate over 127.0.0.2-127.0.0.33 so that churn does not run out of ephemeral ports."""
    s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    try:
        s.settimeout(timeout)
        if rcvbuf:
            s.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, rcvbuf)
        if SPREAD_SOURCES:
            try:
                s.setsockopt(socket.IPPROTO_IP, IP_BIND_ADDRESS_NO_PORT, 1)
            except OSError:
                pass
            s.bind((f"127.0.0.{2 + next(_source) % 32}", 0))
        s.connect((HOST, port))
        return s
    except BaseException:
        s.close()
        raise


def rst_close(s):
    """Closes with SO_LINGER 0: the kernel sends RST instead of FIN."""
    try:
        s.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
    except OSError:
        pass
    s.close()


def recv_until(s, deadline, want=None, limit=4 * MiB):
    """Reads until want(buffer) is true, end of stream, an error, limit bytes or the deadline.
    Returns (bytes, eof, error name or None)."""
    buf = bytearray()
    while True:
        if want is not None and want(buf):
            return bytes(buf), False, None
        left = deadline - now()
        if left <= 0:
            return bytes(buf), False, "timeout"
        s.settimeout(min(left, 2.0))
        try:
            chunk = s.recv(65536)
        except (socket.timeout, TimeoutError):
            continue
        except OSError as e:
            return bytes(buf), False, err_name(e)
        if not chunk:
            return bytes(buf), True, None
        buf += chunk
        if len(buf) >= limit:
            return bytes(buf), False, None


def resp_command(*parts):
    out = [b"*%d\r\n" % len(parts)]
    for p in parts:
        if isinstance(p, str):
            p = p.encode()
        out.append(b"$%d\r\n%s\r\n" % (len(p), p))
    return b"".join(out)


def try_send(s, data, c, prefix="send"):
    try:
        s.sendall(data)
        return True
    except OSError as e:
        c.add(f"{prefix}_{err_name(e)}")
        return False


# ---------------------------------------------------------------------------------------------------
# the server: process, /proc, Actuator, jcmd, log


def find_listener_pid(port):
    inodes = set()
    for table in ("/proc/net/tcp", "/proc/net/tcp6"):
        try:
            with open(table) as f:
                next(f)
                for line in f:
                    fields = line.split()
                    if fields[3] == "0A" and int(fields[1].rsplit(":", 1)[1], 16) == port:
                        inodes.add(fields[9])
        except OSError:
            pass
    targets = {f"socket:[{i}]" for i in inodes}
    for pid in os.listdir("/proc"):
        if not pid.isdigit() or int(pid) == os.getpid():
            continue
        try:
            for fd in os.listdir(f"/proc/{pid}/fd"):
                try:
                    if os.readlink(f"/proc/{pid}/fd/{fd}") in targets:
                        return int(pid)
                except OSError:
                    pass
        except OSError:
            pass
    return None


class Server:
    """The server process under test: started here (and then killed here) or attached to."""

    def __init__(self, args, ports):
        self.args = args
        self.ports = ports
        self.popen = None
        self.pid = None
        self.log_path = args.log
        self.log_offset = 0
        self.starts = 0
        self.last_start_seconds = 10.0
        self.java_home = os.environ.get("JAVA_HOME") or "/usr/lib/jvm/temurin-25-jdk-amd64"
        self.jcmd = os.path.join(self.java_home, "bin", "jcmd")
        if not os.path.exists(self.jcmd):
            self.jcmd = shutil.which("jcmd")

    # --- life cycle

    def start(self, deadline):
        args = self.args
        for name, port in self.ports.items():
            if port_open(port):
                raise HarnessError(f"port {port} ({name}) is already in use: stop that server or use --port-offset")
        java = os.path.join(self.java_home, "bin", "java")
        if not os.path.exists(java):
            java = shutil.which("java") or "java"
        cmd = [java, f"-Xmx{args.xmx}", "--enable-native-access=ALL-UNNAMED", "-jar", args.start]
        if args.transport:
            cmd.append(f"--iouring.server.transport={args.transport}")
        if args.port_offset:
            cmd += [f"--iouring.server.listeners.echo.port={self.ports['echo']}",
                    f"--iouring.server.listeners.resp.port={self.ports['resp']}",
                    f"--iouring.server.listeners.line.port={self.ports['line']}",
                    f"--iouring.server.listeners.resp-tls.port={6390 + args.port_offset}",
                    f"--iouring.server.listeners.echo-tls.port={7443 + args.port_offset}",
                    f"--server.port={self.ports['actuator']}"]
        cmd += args.sample_arg
        self.starts += 1
        self.log_path = os.path.join(args.out, f"server-{self.starts}.log")
        self.log_offset = 0
        log(f"starting: {' '.join(cmd)}  (log {self.log_path})")
        with open(self.log_path, "wb") as out:
            self.popen = subprocess.Popen(cmd, stdout=out, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL,
                                          start_new_session=True)
        self.pid = self.popen.pid
        ACTIVE_SERVERS.add(self.popen)
        t0 = now()
        while now() < deadline:
            self.last_start_seconds = now() - t0
            if self.popen.poll() is not None:
                raise HarnessError(f"the server exited with {self.popen.returncode} while starting; see {self.log_path}")
            status, _ = health(self.ports["actuator"])
            if status == "UP" and all(port_open(p) for p in self.ports.values()):
                log(f"server pid {self.pid} is UP after {now() - t0:.1f} s")
                return
            time.sleep(0.3)
        raise HarnessError(f"the server was not UP within the startup budget; see {self.log_path}")

    def attach(self):
        self.pid = self.args.pid or find_listener_pid(self.ports["echo"])
        if not self.pid:
            raise HarnessError(f"nothing listens on {HOST}:{self.ports['echo']}: start the sample, or use --start JAR")
        if self.log_path:
            try:
                self.log_offset = os.path.getsize(self.log_path)
            except OSError:
                self.log_path = None
        log(f"attached to server pid {self.pid}" + (f", log {self.log_path}" if self.log_path else
                                                    " (no --log: loop deaths seen through health only)"))

    def stop(self):
        p = self.popen
        if p is None:
            return
        if p.poll() is None:
            try:
                os.killpg(p.pid, signal.SIGTERM)
            except OSError:
                pass
            try:
                p.wait(timeout=6)
            except subprocess.TimeoutExpired:
                try:
                    os.killpg(p.pid, signal.SIGKILL)
                except OSError:
                    pass
                try:
                    p.wait(timeout=5)
                except subprocess.TimeoutExpired:
                    pass
        ACTIVE_SERVERS.discard(p)
        self.popen = None

    def kill_now(self):
        if self.popen is not None and self.popen.poll() is None:
            try:
                os.killpg(self.popen.pid, signal.SIGKILL)
            except OSError:
                pass

    def alive(self):
        if self.popen is not None:
            return self.popen.poll() is None
        try:
            with open(f"/proc/{self.pid}/status") as f:
                return not any(line.startswith("State:") and ("Z" in line.split()[1] or "X" in line.split()[1])
                               for line in f)
        except OSError:
            return False

    def exit_status(self):
        return self.popen.poll() if self.popen is not None else None

    # --- /proc

    def fds(self):
        try:
            return len(os.listdir(f"/proc/{self.pid}/fd"))
        except OSError:
            return None

    def rss(self):
        try:
            with open(f"/proc/{self.pid}/status") as f:
                for line in f:
                    if line.startswith("VmRSS:"):
                        return int(line.split()[1]) * 1024
        except OSError:
            pass
        return None

    # --- heap

    def heap_after_gc(self, timeout=20):
        """Live heap after two full GCs, from jcmd GC.heap_info; the Actuator's jvm.memory.used{area=heap}
        (read after the GCs) when jcmd is not there. Returns (bytes, source)."""
        if self.jcmd:
            with tempfile.NamedTemporaryFile("w", suffix=".jcmd", delete=False) as f:
                f.write("GC.run\nGC.run\nGC.heap_info\n")
                path = f.name
            try:
                out = subprocess.run([self.jcmd, str(self.pid), "-f", path], capture_output=True, text=True,
                                     timeout=max(2, timeout)).stdout
                m = re.search(r"heap\s+total(?: reserved)? \d+K, (?:committed \d+K, )?used (\d+)K", out)
                if m:
                    return int(m.group(1)) * 1024, "jcmd"
            except (OSError, subprocess.TimeoutExpired):
                pass
            finally:
                os.unlink(path)
        value = heap_used(self.ports["actuator"])
        return value, "actuator"

    # --- log

    def read_log(self):
        """What the server logged since the last call."""
        if not self.log_path:
            return ""
        try:
            with open(self.log_path, "rb") as f:
                f.seek(self.log_offset)
                data = f.read()
                self.log_offset += len(data)
                return data.decode("utf-8", "replace")
        except OSError:
            return ""


ACTIVE_SERVERS = set()


class HarnessError(Exception):
    pass


def port_open(port):
    try:
        s = socket.create_connection((HOST, port), timeout=1)
        s.close()
        return True
    except OSError:
        return False


def http_json(port, path, timeout=3.0):
    try:
        with urllib.request.urlopen(f"http://{HOST}:{port}/actuator/{path}", timeout=timeout) as r:
            return json.load(r)
    except urllib.error.HTTPError as e:
        try:
            return json.load(e)
        except Exception:
            return None
    except Exception:
        return None


def health(port):
    """(status, iouring component error or None); status UNREACHABLE when the Actuator does not answer."""
    h = http_json(port, "health")
    if not h:
        return "UNREACHABLE", None
    comp = (h.get("components") or {}).get("iouring") or {}
    return h.get("status", "?"), (comp.get("details") or {}).get("error")


def metric(port, name, tag=None):
    h = http_json(port, f"metrics/{name}" + (f"?tag={tag}" if tag else ""))
    try:
        return h["measurements"][0]["value"]
    except (TypeError, KeyError, IndexError):
        return None


def active_connections(port):
    v = metric(port, "iouring.server.connections.active")
    return None if v is None else int(v)


def heap_used(port):
    v = metric(port, "jvm.memory.used", "area:heap")
    return None if v is None else int(v)


def iouring_snapshot(port):
    """Closed-connection reasons, accepts and loop errors summed from /actuator/iouring."""
    d = http_json(port, "iouring", timeout=5)
    snap = collections.Counter()
    if not d:
        return None
    for lst in d.get("listeners") or []:
        snap[f"accepted:{lst.get('name')}"] += lst.get("acceptedConnections") or 0
        snap[f"rejected:{lst.get('name')}"] += lst.get("rejectedConnections") or 0
        for reason, n in (lst.get("closedConnections") or {}).items():
            snap[f"closed:{lst.get('name')}:{reason}"] += n or 0
    for loop in d.get("loops") or []:
        for err, n in (loop.get("errors") or {}).items():
            snap[f"loop-error:{err}"] += n or 0
        snap["buffers-exhausted"] += loop.get("buffersExhausted") or 0
    snap["loops-listed"] = len(d.get("loops") or [])
    return snap


# ---------------------------------------------------------------------------------------------------
# service checks (used by the control client, the warm-up and the final verdict)


def check_echo(ports, rnd=random):
    data = b"ctl-%d-%s\n" % (rnd.getrandbits(32), b"e" * rnd.randint(1, 200))
    s = connect(ports["echo"], 2)
    try:
        s.sendall(data)
        buf, eof, err = recv_until(s, now() + 2, want=lambda b: len(b) >= len(data))
        if buf != data:
            return f"echo: {err or ('eof' if eof else 'mismatch')} ({len(buf)}/{len(data)} bytes)"
        return None
    finally:
        s.close()


def check_resp(ports, rnd=random):
    key, value = b"ctl:%d" % rnd.getrandbits(16), b"v%d" % rnd.getrandbits(48)
    want = b"+OK\r\n$%d\r\n%s\r\n" % (len(value), value)
    s = connect(ports["resp"], 2)
    try:
        s.sendall(resp_command(b"SET", key, value) + resp_command(b"GET", key))
        buf, eof, err = recv_until(s, now() + 2, want=lambda b: len(b) >= len(want))
        if buf.startswith(b"-OOM "):
            # The store is at its maxmemory (family k fills it): refusing the SET is the right answer.
            return None
        if buf != want:
            return f"resp: {err or ('eof' if eof else 'mismatch')} ({buf[:40]!r})"
        return None
    finally:
        s.close()


def check_line(ports, rnd=random):
    text = b"ctl line %d abc" % rnd.getrandbits(32)
    s = connect(ports["line"], 2)
    try:
        s.sendall(text + b"\n")
        buf, eof, err = recv_until(s, now() + 2, want=lambda b: b"\n" in b)
        if buf != text.upper() + b"\n":
            return f"line: {err or ('eof' if eof else 'mismatch')} ({buf[:40]!r})"
        return None
    finally:
        s.close()


CHECKS = (("echo", check_echo), ("resp", check_resp), ("line", check_line))


def run_check(fn, ports, rnd=random):
    t0 = now()
    try:
        problem = fn(ports, rnd)
    except OSError as e:
        problem = f"{fn.__name__[6:]}: {err_name(e)}"
    return problem, now() - t0


# ---------------------------------------------------------------------------------------------------
# background: sampler and control client


class Sampler(threading.Thread):
    """Samples the server's RSS and fd count twice a second; trips the family's abort when the server
    dies or its RSS grows past the ceiling."""

    def __init__(self, h):
        super().__init__(daemon=True, name="sampler")
        self.h = h
        self.stop = threading.Event()
        self.lock = threading.Lock()
        self.samples = []  # (t, rss, fds)

    def run(self):
        while not self.stop.wait(0.5):
            h = self.h
            if h.restarting:
                continue
            rss, fds = h.server.rss(), h.server.fds()
            with self.lock:
                self.samples.append((now(), rss, fds))
            if not h.server.alive():
                h.abort.set()
            elif rss and h.baseline and rss - h.baseline["rss"] > h.args.rss_ceiling_mb * MiB:
                if not h.ceiling_hit.is_set():
                    log(f"  RSS {rss / MiB:.0f} MiB is over baseline + --rss-ceiling-mb {h.args.rss_ceiling_mb}: "
                        "aborting this family")
                h.ceiling_hit.set()
                h.abort.set()
                growth = rss - h.baseline["rss"]
                if growth > 2 * h.args.rss_ceiling_mb * MiB and h.server.popen is not None and not h.args.no_runaway_kill:
                    log(f"  RSS {rss / MiB:.0f} MiB is over baseline + 2 x --rss-ceiling-mb: killing the server (runaway)")
                    h.runaway_kills.append({"family": h.family, "rss": rss})
                    h.server.kill_now()

    def peak(self, since):
        with self.lock:
            rss = [s[1] for s in self.samples if s[0] >= since and s[1]]
            fds = [s[2] for s in self.samples if s[0] >= since and s[2]]
        return (max(rss) if rss else None), (max(fds) if fds else None)


class Control(threading.Thread):
    """(j) Every second, on fresh connections: an echo round trip, RESP SET+GET, a line upper-cased."""

    def __init__(self, h):
        super().__init__(daemon=True, name="control")
        self.h = h
        self.stop = threading.Event()
        self.lock = threading.Lock()
        self.records = []  # (t, family, check, problem or None, latency)
        self.rnd = random.Random()

    def run(self):
        while not self.stop.wait(1.0):
            if self.h.restarting:
                continue
            refused = 0
            for name, fn in CHECKS:
                problem, latency = run_check(fn, self.h.ports, self.rnd)
                with self.lock:
                    self.records.append((now(), self.h.family, name, problem, latency))
                if problem:
                    log(f"  control: {problem}")
                    refused += "ECONNREFUSED" in problem
            if refused == len(CHECKS) and self.h.family not in ("baseline", "end") and not self.h.abort.is_set():
                log("  every port refuses connections: aborting this family")
                self.h.abort.set()

    def summary(self, family=None):
        with self.lock:
            recs = [r for r in self.records if family is None or r[1] == family]
        lat = sorted(r[4] for r in recs if r[3] is None)
        fails = collections.Counter(r[3].split(" (")[0] for r in recs if r[3])

        def pct(p):
            return round(lat[min(len(lat) - 1, int(p * len(lat)))] * 1000, 1) if lat else None
        return {"checks": len(recs), "failures": sum(fails.values()), "failure_kinds": dict(fails),
                "p50_ms": pct(0.5), "p99_ms": pct(0.99), "max_ms": round(lat[-1] * 1000, 1) if lat else None}


# ---------------------------------------------------------------------------------------------------
# attack families: each gets (harness, counters, deadline) and returns when the deadline passes


def run_workers(h, c, deadline, n, body):
    """n threads calling body(rnd) until the deadline or the abort; exceptions are counted."""

    def loop():
        rnd = random.Random()
        while now() < deadline and not h.abort.is_set():
            try:
                body(rnd)
            except Exception as e:  # noqa: BLE001 - count and go on
                c.add(f"error_{err_name(e)}")
                time.sleep(0.01)

    threads = [threading.Thread(target=loop, daemon=True) for _ in range(n)]
    for t in threads:
        t.start()
    join_until = deadline + 4  # a worker's last iteration is bounded by its socket timeouts
    for t in threads:
        t.join(max(0.0, join_until - now()))
    stuck = sum(t.is_alive() for t in threads)
    if stuck:
        c.add("workers_still_running_at_deadline+4s", stuck)


def fam_a(h, c, deadline):
    """Oversized line / inline command, then RST at once (or after a few ms)."""

    def body(rnd):
        if rnd.random() < 0.5:
            port, kind = h.ports["line"], "line"
            payload = b"x" * rnd.choice((8193, 9000, 16384, 65536)) + (b"\n" if rnd.random() < 0.5 else b"")
        else:
            port, kind = h.ports["resp"], "resp"
            payload = b"x" * rnd.choice((66000, 70000, 131072)) + (b"\r\n" if rnd.random() < 0.5 else b"")
        s = connect(port, 2)
        try_send(s, payload, c, f"{kind}_send")
        delay = rnd.choice((0, 0, 0, 0.001, 0.003, 0.01))
        if delay:
            time.sleep(delay)
        rst_close(s)
        c.add(f"{kind}_oversized_rst")

    run_workers(h, c, deadline, 4, body)


def fam_b(h, c, deadline):
    """Short-lived peers: one small request, then RST."""
    requests = (("resp", b"CLIENT INFO\r\n", "resp_client_info_inline"),
                ("resp", resp_command(b"CLIENT", b"INFO"), "resp_client_info_array"),
                ("resp", b"PING\r\n", "resp_ping"),
                ("line", b"ping\n", "line_ping"),
                ("echo", b"PING\r\n", "echo_ping"))

    def body(rnd):
        port, payload, kind = rnd.choice(requests)
        s = connect(h.ports[port], 2)
        try_send(s, payload, c, f"{kind}_send")
        delay = rnd.choice((0, 0, 0.0005, 0.002))
        if delay:
            time.sleep(delay)
        rst_close(s)
        c.add(kind)

    run_workers(h, c, deadline, 4, body)


def fam_c(h, c, deadline):
    """Never-reading peers asking for big replies."""
    start = now()
    value_len = MiB
    s = connect(h.ports["resp"], 10)
    try:
        # The biggest value the server takes: 1 MiB, or the sample's default max-bulk-length (512 KiB).
        for attempt in (MiB, MiB - 64, 512 * 1024):
            s.sendall(resp_command(b"SET", b"big", b"v" * attempt))
            buf, _, err = recv_until(s, now() + 10, want=lambda b: b"\r\n" in b)
            if buf.startswith(b"+OK"):
                value_len = attempt
                break
            c.set("set_big_reply", buf[:80].decode("latin-1") or err)
            s.close()
            s = connect(h.ports["resp"], 10)
        else:
            c.add("set_big_failed")
            return
    finally:
        s.close()
    c.set("big_value_bytes", value_len)
    rss_start = h.server.rss() or 0

    def open_peers(n):
        peers = []
        for _ in range(n):
            try:
                p = connect(h.ports["resp"], 2, rcvbuf=4096)
                p.setblocking(False)
                peers.append(p)
            except OSError as e:
                c.add(f"connect_{err_name(e)}")
        return peers

    # c1: pipelined GET big, thousands of times, never read
    phase_end = start + (deadline - start) * 0.6
    gets = b"GET big\r\n" * h.args.pipelined_gets
    peers = open_peers(h.args.never_readers)
    offsets = [0] * len(peers)
    t1 = now()
    while now() < phase_end and not h.abort.is_set():
        for i, p in enumerate(peers):
            if offsets[i] is None or offsets[i] >= len(gets):
                continue
            try:
                offsets[i] += p.send(gets[offsets[i]:offsets[i] + 65536])
            except BlockingIOError:
                pass
            except OSError as e:
                c.add(f"gets_send_{err_name(e)}")
                offsets[i] = None
        time.sleep(0.05)
    sent = sum(o // 9 for o in offsets if o)
    c.set("gets_peers", len(peers))
    c.set("gets_sent_total", sent)
    c.set("gets_requested_reply_mib", round(sent * value_len / MiB))
    peak, _ = h.sampler.peak(t1)
    c.set("gets_rss_peak_growth_mib", round(((peak or 0) - rss_start) / MiB))
    c.set("gets_rss_at_end_growth_mib", round(((h.server.rss() or 0) - rss_start) / MiB))
    for p in peers:
        rst_close(p)
    time.sleep(0.5)

    # c2: one 9 KB MGET naming big ~1000 times (a ~1 GiB reply), never read
    if h.abort.is_set() and not h.ceiling_hit.is_set():
        return
    h.ceiling_hit.clear()
    h.abort.clear()
    rss_start2 = h.server.rss() or 0
    keys = h.args.mget_keys
    mget = resp_command(b"MGET", *([b"big"] * keys))
    c.set("mget_request_bytes", len(mget))
    peers = open_peers(h.args.mget_peers)
    t2 = now()
    for p in peers:
        p.settimeout(2)
        try_send(p, mget, c, "mget_send")
        p.setblocking(False)
    c.set("mget_peers", len(peers))
    c.set("mget_requested_reply_mib", round(len(peers) * keys * value_len / MiB))
    while now() < deadline and not h.abort.is_set():
        time.sleep(0.1)
    peak, _ = h.sampler.peak(t2)
    c.set("mget_rss_peak_growth_mib", round(((peak or 0) - rss_start2) / MiB))
    c.set("mget_rss_at_end_growth_mib", round(((h.server.rss() or 0) - rss_start2) / MiB))
    for p in peers:
        rst_close(p)


def fam_d(h, c, deadline):
    """Trickling peers, one byte per 100 ms each: a line that never ends (7001), a bulk string under
    max-bulk-length that never ends (6380), single bytes echoed (7000). Every line and RESP trickler must
    be closed by a timeout (the line listener's frame-timeout, the RESP command-timeout): with no reply
    (a protocol error would answer -ERR) and no sooner than --trickle-timeout after its first byte. Ends
    early once they all are; echo tricklers stay (each byte is a whole message there)."""
    streams = {"line": lambda: itertools.repeat(ord("a")),
               "resp": lambda: itertools.chain(b"*1\r\n$100000\r\n", itertools.repeat(ord("z"))),
               "echo": lambda: itertools.repeat(ord("e"))}
    peers = []  # [socket, kind, stream, opened_at, open?]
    kinds = ("line", "resp", "echo")
    for i in range(h.args.tricklers):
        kind = kinds[i % 3]
        try:
            s = connect(h.ports[kind], 2)
            s.setblocking(False)
            peers.append([s, kind, streams[kind](), now(), True])
        except OSError as e:
            c.add(f"connect_{err_name(e)}")
    for kind in kinds:
        c.set(f"{kind}_tricklers", sum(1 for p in peers if p[1] == kind))

    def closed(p, how):
        c.add(f"{p[1]}_closed_by_server_{how}")
        after = round(now() - p[3], 1)
        c.min(f"{p[1]}_closed_after_min_s", after)
        c.max(f"{p[1]}_closed_after_max_s", after)
        p[4] = False

    t0 = now()
    while now() < deadline and not h.abort.is_set():
        if not any(p[4] for p in peers if p[1] != "echo"):
            break
        tick = now()
        for p in peers:
            if not p[4]:
                continue
            s = p[0]
            try:
                s.send(bytes((next(p[2]),)))
                c.add(f"{p[1]}_bytes_sent")
            except BlockingIOError:
                c.add(f"{p[1]}_send_blocked")
            except OSError as e:
                closed(p, err_name(e))
                continue
            try:
                while True:
                    data = s.recv(65536)
                    if not data:
                        closed(p, "eof")
                        break
                    c.add(f"{p[1]}_reply_bytes", len(data))
            except BlockingIOError:
                pass
            except OSError as e:
                closed(p, err_name(e))
        time.sleep(max(0.0, 0.1 - (now() - tick)))
    c.set("trickled_for_s", round(now() - t0, 1))
    for kind in kinds:
        c.set(f"{kind}_still_open_at_end", sum(1 for p in peers if p[4] and p[1] == kind))
    for p in peers:
        p[0].close()


def fam_e(h, c, deadline):
    """Random bytes to every port; what does the server answer, does it close?"""

    def body(rnd):
        kind = rnd.choice(("echo", "resp", "line"))
        data = os.urandom(rnd.choice((1, 16, 512, 4096, 9000, 65536)))
        s = connect(h.ports[kind], 2)
        try:
            if not try_send(s, data, c, f"{kind}_send"):
                return
            want = (lambda b: len(b) >= len(data)) if kind == "echo" else None
            buf, eof, err = recv_until(s, now() + 0.3, want=want)
            outcome = "closed" if eof or (err and err != "timeout") else ("replied_open" if buf else "silent_open")
            c.add(f"{kind}_{outcome}")
            if kind == "echo" and buf != data:
                c.add("echo_mismatch")
        finally:
            if rnd.random() < 0.5:
                rst_close(s)
            else:
                s.close()

    run_workers(h, c, deadline, 4, body)


HUGE_LENGTHS = (
    (b"*2147483647\r\n", "mbulk_intmax"),
    (b"$2147483647\r\n", "toplevel_bulk_intmax"),
    (b"*1\r\n$2147483647\r\n", "bulk_intmax"),
    (b"*2147483648\r\n", "mbulk_intmax_plus1"),
    (b"*1\r\n$4294967296\r\n", "bulk_2e32"),
    (b"*9223372036854775807\r\n", "mbulk_longmax"),
    (b"*99999999999999999999999\r\n", "mbulk_overflow"),
    (b"*-7\r\n", "mbulk_negative"),
    (b"*1\r\n$-2\r\n", "bulk_negative"),
    (b"*1\r\n$1048577\r\n", "bulk_over_limit"),
    (b"*1025\r\n", "mbulk_over_limit"),
    (b"*3\r\n$3\r\nSET\r\n$1\r\nk\r\n$2147483647\r\n" + b"a" * 1000, "set_intmax_partial"),
)


def fam_f(h, c, deadline):
    """Huge declared lengths on RESP: error and close expected, never an allocation of the declared size."""

    def body(rnd):
        payload, kind = rnd.choice(HUGE_LENGTHS)
        s = connect(h.ports["resp"], 2)
        try:
            if not try_send(s, payload, c, f"{kind}_send"):
                return
            buf, eof, err = recv_until(s, now() + 1.0)
            first = buf.split(b"\r\n", 1)[0][:48].decode("latin-1")
            end = "closed" if eof or (err and err != "timeout") else "left open 1s"
            c.add(f"{kind}: {first or '(no reply)'} / {end}")
        finally:
            s.close()

    run_workers(h, c, deadline, 2, body)


def fam_g(h, c, deadline):
    """K valid lines, then one oversized line, in one write: how many of the K replies arrive?"""

    def body(rnd):
        k = rnd.randint(1, 16)
        if rnd.random() < 0.65:
            kind = "line"
            lines = [b"valid %d %d" % (i, rnd.getrandbits(20)) for i in range(k)]
            payload = b"".join(l + b"\n" for l in lines) + b"y" * 9000 + b"\n"
            expected = [l.upper() for l in lines]
            sep = b"\n"
        else:
            kind = "resp"
            payload = b"PING\r\n" * k + b"x" * 70000 + b"\r\n"
            expected = [b"+PONG"] * k
            sep = b"\r\n"
        s = connect(h.ports[kind], 2)
        try:
            if not try_send(s, payload, c, f"{kind}_send"):
                c.add(f"{kind}_send_failed")
            buf, eof, err = recv_until(s, now() + 2.0)
        finally:
            s.close()
        got = buf.split(sep)
        n = 0
        while n < len(got) and n < k and got[n] == expected[n]:
            n += 1
        c.add(f"{kind}_tries")
        c.add(f"{kind}_replies_expected", k)
        c.add(f"{kind}_replies_received", n)
        c.add(f"{kind}_all_replies" if n == k else (f"{kind}_no_reply" if n == 0 else f"{kind}_some_lost"))
        if kind == "resp" and b"-ERR" in buf:
            c.add("resp_error_reply_seen")
        c.add(f"{kind}_end_{'eof' if eof else err}")

    run_workers(h, c, deadline, 3, body)


def fam_h(h, c, deadline):
    """Connection flood: thousands of idle connections held, fresh clients checked meanwhile."""
    start = now()
    soft, _ = resource.getrlimit(resource.RLIMIT_NOFILE)
    own = len(os.listdir("/proc/self/fd"))
    target = max(0, min(h.args.flood, soft - own - 300))
    c.set("target", target)
    socks = []
    kinds = ("echo", "resp", "line")
    open_until = start + (deadline - start) * 0.45
    streak = 0
    i = 0
    while len(socks) < target and now() < open_until and not h.abort.is_set():
        try:
            socks.append(connect(h.ports[kinds[i % 3]], 2))
            streak = 0
        except OSError as e:
            c.add(f"connect_{err_name(e)}")
            streak += 1
            if streak >= 50:
                break
        i += 1
    c.set("opened", len(socks))
    c.set("open_rate_per_s", round(len(socks) / max(0.001, now() - start)))
    peak = 0
    wait_until = start + (deadline - start) * 0.7
    while now() < wait_until and not h.abort.is_set():
        a = active_connections(h.ports["actuator"]) or 0
        peak = max(peak, a)
        if a >= len(socks):
            break
        time.sleep(0.25)
    c.set("active_gauge_peak", peak)
    rnd = random.Random()
    for _ in range(3):
        for name, fn in CHECKS:
            problem, latency = run_check(fn, h.ports, rnd)
            c.add("fresh_client_ok" if problem is None else f"fresh_client_FAIL {problem.split(' (')[0]}")
            c.max("fresh_client_max_ms", round(latency * 1000, 1))
    # are the held connections still served? a round trip on some of the echo ones
    echo_held = socks[0::3][:50]
    for s in echo_held:
        try:
            s.sendall(b"x")
            buf, _, err = recv_until(s, now() + 1, want=lambda b: len(b) >= 1)
            c.add("held_echo_ok" if buf == b"x" else f"held_echo_FAIL_{err}")
        except OSError as e:
            c.add(f"held_echo_FAIL_{err_name(e)}")
    while now() < deadline - 1.0 and not h.abort.is_set():
        time.sleep(0.1)
    for n, s in enumerate(socks):
        if n % 2:
            rst_close(s)
        else:
            s.close()


def fam_i(h, c, deadline):
    """Half-close after a request: the reply must still arrive, then end of stream."""

    def body(rnd):
        kind = rnd.choice(("echo", "resp", "line"))
        if kind == "echo":
            req = os.urandom(rnd.randint(1, 4000))
            want = req
        elif kind == "resp":
            v, key = b"%d" % rnd.getrandbits(32), b"hc:%d" % rnd.getrandbits(40)
            req = resp_command(b"SET", key, v) + resp_command(b"GET", key)
            want = b"+OK\r\n$%d\r\n%s\r\n" % (len(v), v)
        else:
            req = b"abc %d\ndef\n" % rnd.getrandbits(16)
            want = req.upper()
        s = connect(h.ports[kind], 2)
        try:
            s.sendall(req)
            s.shutdown(socket.SHUT_WR)
            buf, eof, err = recv_until(s, now() + 3)
        finally:
            s.close()
        c.add(f"{kind}_reply_ok" if buf == want else (f"{kind}_reply_MISSING" if not buf else f"{kind}_reply_WRONG"))
        c.add(f"{kind}_then_eof" if eof else f"{kind}_then_{err}")

    run_workers(h, c, deadline, 2, body)


def resp_exchange(s, requests, replies, deadline):
    """Sends the requests and reads that many RESP replies (simple, error, integer or bulk; no arrays).
    Returns the list of replies (bytes), shorter if the server closed or the deadline passed."""
    s.sendall(requests)
    buf = bytearray()
    out = []
    pos = 0
    while len(out) < replies:
        end = buf.find(b"\r\n", pos)
        if end >= 0:
            head = bytes(buf[pos:end])
            if head[:1] == b"$" and int(head[1:]) >= 0:
                total = end + 2 + int(head[1:]) + 2
                if len(buf) >= total:
                    out.append(bytes(buf[end + 2:total - 2]))
                    pos = total
                    continue
            else:
                out.append(head)
                pos = end + 2
                continue
        left = deadline - now()
        if left <= 0:
            break
        s.settimeout(min(left, 2.0))
        try:
            chunk = s.recv(1 << 20)
        except (socket.timeout, TimeoutError):
            continue
        if not chunk:
            break
        buf += chunk
    return out


def fam_k(h, c, deadline):
    """Fills the store with large values (just under the sample's 512 KiB max-bulk-length) until writes
    get -OOM (the sample's maxmemory, 64 MB by default); reads must still work. FLUSHALL at the end, so
    the heap can return to the baseline."""
    value = b"k" * (500 * 1000)
    s = connect(h.ports["resp"], 10)
    try:
        i = 0
        while now() < deadline - 2 and not h.abort.is_set() and c.snapshot().get("oom_replies", 0) < 20:
            batch = b"".join(resp_command(b"SET", b"fill:%d" % (i + n), value) for n in range(4))
            for r in resp_exchange(s, batch, 4, now() + 10):
                if r == b"+OK":
                    c.add("sets_ok")
                elif r.startswith(b"-OOM"):
                    c.add("oom_replies")
                else:
                    c.add(f"other_reply {r[:40].decode('latin-1')}")
            i += 4
        c.set("values_sent", i)
        c.set("value_bytes", len(value))
        read = resp_exchange(s, resp_command(b"GET", b"fill:0"), 1, now() + 10)
        c.add("get_after_oom_ok" if read == [value] else "get_after_oom_FAIL")
        info = resp_exchange(s, resp_command(b"INFO", b"memory"), 1, now() + 10)
        m = re.search(rb"used_memory:(\d+)", info[0] if info else b"")
        c.set("used_memory_mib", round(int(m.group(1)) / MiB, 1) if m else None)
        c.set("flushall", (resp_exchange(s, resp_command(b"FLUSHALL"), 1, now() + 10) or [b"none"])[0].decode())
    finally:
        s.close()


def fam_l(h, c, deadline):
    """Many unfinished commands across connections: --unfinished-peers peers each send all of a SET of a
    500 KB value but its last bytes, and hold it. Together they pass the sample's pending-budget (64 MB),
    so the server must close the ones past it (no reply, long before the command timeout) and keep the
    others. Ends once the held ones are closed by the command timeout, or at the deadline."""
    value_len = 500 * 1000
    unfinished = resp_command(b"SET", b"held", b"h" * value_len)[:-100]
    peers = []  # [socket, opened_at, open?]
    for _ in range(h.args.unfinished_peers):
        if now() > deadline - 2 or h.abort.is_set():
            break
        try:
            s = connect(h.ports["resp"], 2)
        except OSError as e:
            c.add(f"connect_{err_name(e)}")
            continue
        peer = [s, now(), True]
        peers.append(peer)
        try:
            s.sendall(unfinished)
        except OSError as e:
            c.add(f"send_{err_name(e)}")  # the server closed while the command was on its way
    c.set("peers", len(peers))
    c.set("bytes_each", len(unfinished))

    def still_open():
        return [p for p in peers if p[2]]

    sel = selectors.DefaultSelector()  # epoll: select() cannot watch fds past 1023
    for p in peers:
        sel.register(p[0], selectors.EVENT_READ, p)
    while still_open() and now() < deadline and not h.abort.is_set():
        for key, _ in sel.select(0.2):
            p = key.data
            if not p[2]:
                continue
            try:
                data = p[0].recv(65536)
            except OSError as e:
                data, how = b"", err_name(e)
            else:
                how = "eof"
            if data:
                c.add("reply_bytes", len(data))
                continue
            after = now() - p[1]
            c.add(f"closed_{'by_budget' if after < h.args.trickle_timeout else 'by_timeout'}")
            c.add(f"closed_{how}")
            c.max("closed_after_max_s", round(after, 1))
            p[2] = False
            sel.unregister(p[0])
        if peers and len(still_open()) == len(peers) and now() - peers[-1][1] > 5:
            break  # nothing closed within 5 s of the last send: the server has no budget
    sel.close()
    c.set("still_open_at_end", len(still_open()))
    peak, _ = h.sampler.peak(peers[0][1] if peers else now())
    c.set("rss_peak_growth_mib", round(((peak or 0) - (h.baseline["rss"] or 0)) / MiB))
    for p in peers:
        rst_close(p[0])


def fam_m(h, c, deadline):
    """DBSIZE and INFO with many keys: --m-keys small keys, then two connections issue DBSIZE and INFO
    back to back while four others measure PING round trips (at least one likely shares an event loop
    with an issuer). An O(keys) DBSIZE or INFO freezes its loop; the PINGs must stay fast. FLUSHALL at
    the end."""
    keys = h.args.m_keys
    s = connect(h.ports["resp"], 10)
    try:
        i = 0
        while i < keys and now() < deadline - 4 and not h.abort.is_set():
            batch = []
            for _ in range(20):
                pairs = []
                for n in range(i, min(keys, i + 100)):
                    pairs += [b"many:%d" % n, b"v"]
                i = min(keys, i + 100)
                if pairs:
                    batch.append(resp_command(b"MSET", *pairs))
            replies = resp_exchange(s, b"".join(batch), len(batch), now() + 10)
            c.add("mset_ok", sum(1 for r in replies if r == b"+OK"))
            if any(r != b"+OK" for r in replies):
                c.add(f"mset_reply {next(r for r in replies if r != b'+OK')[:40].decode('latin-1')}")
                break
        c.set("keys_stored", i)
        stop = threading.Event()

        def issue():
            q = connect(h.ports["resp"], 10)
            try:
                while not stop.is_set():
                    replies = resp_exchange(q, (resp_command(b"DBSIZE") + resp_command(b"INFO")) * 10, 20,
                                            now() + 10)
                    c.add("dbsize_info_replies", len(replies))
                    if replies and replies[0].startswith(b":"):
                        c.set("dbsize", int(replies[0][1:]))
                    if len(replies) < 20:
                        c.add("issuer_short_read")
                        break
            except OSError as e:
                c.add(f"issuer_{err_name(e)}")
            finally:
                q.close()

        issuers = [threading.Thread(target=issue, daemon=True) for _ in range(2)]
        for t in issuers:
            t.start()
        pingers = [connect(h.ports["resp"], 5) for _ in range(4)]
        rtts = []
        try:
            end = min(deadline - 2, now() + 8)
            while now() < end and not h.abort.is_set():
                for p in pingers:
                    t0 = now()
                    r = resp_exchange(p, resp_command(b"PING"), 1, now() + 5)
                    rtts.append(now() - t0)
                    if r != [b"+PONG"]:
                        c.add("ping_FAIL")
                time.sleep(0.02)
        finally:
            stop.set()
            for t in issuers:
                t.join(12)
            for p in pingers:
                p.close()
        rtts.sort()
        c.set("pings", len(rtts))
        if rtts:
            c.set("ping_p50_ms", round(rtts[len(rtts) // 2] * 1000, 1))
            c.set("ping_p99_ms", round(rtts[min(len(rtts) - 1, int(0.99 * len(rtts)))] * 1000, 1))
            c.set("ping_max_ms", round(rtts[-1] * 1000, 1))
        c.set("flushall", (resp_exchange(s, resp_command(b"FLUSHALL"), 1, now() + 10) or [b"none"])[0].decode())
    finally:
        s.close()


FAMILIES = {
    "a": ("oversized line + RST (7001, 6380)", 1.2, fam_a),
    "b": ("CLIENT INFO / PING then RST", 1.0, fam_b),
    "c": ("big replies, never read (GET big pipelined, 9KB MGET)", 1.6, fam_c),
    "d": ("trickle 1 byte / 100 ms", 1.0, fam_d),
    "e": ("random garbage, all ports", 0.9, fam_e),
    "f": ("huge declared lengths (RESP)", 0.7, fam_f),
    "g": ("valid lines + oversized line in one write", 1.0, fam_g),
    "h": ("connection flood, idle", 1.4, fam_h),
    "i": ("half-close after request", 0.7, fam_i),
    "k": ("fill the store past maxmemory with 500 KB values", 0.6, fam_k),
    "l": ("unfinished 500 KB commands on many connections", 0.8, fam_l),
    "m": ("DBSIZE/INFO with many keys, PING latency", 0.7, fam_m),
}

# Families that cannot show what they test in less (seconds): the trickle family waits for the sample's
# 10 s frame and command timeouts, the unfinished commands for the command timeout.
FAMILY_MIN_SECONDS = {"d": 16.0, "l": 16.0}


# ---------------------------------------------------------------------------------------------------
# the harness


class Harness:

    def __init__(self, args):
        self.args = args
        off = args.port_offset
        self.ports = {"echo": args.echo_port + off, "resp": args.resp_port + off, "line": args.line_port + off,
                      "actuator": args.actuator_port + off}
        self.server = Server(args, self.ports)
        self.abort = threading.Event()
        self.ceiling_hit = threading.Event()
        self.restarting = False
        self.family = "baseline"
        self.baseline = None
        self.baselines = []
        self.results = []
        self.loop_deaths = []
        self.restarts = []
        self.runaway_kills = []
        self.sampler = Sampler(self)
        self.control = Control(self)
        self.t0 = now()
        self.deadline = self.t0 + args.seconds

    # --- measurements

    def log_summary(self):
        text = self.server.read_log()
        deaths = []
        at = text.find("failed and stopped")
        while at >= 0:
            # the exception and the innermost frames of the project, to say where the loop died
            start = text.rfind("\n", 0, at) + 1
            m = LOOP_DEATH.search(text, start, at + 20)
            at = text.find("failed and stopped", at + 1)
            if not m:
                continue
            tail = text[m.end():m.end() + 6000].splitlines()
            cause = next((l.strip()[:100] for l in tail if EXCEPTION.search(l) and not l.startswith("\t")), "?")
            frames = [re.sub(r"^\s*at (?:[\w$]+\.)*?([\w$]+\.[\w$<>]+)\(([^)]*)\).*$", r"\1(\2)", l)
                      for l in tail if l.startswith("\tat dev.iouring")][:7]
            deaths.append(f"{m.group(1)} loop {m.group(2)}: {cause} at {' < '.join(frames[-3:])}")
        levels = collections.Counter(m.group(1) for m in LOG_LEVEL.finditer(text))
        exceptions = collections.Counter()
        for line in text.splitlines():
            if line.startswith(("\tat ", "\t... ")) or ("Exception" not in line and "Error" not in line):
                continue
            for m in EXCEPTION.finditer(line):
                msg = (m.group(2) or "").strip()
                exceptions[f"{m.group(1).rsplit('.', 1)[1]}{': ' + msg[:80] if msg else ''}"] += 1
        return deaths, dict(levels), exceptions

    def snapshot(self):
        status, err = health(self.ports["actuator"])
        return {"fds": self.server.fds(), "rss": self.server.rss(), "active": active_connections(self.ports["actuator"]),
                "heap_no_gc": heap_used(self.ports["actuator"]), "health": status, "health_error": err,
                "alive": self.server.alive()}

    def measure_baseline(self, label, warmup=None):
        self.warm_up(self.args.warmup if warmup is None else warmup)
        self.wait_active_zero(now() + 10)
        heap, source = self.server.heap_after_gc()
        time.sleep(0.3)
        snap = self.snapshot()
        snap.update({"heap_after_gc": heap, "heap_source": source, "label": label})
        self.baseline = snap
        self.baselines.append(snap)
        self.server.read_log()  # start-up and warm-up lines are not charged to a family
        log(f"baseline ({label}): fds {snap['fds']}, RSS {mib(snap['rss'])} MiB, heap after GC {mib(heap)} MiB "
            f"({source}), active {snap['active']}, health {snap['health']}")

    def warm_up(self, seconds):
        rnd = random.Random(1)
        t_end = now() + seconds
        n = 0
        while now() < t_end:
            for _, fn in CHECKS:
                run_check(fn, self.ports, rnd)
            n += 1
        # a few pipelined requests on one connection per port
        for kind, req in (("echo", b"w" * 1000), ("resp", resp_command(b"PING") * 50), ("line", b"warm\n" * 50)):
            try:
                s = connect(self.ports[kind], 2)
                s.sendall(req)
                recv_until(s, now() + 1, want=lambda b: len(b) >= (1000 if kind == "echo" else 250))
                s.close()
            except OSError:
                pass

    def wait_active_zero(self, deadline):
        last = None
        while now() < deadline:
            last = active_connections(self.ports["actuator"])
            if last == 0:
                return 0, True
            time.sleep(0.25)
        return last, False

    # --- running

    def family_checks(self, check):
        _family_checks(self, check)

    def restart(self, why):
        log(f"  restarting the server ({why})")
        self.restarting = True
        try:
            self.server.stop()
            self.server.start(min(self.deadline, now() + self.args.startup_timeout))
            self.measure_baseline(f"after restart {len(self.restarts) + 1}", warmup=min(1.0, self.args.warmup))
            self.restarts.append({"after": self.family, "why": why})
        finally:
            self.restarting = False

    def run(self):
        args = self.args
        if args.start:
            self.server.start(min(self.deadline, now() + args.startup_timeout))
        else:
            self.server.attach()
        self.sampler.start()
        self.measure_baseline("start")
        self.control.start()
        families = [f for f in args.families.split(",") if f]
        reserve = min(25.0, max(10.0, 0.12 * (self.deadline - now())))
        for idx, key in enumerate(families):
            title, _, fn = FAMILIES[key]
            # hold back the time of one restart while families remain after this one
            held = self.server.last_start_seconds + 11 if (args.on_death == "restart" and args.start
                                                           and idx < len(families) - 1) else 0
            available = self.deadline - reserve - now()
            held = min(held, 0.4 * available)  # a short budget runs the families rather than wait for a restart
            remaining = available - held
            weights = sum(FAMILIES[k][1] for k in families[idx:])
            slot = remaining * FAMILIES[key][1] / weights
            slot = max(slot, min(FAMILY_MIN_SECONDS.get(key, 0.0), remaining))
            if slot < 2:
                log(f"({key}) skipped: no time left")
                self.results.append({"family": key, "title": title, "skipped": "no time left"})
                continue
            self.family = key
            self.abort.clear()
            self.ceiling_hit.clear()
            before = iouring_snapshot(self.ports["actuator"])
            t_start = now()
            log(f"({key}) {title}: {slot:.0f} s")
            c = Counters()
            try:
                fn(self, c, t_start + slot)
            except Exception as e:  # noqa: BLE001
                c.add(f"family_error_{type(e).__name__}: {e}")
            t_end = now()
            time.sleep(0.5)  # let the server see the last closes
            settled_active, _ = self.wait_active_zero(now() + 3) if self.server.alive() else (None, False)
            probe = []
            probe_end = now() + 6
            for name, pfn in CHECKS:
                if now() < probe_end and self.server.alive():
                    problem, _ = run_check(pfn, self.ports)
                    if problem:
                        probe.append(problem)
                else:
                    probe.append(f"{name}: not probed")
            after = iouring_snapshot(self.ports["actuator"])
            deaths, levels, exceptions = self.log_summary()
            snap = self.snapshot()
            rss_peak, fds_peak = self.sampler.peak(t_start)
            delta = {}
            if before and after:
                delta = {k: after[k] - before.get(k, 0) for k in after if after[k] - before.get(k, 0) and k != "loops-listed"}
            result = {"family": key, "title": title, "seconds": round(t_end - t_start, 1),
                      "post_seconds": round(now() - t_end, 1), "counts": c.snapshot(),
                      "server_counters": delta, "loop_deaths": deaths, "log_levels": levels,
                      "log_exceptions": dict(exceptions.most_common(6)), "control": self.control.summary(key),
                      "after": snap, "rss_peak": rss_peak, "fds_peak": fds_peak,
                      "rss_ceiling_hit": self.ceiling_hit.is_set(), "serving_after": not probe,
                      "probe_problems": probe, "active_after_settle": settled_active,
                      "baseline": self.baseline["label"]}
            self.results.append(result)
            self.loop_deaths += [(key, d) for d in deaths]
            log(f"({key}) done: {compact(result['counts'], 6)}")
            log(f"     server: fds {snap['fds']}, RSS {mib(snap['rss'])} MiB (peak {mib(rss_peak)}), active "
                f"{snap['active']}, health {snap['health']}, loop deaths {len(deaths)}, control failures "
                f"{result['control']['failures']}, serving after: {'yes' if not probe else probe}")
            why = None
            if not snap["alive"]:
                why = "process died" + (" (killed by the harness: RSS runaway)"
                                        if any(k["family"] == key for k in self.runaway_kills) else "")
            elif snap["health"] != "UP":
                why = f"health {snap['health']}: {snap['health_error']}"
            elif self.ceiling_hit.is_set():
                why = "RSS over the ceiling"
            elif probe:
                why = f"not serving: {probe[0]}"
            if why:
                result["server_broken"] = why
                last = idx == len(families) - 1
                # a restart costs the last start-up, a warm-up and a baseline; leave the next family some time
                needed = self.server.last_start_seconds + 1 + 5 + 5
                if last:
                    pass
                elif args.on_death == "restart" and args.start and self.deadline - reserve - now() > needed:
                    try:
                        self.restart(why)
                    except HarnessError as e:
                        log(f"  restart failed: {e}")
                        break
                elif args.on_death == "stop" or not snap["alive"] or not result["serving_after"]:
                    left = [k for k in families[idx + 1:]]
                    reason = "no time left to restart the server" if args.on_death == "restart" and args.start \
                        else "the server is broken"
                    log(f"  {reason}: families {','.join(left)} not run")
                    for k in left:
                        self.results.append({"family": k, "title": FAMILIES[k][0], "skipped": reason})
                    break
        self.family = "end"
        self.control.stop.set()
        self.control.join(5)
        return self.verdict(reserve)

    def verdict(self, reserve):
        args = self.args
        base = self.baseline
        end_by = max(now() + 5, self.deadline - 12)
        active, settled = self.wait_active_zero(end_by)
        # fds may lag the gauge by a close or two
        fds = self.server.fds()
        while fds is not None and base["fds"] is not None and fds > base["fds"] + args.fd_slack and now() < end_by:
            time.sleep(0.25)
            fds = self.server.fds()
        alive = self.server.alive()
        served = collections.Counter()
        problems = []
        if alive:
            rnd = random.Random()
            checks_until = max(now() + 4, self.deadline - 6)
            for _ in range(6):  # several fresh connections each, to land on every event loop
                for name, fn in CHECKS:
                    if now() > checks_until:
                        served["not run (time)"] += 1
                        continue
                    problem, _ = run_check(fn, self.ports, rnd)
                    served["ok" if problem is None else "fail"] += 1
                    if problem:
                        problems.append(problem)
        heap, source = self.server.heap_after_gc(timeout=self.deadline + 8 - now()) if alive else (None, None)
        status, herr = health(self.ports["actuator"])
        rss = self.server.rss()
        deaths, _, _ = self.log_summary()
        self.loop_deaths += [("end", d) for d in deaths]
        final = {"alive": alive, "exit_status": self.server.exit_status(), "active": active, "fds": fds, "rss": rss,
                 "heap_after_gc": heap, "heap_source": source, "health": status, "health_error": herr,
                 "served_ok": served["ok"], "served_fail": served["fail"], "serve_problems": problems[:6]}
        ctl = self.control.summary()
        checks = []

        def check(name, ok, detail, severe=False):
            checks.append({"check": name, "pass": bool(ok), "detail": detail, "severe": severe})

        check("server process alive", alive, f"exit status {final['exit_status']}" if not alive else f"pid {self.server.pid}", True)
        check("still serving (6 fresh clients per port)", alive and served["fail"] == 0,
              "server process gone" if not alive else f"{served['ok']} ok, {served['fail']} failed {problems[:3] if problems else ''}".strip()
              + (f", {served['not run (time)']} not run (time)" if served["not run (time)"] else ""), True)
        check("no event loop died", not self.loop_deaths,
              ", ".join(f"{d} (during {k})" for k, d in self.loop_deaths) or "none"
              + ("" if self.server.log_path else " (no log: only health seen)"), True)
        check("RSS never ran away (harness kill)", not self.runaway_kills,
              ", ".join(f"during ({k['family']}) at {mib(k['rss'])} MiB" for k in self.runaway_kills) or "none", True)
        check("no server restart needed", not self.restarts,
              "; ".join(f"after ({r['after']}): {r['why']}" for r in self.restarts) or "none", True)
        check("health UP", status == "UP", f"{status}{': ' + herr if herr else ''}", status == "DOWN")
        check("control client never failed", ctl["failures"] == 0,
              f"{ctl['failures']}/{ctl['checks']} failed {ctl['failure_kinds'] or ''}, p50 {ctl['p50_ms']} ms, "
              f"p99 {ctl['p99_ms']} ms, max {ctl['max_ms']} ms")
        check("active connections back to 0", settled, f"{active} (deadline-bounded poll)")
        check(f"fds back at baseline +-{args.fd_slack}", fds is not None and base["fds"] is not None
              and abs(fds - base["fds"]) <= args.fd_slack, f"{base['fds']} -> {fds}")
        heap_slack = max(args.heap_slack_mb * MiB, 0.25 * (base["heap_after_gc"] or 0))
        check(f"heap after GC back near baseline (+{mib(heap_slack)} MiB)",
              heap is not None and base["heap_after_gc"] is not None and heap - base["heap_after_gc"] <= heap_slack,
              f"{mib(base['heap_after_gc'])} -> {mib(heap)} MiB ({source})")
        rss_growth = None if rss is None or base["rss"] is None else rss - base["rss"]
        check(f"RSS growth under {args.rss_warn_mb} MiB (reported)", rss_growth is not None and rss_growth <= args.rss_warn_mb * MiB,
              f"{mib(base['rss'])} -> {mib(rss)} MiB ({'+' if (rss_growth or 0) >= 0 else ''}{mib(rss_growth)}); "
              f"peak {mib(self.sampler.peak(self.t0)[0])} MiB")
        self.family_checks(check)
        return {"ports": self.ports, "transport": args.transport or ("attached" if not args.start else "default"),
                "seconds_budget": args.seconds, "seconds_used": round(now() - self.t0, 1),
                "baselines": self.baselines, "families": self.results, "final": final, "control": ctl,
                "restarts": self.restarts, "checks": checks, "server_log": self.server.log_path}


def _sum(counts, suffix):
    return sum(v for k, v in counts.items() if k.endswith(suffix) and isinstance(v, int))


def _family_checks(self, check):
    """What each family that ran expects of a robust server (not severe: the server may still serve)."""
    ran = {r["family"]: r for r in self.results if not r.get("skipped")}
    if "i" in ran:
        c = ran["i"]["counts"]
        bad = _sum(c, "_reply_MISSING") + _sum(c, "_reply_WRONG")
        check("(i) half-close: every reply arrives", bad == 0 and _sum(c, "_reply_ok") > 0,
              f"{_sum(c, '_reply_ok')} ok, {bad} missing or wrong, {_sum(c, '_then_eof')} ended with EOF")
    if "h" in ran:
        c = ran["h"]["counts"]
        fails = sum(v for k, v in c.items() if "FAIL" in k)
        check("(h) flood: all connections accepted, fresh and held clients served",
              c.get("opened", 0) > 0 and c.get("active_gauge_peak", 0) >= c.get("opened", 0) and fails == 0,
              f"opened {c.get('opened')}/{c.get('target')}, gauge peak {c.get('active_gauge_peak')}, "
              f"fresh ok {c.get('fresh_client_ok', 0)}, held echo ok {c.get('held_echo_ok', 0)}, failures {fails}")
    if "d" in ran:
        c = ran["d"]["counts"]
        parts = []
        ok = True
        for kind in ("line", "resp"):
            n, left = c.get(f"{kind}_tricklers", 0), c.get(f"{kind}_still_open_at_end", 0)
            first, replies = c.get(f"{kind}_closed_after_min_s"), c.get(f"{kind}_reply_bytes", 0)
            ok = ok and n > 0 and left == 0 and replies == 0 and first is not None \
                and first >= self.args.trickle_timeout
            parts.append(f"{kind}: {n - left}/{n} closed, after {first} to {c.get(f'{kind}_closed_after_max_s')} s, "
                         f"{replies} reply bytes")
        check(f"(d) trickle: every line and RESP trickler closed by a timeout (>= {self.args.trickle_timeout} s, "
              "no reply)", ok, "; ".join(parts) + f"; trickled for {c.get('trickled_for_s')} s at 1 byte per 100 ms"
              + f", echo tricklers open at the end {c.get('echo_still_open_at_end')} (expected)")
    if "k" in ran:
        c = ran["k"]["counts"]
        other = sum(v for k, v in c.items() if k.startswith("other_reply"))
        check("(k) maxmemory: -OOM past the cap, reads served, FLUSHALL frees",
              c.get("oom_replies", 0) > 0 and c.get("get_after_oom_ok", 0) == 1 and other == 0
              and c.get("flushall") == "+OK",
              f"{c.get('sets_ok', 0)} SETs of {c.get('value_bytes')} B stored, {c.get('oom_replies', 0)} -OOM, "
              f"{other} other replies, used_memory {c.get('used_memory_mib')} MiB, GET after OOM "
              f"{'ok' if c.get('get_after_oom_ok') else 'FAILED'}, FLUSHALL {c.get('flushall')}")
    if "l" in ran:
        c = ran["l"]["counts"]
        peers, budget, timeout = c.get("peers", 0), c.get("closed_by_budget", 0), c.get("closed_by_timeout", 0)
        check("(l) unfinished commands: the budget closes those past it, the command timeout the rest",
              budget > 0 and c.get("reply_bytes", 0) == 0 and budget + timeout == peers,
              f"{peers} peers holding {c.get('bytes_each')} B each: {budget} closed by the budget, {timeout} by "
              f"the timeout (last after {c.get('closed_after_max_s')} s), {c.get('still_open_at_end')} open at the "
              f"end, {c.get('reply_bytes', 0)} reply bytes; RSS peak +{c.get('rss_peak_growth_mib')} MiB")
    if "m" in ran:
        c = ran["m"]["counts"]
        check(f"(m) DBSIZE/INFO with many keys: PING stays under {self.args.m_max_ping_ms} ms",
              c.get("pings", 0) > 0 and c.get("ping_FAIL", 0) == 0 and (c.get("ping_max_ms") or 1e9)
              < self.args.m_max_ping_ms and (c.get("dbsize") or 0) >= c.get("keys_stored", 1),
              f"{c.get('keys_stored')} keys, DBSIZE {c.get('dbsize')}, {c.get('dbsize_info_replies', 0)} DBSIZE/INFO "
              f"replies; PING p50 {c.get('ping_p50_ms')} ms, p99 {c.get('ping_p99_ms')} ms, max "
              f"{c.get('ping_max_ms')} ms over {c.get('pings')}")
    if "g" in ran:
        c = ran["g"]["counts"]
        parts = []
        ok = True
        for kind in ("line", "resp"):
            exp, got = c.get(f"{kind}_replies_expected", 0), c.get(f"{kind}_replies_received", 0)
            if exp:
                parts.append(f"{kind}: {got}/{exp} replies before the bad frame's close")
                ok = ok and got == exp
        check("(g) valid requests before a bad frame are answered", ok and parts, "; ".join(parts) or "no tries")
    if "c" in ran:
        r = ran["c"]
        c = r["counts"]
        growth = max(c.get("gets_rss_peak_growth_mib") or 0, c.get("mget_rss_peak_growth_mib") or 0)
        errors = sum(v for k, v in r["server_counters"].items() if k.endswith(":handler-error"))
        check(f"(c) never-reading peers: backpressure, RSS growth under {2 * self.args.rss_warn_mb} MiB, no handler errors",
              not r["rss_ceiling_hit"] and "c" not in {k["family"] for k in self.runaway_kills}
              and growth <= 2 * self.args.rss_warn_mb and errors == 0,
              f"{c.get('gets_sent_total')} GETs accepted of {c.get('gets_peers', 0) * self.args.pipelined_gets}; "
              f"RSS +{c.get('gets_rss_peak_growth_mib')} MiB (GET phase), +{c.get('mget_rss_peak_growth_mib')} MiB (MGET "
              f"phase), peak {mib(r['rss_peak'])} MiB; {errors} handler errors"
              + (f" ({', '.join(list(r['log_exceptions'])[:1])})" if errors else "")
              + f"; active after {r['after']['active']}" + (", RSS ceiling hit" if r["rss_ceiling_hit"] else ""))
    if "b" in ran:
        errs = ran["b"]["server_counters"]
        he = sum(v for k, v in errs.items() if k.endswith(":handler-error"))
        check("(b) request then RST: no handler errors", he == 0, f"{he} connections closed with handler-error"
              + (f" ({', '.join(list(ran['b']['log_exceptions'])[:2])})" if he else ""))


def mib(v):
    return "?" if v is None else f"{v / MiB:.0f}"


def compact(d, n=None):
    items = [(k, v) for k, v in d.items()]
    if n is not None and len(items) > n:
        items = items[:n] + [("...", f"{len(items) - n} more")]
    return ", ".join(f"{k}={v}" for k, v in items)


def render(report):
    out = []
    out.append(f"# hostile.py: transport {report['transport']}, {report['seconds_used']} s of {report['seconds_budget']} s\n")
    b0 = report["baselines"][0]
    out.append(f"Baseline: fds {b0['fds']}, RSS {mib(b0['rss'])} MiB, heap after GC {mib(b0['heap_after_gc'])} MiB "
               f"({b0['heap_source']}), active {b0['active']}, health {b0['health']}.\n")
    out.append("| family | s | what the peers saw | server counters (delta) | loop deaths | ctl fail | fds | RSS MiB end (peak) | active | health | serving after |")
    out.append("|---|---|---|---|---|---|---|---|---|---|---|")
    for r in report["families"]:
        if r.get("skipped"):
            out.append(f"| ({r['family']}) {r['title']} | - | skipped: {r['skipped']} | | | | | | | | |")
            continue
        a = r["after"]
        sc = {k.replace("closed:", ""): v for k, v in r["server_counters"].items() if not k.startswith("accepted:")}
        acc = sum(v for k, v in r["server_counters"].items() if k.startswith("accepted:"))
        out.append(f"| ({r['family']}) {r['title']} | {r['seconds']} | {compact(r['counts'])} | accepted={acc}"
                   f"{', ' + compact(sc) if sc else ''} | {len(r['loop_deaths'])}"
                   f"{' (' + ', '.join(d.split(':')[0] for d in r['loop_deaths']) + ')' if r['loop_deaths'] else ''} | "
                   f"{r['control']['failures']}/{r['control']['checks']} | {a['fds']} | {mib(a['rss'])} ({mib(r['rss_peak'])})"
                   f"{' CEILING' if r['rss_ceiling_hit'] else ''} | {a['active']} | {a['health']}"
                   f"{' (' + r['server_broken'] + ')' if r.get('server_broken') else ''} | "
                   f"{'yes' if r['serving_after'] else 'NO ' + '; '.join(r['probe_problems'])} |")
    out.append("")
    logs = [(r["family"], r["log_exceptions"], r["log_levels"]) for r in report["families"] if r.get("log_exceptions") or r.get("log_levels")]
    if logs:
        out.append("Server log per family (WARN/ERROR lines, most frequent exceptions):\n")
        for fam, exc, levels in logs:
            out.append(f"- ({fam}) {compact(levels)}; " + "; ".join(f"{k} x{v}" for k, v in exc.items()))
        out.append("")
    deaths = [(r["family"], d) for r in report["families"] for d in r.get("loop_deaths") or []]
    if deaths:
        out.append("Event-loop deaths:\n")
        out += [f"- during ({fam}): {d}" for fam, d in deaths]
        out.append("")
    if report["restarts"]:
        out.append("Restarts: " + "; ".join(f"after ({r['after']}): {r['why']}" for r in report["restarts"]) + "\n")
    out.append("| check | result | detail |")
    out.append("|---|---|---|")
    for ch in report["checks"]:
        out.append(f"| {ch['check']} | {'PASS' if ch['pass'] else 'FAIL'} | {ch['detail']} |")
    out.append("")
    return "\n".join(out)


def main():
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--seconds", type=float, default=180, help="total time budget, start-up included (default 180)")
    p.add_argument("--start", metavar="JAR", help="start this sample jar (java -Xmx512m) and kill it at the end")
    p.add_argument("--transport", choices=("nio", "io-uring"), help="with --start: --iouring.server.transport=")
    p.add_argument("--xmx", default="512m")
    p.add_argument("--sample-arg", action="append", default=[], help="extra argument for the sample (repeatable)")
    p.add_argument("--pid", type=int, help="attach: the server's pid (default: whoever listens on the echo port)")
    p.add_argument("--log", help="attach: the server's log file, to see loop deaths and exceptions")
    p.add_argument("--families", default=DEFAULT_ORDER, help=f"comma-separated, in run order (default {DEFAULT_ORDER})")
    p.add_argument("--on-death", choices=("restart", "continue", "stop"), default="restart",
                   help="when a family leaves the server DOWN: restart it (only with --start), go on, or stop")
    p.add_argument("--echo-port", type=int, default=7000)
    p.add_argument("--resp-port", type=int, default=6380)
    p.add_argument("--line-port", type=int, default=7001)
    p.add_argument("--actuator-port", type=int, default=8080)
    p.add_argument("--port-offset", type=int, default=0, help="added to every port (with --start, passed to the sample)")
    p.add_argument("--warmup", type=float, default=3.0, help="seconds of normal traffic before the baseline")
    p.add_argument("--startup-timeout", type=float, default=60.0)
    p.add_argument("--flood", type=int, default=4000, help="(h) idle connections to hold")
    p.add_argument("--tricklers", type=int, default=30, help="(d) trickling peers")
    p.add_argument("--trickle-timeout", type=float, default=10.0,
                   help="(d, l) the sample's line frame-timeout and RESP command-timeout, in seconds (default 10)")
    p.add_argument("--unfinished-peers", type=int, default=200, help="(l) peers holding an unfinished 500 KB SET")
    p.add_argument("--m-keys", type=int, default=200000, help="(m) keys stored before DBSIZE/INFO")
    p.add_argument("--m-max-ping-ms", type=float, default=1000.0, help="(m) slowest PING round trip allowed")
    p.add_argument("--never-readers", type=int, default=4, help="(c) peers pipelining GET big")
    p.add_argument("--pipelined-gets", type=int, default=5000, help="(c) GET big per never-reading peer")
    p.add_argument("--mget-peers", type=int, default=2, help="(c) peers sending the 9 KB MGET")
    p.add_argument("--mget-keys", type=int, default=1000, help="(c) times the MGET names big (<= 1023)")
    p.add_argument("--rss-ceiling-mb", type=int, default=2048,
                   help="abort a family when the server's RSS grows this much over baseline (protects the machine)")
    p.add_argument("--no-runaway-kill", action="store_true",
                   help="do not SIGKILL a started server whose RSS grows past baseline + 2 x --rss-ceiling-mb")
    p.add_argument("--fd-slack", type=int, default=8)
    p.add_argument("--heap-slack-mb", type=int, default=16)
    p.add_argument("--rss-warn-mb", type=int, default=128)
    p.add_argument("--no-source-spread", action="store_true", help="connect from 127.0.0.1 only")
    p.add_argument("--out", help="directory for the server log (default: a new temp dir)")
    p.add_argument("--json", help="write the full report as JSON here")
    p.add_argument("--report", help="write the markdown tables here")
    args = p.parse_args()
    for f in args.families.split(","):
        if f and f not in FAMILIES:
            p.error(f"unknown family {f!r}: choose from {','.join(FAMILIES)}")
    if args.start and not os.path.exists(args.start):
        p.error(f"no such jar: {args.start}")
    if not args.start:
        args.on_death = "continue" if args.on_death == "restart" else args.on_death
    global SPREAD_SOURCES
    SPREAD_SOURCES = not args.no_source_spread
    args.out = args.out or tempfile.mkdtemp(prefix="hostile-")
    os.makedirs(args.out, exist_ok=True)

    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    if soft < hard:
        resource.setrlimit(resource.RLIMIT_NOFILE, (hard, hard))
    log(f"RLIMIT_NOFILE {soft} -> {resource.getrlimit(resource.RLIMIT_NOFILE)[0]}; budget {args.seconds:.0f} s")

    h = Harness(args)

    def kill_ours(*_):
        for srv in list(ACTIVE_SERVERS):
            try:
                os.killpg(srv.pid, signal.SIGKILL)
            except OSError:
                pass

    # Hard stop: whatever happens, past the budget (+ grace for the kill and the report) we leave.
    def watchdog():
        kill_ours()
        print(f"hostile.py: watchdog fired at {args.seconds:.0f} s + grace: killed the server, exiting", file=sys.stderr,
              flush=True)
        os._exit(3)

    timer = threading.Timer(args.seconds + 30, watchdog)
    timer.daemon = True
    timer.start()

    def on_signal(signum, _frame):
        kill_ours()
        os._exit(128 + signum)

    signal.signal(signal.SIGINT, on_signal)
    signal.signal(signal.SIGTERM, on_signal)

    code = 3
    try:
        report = h.run()
        text = render(report)
        print()
        print(text)
        if args.report:
            with open(args.report, "w") as f:
                f.write(text)
        if args.json:
            with open(args.json, "w") as f:
                json.dump(report, f, indent=1, default=str)
        failed = [c for c in report["checks"] if not c["pass"]]
        code = 2 if any(c["severe"] for c in failed) else (1 if failed else 0)
        log(f"exit {code}; server log {report['server_log']}")
    except HarnessError as e:
        log(f"harness error: {e}")
    finally:
        h.sampler.stop.set()
        h.control.stop.set()
        h.server.stop()
        timer.cancel()
    return code


if __name__ == "__main__":
    sys.exit(main())
