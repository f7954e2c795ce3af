#!/usr/bin/env bash
# Side-by-side benchmark of our io_uring server against its peers. One command:
#   benchmarks/run.sh
# builds the load generator, the C reference server and the Netty peers, runs every
# workload against every server (server pinned to SERVER_CPU, load to LOAD_CPU),
# alternating the servers within each of ROUNDS rounds (each round starts one server further along, so
# no server always follows the same one), and writes medians and per-round ratios (ours ÷ each peer in
# the same round) to benchmarks/results/RESULTS-<date>.md. See benchmarks/README.md for the method.
#
# Settings (environment):
#   ROUNDS=5  DURATION=10  WARMUP=10     rounds; measured and warm-up seconds per run
#   SERVERS="c-echo sample netty-io_uring redis"   subset to run (also: netty-epoll netty-nio sample-b)
#   WORKLOADS="echo-c50-p1-s64 echo-c50-p16-s64 echo-c1000-p1-s64 echo-c10000-p1-s64 echo-c10-p1-s16k resp-p1 resp-p16"
#   SAMPLE_JAR=path      our sample app (default: sample-app/target/sample-app-*.jar of this checkout)
#   SAMPLE_B_JAR=path    a second build of the sample, run as server "sample-b", to compare two versions
#                        side by side (e.g. SERVERS="sample sample-b" SAMPLE_B_JAR=/tmp/old/sample-app.jar)
#   SAMPLE_ARGS="--iouring.server.event-loops=1"   extra arguments for the sample app
#   SAMPLE_ECHO_PORT=7000 SAMPLE_RESP_PORT=6380 SAMPLE_ACTUATOR_PORT=8080   where the sample listens
#   C_ECHO_PORT=7101 NETTY_ECHO_PORT=7102 NETTY_RESP_PORT=6391 REDIS_PORT=6392   the peers' ports
#   SAMPLE_ENTERS_CMD='cmd'  prints the sample's io_uring enter count (optional hook)
#   SERVER_CPU=0 LOAD_CPU=1  JAVA_OPTS=""  LOADGEN_ARGS="" (e.g. --busy-poll)
#   NETTY_VERSION=4.2.20.Final NETTY_FALLBACK_VERSION=4.2.18.Final
#   REDIS_REQUESTS_P1, REDIS_REQUESTS_P16   requests per redis-benchmark test
#   TLS workloads (TLS 1.3, TLS_AES_128_GCM_SHA256, a self-signed certificate made in build/tls):
#     tls-echo-cC-pP-sS  against sample (its echo-tls listener), netty-tls-jdk, netty-tls-openssl
#                        (Netty io_uring with SslHandler on the JDK engine or on OpenSSL)
#     tls-resp-pP        redis-benchmark --tls against sample (resp-tls), redis (redis-server --tls-port)
#   SAMPLE_TLS_ECHO_PORT=7443 SAMPLE_TLS_RESP_PORT=6390   where the sample's TLS listeners are set up
set -uo pipefail

BENCH_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
REPO_DIR=$(dirname "$BENCH_DIR")
BUILD_DIR="$BENCH_DIR/build"
RESULTS_DIR="$BENCH_DIR/results"
STAMP=$(date +%Y-%m-%d-%H%M%S)
LOG_DIR="$RESULTS_DIR/logs/$STAMP"
RAW="$RESULTS_DIR/raw-$STAMP.tsv"
REPORT="$RESULTS_DIR/RESULTS-$STAMP.md"

# The command as given, for the report: the settings that came from the environment, then the script.
COMMAND=""
for setting in ROUNDS DURATION WARMUP SERVERS WORKLOADS SAMPLE_JAR SAMPLE_B_JAR SAMPLE_ARGS JAVA_OPTS LOADGEN_ARGS; do
	[[ -n "${!setting+x}" ]] && COMMAND+="$setting=\"${!setting}\" "
done
COMMAND+="benchmarks/run.sh"
ROUNDS=${ROUNDS:-5}
DURATION=${DURATION:-10}
WARMUP=${WARMUP:-10}
SERVERS=${SERVERS:-"c-echo sample netty-io_uring redis"}
WORKLOADS=${WORKLOADS:-"echo-c50-p1-s64 echo-c50-p16-s64 echo-c1000-p1-s64 echo-c10000-p1-s64 echo-c10-p1-s16k resp-p1 resp-p16"}
SERVER_CPU=${SERVER_CPU:-0}
LOAD_CPU=${LOAD_CPU:-1}
SAMPLE_ARGS=${SAMPLE_ARGS:-"--iouring.server.event-loops=1"}
SAMPLE_ECHO_PORT=${SAMPLE_ECHO_PORT:-7000}
SAMPLE_RESP_PORT=${SAMPLE_RESP_PORT:-6380}
SAMPLE_TLS_ECHO_PORT=${SAMPLE_TLS_ECHO_PORT:-7443}
SAMPLE_TLS_RESP_PORT=${SAMPLE_TLS_RESP_PORT:-6390}
TLS_DIR="$BUILD_DIR/tls"
# By default read iouring.ring.enters from the sample's Actuator (port 8080 unless SAMPLE_ARGS moves it).
SAMPLE_ACTUATOR_PORT=${SAMPLE_ACTUATOR_PORT:-8080}
SAMPLE_ENTERS_CMD=${SAMPLE_ENTERS_CMD:-"curl -sf http://127.0.0.1:${SAMPLE_ACTUATOR_PORT}/actuator/metrics/iouring.ring.enters | python3 -c 'import json,sys; print(int(json.load(sys.stdin)[\"measurements\"][0][\"value\"]))'"}
JAVA_OPTS=${JAVA_OPTS:-}
LOADGEN_ARGS=${LOADGEN_ARGS:-}
NETTY_VERSION=${NETTY_VERSION:-4.2.20.Final}
NETTY_FALLBACK_VERSION=${NETTY_FALLBACK_VERSION:-4.2.18.Final}
REDIS_REQUESTS_P1=${REDIS_REQUESTS_P1:-$((DURATION * 40000))}
REDIS_REQUESTS_P16=${REDIS_REQUESTS_P16:-$((DURATION * 300000))}
if [[ -z "${JAVA_HOME:-}" && -d /usr/lib/jvm/temurin-25-jdk-amd64 ]]; then
	export JAVA_HOME=/usr/lib/jvm/temurin-25-jdk-amd64
fi
JAVA="${JAVA_HOME:+$JAVA_HOME/bin/}java"

# Ports of the peers; the sample app's come from its own configuration (move them with SAMPLE_ARGS and
# say where with SAMPLE_ECHO_PORT, SAMPLE_RESP_PORT and SAMPLE_ACTUATOR_PORT).
C_ECHO_PORT=${C_ECHO_PORT:-7101}
NETTY_ECHO_PORT=${NETTY_ECHO_PORT:-7102}
NETTY_RESP_PORT=${NETTY_RESP_PORT:-6391}
REDIS_PORT=${REDIS_PORT:-6392}
NETTY_TLS_ECHO_PORT=${NETTY_TLS_ECHO_PORT:-7103}
REDIS_TLS_PORT=${REDIS_TLS_PORT:-6393}

FAILURES=0
SERVER_PID=""

say() { printf '[bench %s] %s\n' "$(date +%H:%M:%S)" "$*" >&2; }

cleanup() {
	if [[ -n "$SERVER_PID" ]]; then
		stop_server
	fi
}
trap cleanup EXIT
trap 'exit 130' INT TERM

has() { [[ " $1 " == *" $2 "* ]]; }

# ---------------------------------------------------------------- build

build() {
	mkdir -p "$BUILD_DIR" "$LOG_DIR"
	say "building loadgen and c-echo"
	if [[ "$WORKLOADS" == *tls-* ]]; then
		gcc -O2 -Wall -DWITH_TLS -o "$BUILD_DIR/loadgen" "$BENCH_DIR/loadgen/loadgen.c" -lssl -lcrypto \
			|| { say "loadgen with TLS failed to build (apt-get install libssl-dev)"; exit 1; }
		make_certificate
	else
		gcc -O2 -Wall -o "$BUILD_DIR/loadgen" "$BENCH_DIR/loadgen/loadgen.c" || { say "loadgen failed to build"; exit 1; }
	fi
	if has "$SERVERS" c-echo; then
		gcc -O2 -Wall -o "$BUILD_DIR/c-echo" "$BENCH_DIR/c-echo/echo.c" -luring \
			|| { say "c-echo failed to build (apt-get install liburing-dev)"; exit 1; }
	fi
	if [[ "$SERVERS" == *netty-* ]]; then
		local version
		for version in "$NETTY_VERSION" "$NETTY_FALLBACK_VERSION"; do
			say "building the Netty peers with Netty $version"
			if mvn -q -B -f "$BENCH_DIR/netty/pom.xml" -Dnetty.version="$version" \
				package dependency:build-classpath -Dmdep.outputFile=target/classpath.txt \
				>>"$LOG_DIR/netty-build.log" 2>&1; then
				NETTY_USED=$version
				break
			fi
			say "Netty $version did not build or resolve (see $LOG_DIR/netty-build.log)"
		done
		if [[ -z "${NETTY_USED:-}" ]]; then
			say "no Netty version could be built"; exit 1
		fi
		NETTY_CP="$BENCH_DIR/netty/target/netty-peers-0.1.0-SNAPSHOT.jar:$(cat "$BENCH_DIR/netty/target/classpath.txt")"
	fi
	if has "$SERVERS" sample; then
		if [[ -z "${SAMPLE_JAR:-}" ]]; then
			SAMPLE_JAR=$(ls "$REPO_DIR"/sample-app/target/sample-app-*.jar 2>/dev/null \
				| grep -v -e '-sources' -e '-javadoc' -e '\.original' | head -n 1)
		fi
		if [[ -z "${SAMPLE_JAR:-}" || ! -f "$SAMPLE_JAR" ]]; then
			SAMPLE_MISSING="sample app jar not found (build it with 'mvn -pl sample-app -am package' or set SAMPLE_JAR): our server's rows are skipped"
			say "$SAMPLE_MISSING"
			SERVERS=$(echo " $SERVERS " | sed 's/ sample / /')
		fi
	fi
	if has "$SERVERS" redis && ! command -v redis-server >/dev/null; then
		say "redis-server not installed (apt-get install redis-server redis-tools): its rows are skipped"
		SERVERS=$(echo " $SERVERS " | sed 's/ redis / /')
	fi
}

# A self-signed EC P-256 certificate for localhost and 127.0.0.1, for every TLS server alike.
make_certificate() {
	mkdir -p "$TLS_DIR"
	[[ -f "$TLS_DIR/server.crt" ]] && return
	openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes -days 30 \
		-keyout "$TLS_DIR/server.key" -out "$TLS_DIR/server.crt" -subj /CN=localhost \
		-addext "subjectAltName=DNS:localhost,IP:127.0.0.1" >>"$LOG_DIR/tls-cert.log" 2>&1 \
		|| { say "openssl could not make the benchmark certificate"; exit 1; }
}

# The sample's TLS listeners, from an SSL bundle of the benchmark certificate.
sample_tls_args() {
	echo "--spring.ssl.bundle.pem.bench.keystore.certificate=file:$TLS_DIR/server.crt" \
		"--spring.ssl.bundle.pem.bench.keystore.private-key=file:$TLS_DIR/server.key" \
		"--iouring.server.listeners.echo-tls.port=$SAMPLE_TLS_ECHO_PORT" \
		"--iouring.server.listeners.echo-tls.handler=echoHandler" \
		"--iouring.server.listeners.echo-tls.ssl.bundle=bench" \
		"--iouring.server.listeners.resp-tls.port=$SAMPLE_TLS_RESP_PORT" \
		"--iouring.server.listeners.resp-tls.handler=respHandler" \
		"--iouring.server.listeners.resp-tls.ssl.bundle=bench"
}

# ---------------------------------------------------------------- servers

# Polls until the port accepts a connection; bounded by $2 tenths of a second.
wait_for_port() {
	local port=$1 tries=$2 i
	for ((i = 0; i < tries; i++)); do
		if ! kill -0 "$SERVER_PID" 2>/dev/null; then
			return 1
		fi
		if (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null; then
			return 0
		fi
		sleep 0.1
	done
	return 1
}

# start_server NAME PROTOCOL: sets SERVER_PID, SERVER_PORT and COUNTER_CMD.
start_server() {
	local name=$1 protocol=$2
	local log="$LOG_DIR/$name-$protocol.log"
	COUNTER_CMD=""
	local port
	case "$name-$protocol" in
	c-echo-*) port=$C_ECHO_PORT ;;
	netty-*-echo) port=$NETTY_ECHO_PORT ;;
	netty-*) port=$NETTY_RESP_PORT ;;
	sample*-echo) port=$SAMPLE_ECHO_PORT ;;
	sample*) port=$SAMPLE_RESP_PORT ;;
	redis-*) port=$REDIS_PORT ;;
	esac
	# On a shared machine another process may hold the port: the load would then measure that process.
	if (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null; then
		say "$name ($protocol): port $port already accepts connections before the server starts (another process holds it); move the port (see the settings at the top of run.sh)"
		return 1
	fi
	case "$name" in
	c-echo)
		SERVER_PORT=$C_ECHO_PORT
		local stats="$BUILD_DIR/c-echo-enters.bin"
		taskset -c "$SERVER_CPU" "$BUILD_DIR/c-echo" "$SERVER_PORT" "$stats" >>"$log" 2>&1 &
		COUNTER_CMD="od -An -tu8 -N8 $stats"
		;;
	netty-tls-*)
		SERVER_PORT=$NETTY_TLS_ECHO_PORT
		# shellcheck disable=SC2086
		taskset -c "$SERVER_CPU" "$JAVA" --enable-native-access=ALL-UNNAMED $JAVA_OPTS -cp "$NETTY_CP" \
			dev.iouring.benchmarks.netty.PeerServer --transport io_uring --protocol "${protocol#tls-}" \
			--port "$SERVER_PORT" --tls "${name#netty-tls-}" --cert "$TLS_DIR/server.crt" \
			--key "$TLS_DIR/server.key" >>"$log" 2>&1 &
		;;
	netty-*)
		local transport=${name#netty-}
		if [[ "$protocol" == echo ]]; then SERVER_PORT=$NETTY_ECHO_PORT; else SERVER_PORT=$NETTY_RESP_PORT; fi
		# shellcheck disable=SC2086
		taskset -c "$SERVER_CPU" "$JAVA" --enable-native-access=ALL-UNNAMED $JAVA_OPTS -cp "$NETTY_CP" \
			dev.iouring.benchmarks.netty.PeerServer --transport "$transport" --protocol "$protocol" \
			--port "$SERVER_PORT" >>"$log" 2>&1 &
		;;
	sample | sample-b)
		local tls_args=""
		case "$protocol" in
		echo) SERVER_PORT=$SAMPLE_ECHO_PORT ;;
		resp) SERVER_PORT=$SAMPLE_RESP_PORT ;;
		tls-echo) SERVER_PORT=$SAMPLE_TLS_ECHO_PORT; tls_args=$(sample_tls_args) ;;
		tls-resp) SERVER_PORT=$SAMPLE_TLS_RESP_PORT; tls_args=$(sample_tls_args) ;;
		esac
		local jar=$SAMPLE_JAR
		[[ "$name" == sample-b ]] && jar=$SAMPLE_B_JAR
		# shellcheck disable=SC2086
		taskset -c "$SERVER_CPU" "$JAVA" --enable-native-access=ALL-UNNAMED $JAVA_OPTS -jar "$jar" \
			$SAMPLE_ARGS $tls_args >>"$log" 2>&1 &
		COUNTER_CMD=$SAMPLE_ENTERS_CMD
		;;
	redis)
		if [[ "$protocol" == tls-resp ]]; then
			SERVER_PORT=$REDIS_TLS_PORT
			taskset -c "$SERVER_CPU" redis-server --port 0 --tls-port "$SERVER_PORT" --bind 127.0.0.1 --save '' \
				--tls-cert-file "$TLS_DIR/server.crt" --tls-key-file "$TLS_DIR/server.key" \
				--tls-auth-clients no --tls-protocols TLSv1.3 --tls-ciphersuites TLS_AES_128_GCM_SHA256 \
				--appendonly no --daemonize no --protected-mode no --dir "$BUILD_DIR" >>"$log" 2>&1 &
		else
			SERVER_PORT=$REDIS_PORT
			taskset -c "$SERVER_CPU" redis-server --port "$SERVER_PORT" --bind 127.0.0.1 --save '' \
				--appendonly no --daemonize no --protected-mode no --dir "$BUILD_DIR" >>"$log" 2>&1 &
		fi
		;;
	esac
	SERVER_PID=$!
	# JVMs on one CPU can take a while; everything else is up in milliseconds.
	if ! wait_for_port "$SERVER_PORT" 600; then
		say "$name ($protocol) did not start listening on $SERVER_PORT within 60 s: see $log"
		stop_server
		return 1
	fi
}

stop_server() {
	local i
	kill -TERM "$SERVER_PID" 2>/dev/null
	for ((i = 0; i < 100; i++)); do
		kill -0 "$SERVER_PID" 2>/dev/null || break
		sleep 0.1
	done
	kill -KILL "$SERVER_PID" 2>/dev/null
	wait "$SERVER_PID" 2>/dev/null
	SERVER_PID=""
}

# utime and stime of a process, in clock ticks.
proc_ticks() {
	local stat
	stat=$(cat "/proc/$1/stat" 2>/dev/null) || { echo "0 0"; return; }
	stat=${stat##*) }
	# shellcheck disable=SC2086
	set -- $stat
	echo "${12} ${13}"
}

# ---------------------------------------------------------------- workloads

# echo-cC-pP-sS (S may end in k for KiB)
run_echo() {
	local round=$1 workload=$2 server=$3 spec c p s line rc protocol=echo tls=()
	if [[ "$workload" == tls-* ]]; then protocol=tls-echo; tls=(--tls); fi
	spec=${workload#tls-}
	spec=${spec#echo-}
	c=${spec%%-*}; c=${c#c}
	p=${spec#*-p}; p=${p%%-*}
	s=${spec##*-s}
	[[ "$s" == *k ]] && s=$((${s%k} * 1024))
	start_server "$server" "$protocol" || { record "$round" "$workload" "$server" "status=NOSTART"; return; }
	# The counter command may be an HTTP request (the sample's Actuator). Its first call makes the JVM
	# load and compile a web stack; do that now, so that work lands before the warm-up, not in the window.
	if [[ -n "$COUNTER_CMD" ]]; then
		for _ in 1 2 3; do bash -c "$COUNTER_CMD" >/dev/null 2>&1; done
	fi
	local args=(--port "$SERVER_PORT" -c "$c" -p "$p" -s "$s" --warmup "$WARMUP" --duration "$DURATION"
		--server-pid "$SERVER_PID" "${tls[@]}")
	[[ -n "$COUNTER_CMD" ]] && args+=(--counter-cmd "$COUNTER_CMD")
	# shellcheck disable=SC2086
	line=$(timeout $((WARMUP + DURATION + 60)) taskset -c "$LOAD_CPU" "$BUILD_DIR/loadgen" "${args[@]}" $LOADGEN_ARGS \
		2>>"$LOG_DIR/loadgen.log")
	rc=$?
	stop_server
	if [[ $rc -ne 0 ]]; then
		FAILURES=$((FAILURES + 1))
		say "$workload on $server FAILED (exit $rc; see $LOG_DIR/loadgen.log)"
		record "$round" "$workload" "$server" "status=FAIL rc=$rc ${line#RESULT }"
		return
	fi
	say "$workload on $server: $(echo "$line" | grep -o 'msgs_per_s=[^ ]*') $(echo "$line" | grep -o 'server_cpu_us_per_msg=[^ ]*')"
	record "$round" "$workload" "$server" "status=OK ${line#RESULT }"
}

# resp-pP: the four redis-benchmark tests against one server start.
run_resp() {
	local round=$1 workload=$2 server=$3 p test requests csv t0 t1 rps p50 p99 protocol=resp tls=()
	if [[ "$workload" == tls-* ]]; then
		protocol=tls-resp
		tls=(--tls --cacert "$TLS_DIR/server.crt")
	fi
	p=${workload#tls-}
	p=${p#resp-p}
	if [[ "$p" == 1 ]]; then requests=$REDIS_REQUESTS_P1; else requests=$REDIS_REQUESTS_P16; fi
	start_server "$server" "$protocol" || { record "$round" "$workload" "$server" "status=NOSTART"; return; }
	# Warm-up: loop over the tests for WARMUP seconds, results discarded.
	timeout -s INT "$WARMUP" taskset -c "$LOAD_CPU" redis-benchmark -h 127.0.0.1 -p "$SERVER_PORT" "${tls[@]}" -c 50 -P "$p" \
		-l -n 20000 -t ping_inline,ping_mbulk,set,get -q >/dev/null 2>&1
	for test in ping_inline ping_mbulk set get; do
		t0=$(proc_ticks "$SERVER_PID")
		csv=$(timeout $((DURATION * 4 + 60)) taskset -c "$LOAD_CPU" redis-benchmark -h 127.0.0.1 -p "$SERVER_PORT" \
			"${tls[@]}" -c 50 -P "$p" -n "$requests" -t "$test" --csv 2>>"$LOG_DIR/redis-benchmark.log")
		local rc=$?
		t1=$(proc_ticks "$SERVER_PID")
		# "test","rps","avg_latency_ms","min_latency_ms","p50_latency_ms","p95_latency_ms","p99_latency_ms","max_latency_ms"
		local data
		data=$(echo "$csv" | grep -v '^"test"' | tail -n 1 | tr -d '"')
		IFS=, read -r _ rps _ _ p50 _ p99 _ <<<"$data"
		if [[ $rc -ne 0 || -z "${rps:-}" ]]; then
			FAILURES=$((FAILURES + 1))
			say "$workload $test on $server FAILED (exit $rc)"
			record "$round" "$workload" "$server" "status=FAIL test=$test rc=$rc"
			continue
		fi
		local tick
		tick=$(getconf CLK_TCK)
		read -r u0 s0 <<<"$t0"
		read -r u1 s1 <<<"$t1"
		local cpu
		cpu=$(awk -v u=$((u1 - u0)) -v s=$((s1 - s0)) -v n="$requests" -v t="$tick" \
			'BEGIN { us = 1e6 / t; printf "server_user_us_per_msg=%.4f server_sys_us_per_msg=%.4f server_cpu_us_per_msg=%.4f", u*us/n, s*us/n, (u+s)*us/n }')
		say "$workload $test on $server: rps=$rps"
		record "$round" "$workload" "$server" "status=OK test=$test requests=$requests rps=$rps p50_ms=$p50 p99_ms=$p99 $cpu"
	done
	stop_server
}

record() {
	printf 'round=%s workload=%s server=%s %s\n' "$1" "$2" "$3" "$4" >>"$RAW"
}

# ---------------------------------------------------------------- main

main() {
	# Each side holds one descriptor per connection (the load generator and every server start from
	# this shell and inherit its limit), plus a JVM's own few hundred: raise the soft limit to the hard
	# one and refuse to start when the largest workload cannot fit.
	ulimit -n "$(ulimit -Hn)" 2>/dev/null || true
	local most=0 workload c
	for workload in $WORKLOADS; do
		if [[ "$workload" == echo-c* ]]; then
			c=${workload#echo-c}; c=${c%%-*}
			((c > most)) && most=$c
		fi
	done
	if [[ $(ulimit -n) -lt $((most + 1024)) ]]; then
		say "open-file limit $(ulimit -n) is too low for $most connections on each side: raise it to at least $((most + 1024)) (ulimit -Hn is $(ulimit -Hn)), or leave out the workloads with that many"
		exit 1
	fi
	build
	mkdir -p "$RESULTS_DIR"
	: >"$RAW"
	say "rounds=$ROUNDS duration=${DURATION}s warmup=${WARMUP}s servers=[$SERVERS] workloads=[$WORKLOADS]"
	local round workload server order
	local -a servers
	read -r -a servers <<<"$SERVERS"
	local started=$SECONDS
	for ((round = 1; round <= ROUNDS; round++)); do
		# Round r starts with the r-th server: A B C, B C A, C A B, ...
		order=""
		for ((i = 0; i < ${#servers[@]}; i++)); do
			order+=" ${servers[$(((i + round - 1) % ${#servers[@]}))]}"
		done
		say "round $round of $ROUNDS, order:$order ($(((SECONDS - started) / 60)) min so far)"
		for workload in $WORKLOADS; do
			for server in $order; do
				case "$workload" in
				echo-*)
					[[ "$server" == redis || "$server" == netty-tls-* ]] && continue
					run_echo "$round" "$workload" "$server"
					;;
				resp-*)
					[[ "$server" == c-echo || "$server" == netty-tls-* ]] && continue
					run_resp "$round" "$workload" "$server"
					;;
				tls-echo-*)
					[[ "$server" == sample* || "$server" == netty-tls-* ]] || continue
					run_echo "$round" "$workload" "$server"
					;;
				tls-resp-*)
					[[ "$server" == sample* || "$server" == redis ]] || continue
					run_resp "$round" "$workload" "$server"
					;;
				*) say "unknown workload $workload"; exit 1 ;;
				esac
			done
		done
	done
	python3 "$BENCH_DIR/report.py" "$RAW" \
		--meta "date=$(date -u '+%Y-%m-%d %H:%M UTC')" \
		--meta "kernel=$(uname -r)" \
		--meta "cpu=$(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ //') x $(nproc)" \
		--meta "java=$("$JAVA" -version 2>&1 | head -n 1)" \
		--meta "netty=${NETTY_USED:-not built}" \
		--meta "redis=$(redis-server --version 2>/dev/null | awk '{print $3}')" \
		--meta "sample=${SAMPLE_MISSING:-${SAMPLE_JAR:-not run} ${SAMPLE_ARGS}}" \
		--meta "method=rounds $ROUNDS, ${DURATION}s measured after ${WARMUP}s warm-up, server on CPU $SERVER_CPU, load on CPU $LOAD_CPU, servers rotated per round, medians and per-round ratios" \
		--meta "command=$COMMAND" \
		--meta "duration=$(((SECONDS - started) / 60)) min" \
		--meta "load average at end=$(cut -d' ' -f1-3 /proc/loadavg)" \
		>"$REPORT"
	say "wrote $REPORT (raw data: $RAW)"
	cat "$REPORT"
	if [[ $FAILURES -gt 0 ]]; then
		say "$FAILURES run(s) failed"
		exit 1
	fi
}

main "$@"
