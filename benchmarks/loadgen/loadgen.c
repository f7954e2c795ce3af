/*
 * Closed-loop TCP echo load generator for the benchmark suite.
 *
 * One thread, level-triggered epoll. Each of C connections keeps P messages of
 * S bytes in flight: whenever the last byte of a message comes back, one more
 * message is queued on that connection. Every echoed byte is compared with what
 * was sent; the first mismatch ends the run with exit code 1.
 *
 * Content: a connection's outgoing byte stream is a window onto one shared
 * pseudo-random pattern of PATTERN_LEN bytes, starting at an offset derived from
 * the connection number. Stream position p of connection c holds
 * pattern[(start(c) + p) % PATTERN_LEN]. PATTERN_LEN is prime, so message n
 * (positions n*S .. n*S+S-1) has content that depends on both c and n, and bytes
 * echoed to the wrong connection or out of order fail the comparison. Sends are
 * written straight from the pattern and received bytes compared against it, so
 * no per-message copy or allocation happens.
 *
 * Latency: the time a message is queued for sending (taken once per event
 * handled, with CLOCK_MONOTONIC) to the time its last byte is read. Values go
 * into a fixed log-linear histogram (64 sub-buckets per power of two, about
 * 1.6% resolution).
 *
 * Server CPU: with --server-pid, utime and stime of /proc/PID/stat are read at
 * the start and at the end of the measured window. With --counter-cmd, a shell
 * command printing an integer (for example a server's io_uring enter count) is
 * run at both ends too, and the difference is reported per message.
 * host_steal is the share of all CPUs' time that the hypervisor gave to someone
 * else over the window (steal in /proc/stat): a run with high steal is noise.
 *
 * --busy-poll makes epoll_wait return at once instead of sleeping, which spares
 * the load CPU its wake-ups (costly in a VM) at the price of using all of it;
 * loadgen_cpu_us_per_msg then means nothing.
 *
 * Output: one line starting with "RESULT" of key=value pairs, on stdout.
 */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/uio.h>
#include <time.h>
#include <unistd.h>

/* Largest prime below 2^20: the pattern fits in L2 and never aligns with S. */
#define PATTERN_LEN 1048573u
#define RECV_BUF_LEN (256u * 1024u)
#define MAX_EVENTS 256

/* Histogram: values below 2^(SUB_BITS+1) ns get one bucket each; above, each
 * power of two is split into 2^SUB_BITS buckets. 40 octaves reach ~18 minutes. */
#define SUB_BITS 6
#define SUB_COUNT (1u << SUB_BITS)
#define HIST_BUCKETS ((40u + 2u) * SUB_COUNT)

#ifdef WITH_TLS
/* --tls: every connection speaks TLS 1.3 with TLS_AES_128_GCM_SHA256 (OpenSSL; built with
 * -DWITH_TLS -lssl -lcrypto). The handshake is done, blocking, before the load starts, and the
 * server's certificate is not checked: this measures records, not trust. */
#include <openssl/err.h>
#include <openssl/ssl.h>
static SSL_CTX *tls_ctx;
#endif

struct conn {
#ifdef WITH_TLS
    SSL *ssl;
#endif
    int fd;
    uint32_t start;        /* offset of this connection's stream in the pattern */
    uint64_t queued;       /* stream bytes handed to the sender so far */
    uint64_t sent;         /* stream bytes written to the socket */
    uint64_t received;     /* stream bytes read back and verified */
    uint64_t *send_ns;     /* ring of P queue times, indexed by message % P */
    int want_out;          /* EPOLLOUT registered because a write was short */
};

static uint8_t *pattern;
static uint64_t hist[HIST_BUCKETS];
static uint64_t hist_count;

static struct {
    const char *host;
    int port;
    int conns;
    int inflight;
    uint32_t size;
    double warmup_s;
    double duration_s;
    int server_pid;
    const char *counter_cmd;
    int connect_timeout_s;
    int tls;
    int busy_poll;
} opt = {"127.0.0.1", 7000, 50, 1, 64, 2.0, 10.0, 0, NULL, 10, 0};

static uint64_t now_ns(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

static void die(const char *what)
{
    fprintf(stderr, "loadgen: %s: %s\n", what, strerror(errno));
    exit(2);
}

static unsigned hist_index(uint64_t v)
{
    if (v < 2 * SUB_COUNT)
        return (unsigned)v;
    unsigned msb = 63u - (unsigned)__builtin_clzll(v);
    unsigned shift = msb - SUB_BITS;
    unsigned idx = (shift + 1u) * SUB_COUNT + (unsigned)((v >> shift) - SUB_COUNT);
    return idx < HIST_BUCKETS ? idx : HIST_BUCKETS - 1;
}

/* Middle of the bucket's range, in ns. */
static double hist_value(unsigned idx)
{
    if (idx < 2 * SUB_COUNT)
        return idx;
    unsigned shift = idx / SUB_COUNT - 1u;
    uint64_t low = ((uint64_t)(idx % SUB_COUNT) + SUB_COUNT) << shift;
    return (double)low + (double)(1ull << shift) / 2.0;
}

static double hist_percentile_us(double pct)
{
    if (hist_count == 0)
        return 0.0;
    uint64_t rank = (uint64_t)(pct / 100.0 * (double)hist_count);
    if (rank >= hist_count)
        rank = hist_count - 1;
    uint64_t seen = 0;
    for (unsigned i = 0; i < HIST_BUCKETS; i++) {
        seen += hist[i];
        if (seen > rank)
            return hist_value(i) / 1000.0;
    }
    return hist_value(HIST_BUCKETS - 1) / 1000.0;
}

static void fill_pattern(void)
{
    pattern = malloc(PATTERN_LEN);
    if (!pattern)
        die("malloc pattern");
    uint64_t x = 0x9e3779b97f4a7c15ull; /* xorshift64, fixed seed */
    for (uint32_t i = 0; i < PATTERN_LEN; i++) {
        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
        pattern[i] = (uint8_t)(x >> 32);
    }
}

/* Up to two iovecs covering stream bytes [from, from+len) of a connection. */
static int stream_iov(const struct conn *c, uint64_t from, uint64_t len, struct iovec iov[2])
{
    uint32_t off = (uint32_t)((c->start + from) % PATTERN_LEN);
    uint32_t first = PATTERN_LEN - off;
    if (len <= first) {
        iov[0].iov_base = pattern + off;
        iov[0].iov_len = len;
        return 1;
    }
    iov[0].iov_base = pattern + off;
    iov[0].iov_len = first;
    iov[1].iov_base = pattern;
    iov[1].iov_len = len - first;
    return 2;
}

/* Stream bytes in one writev. Large enough for 16 x 16 KiB, small enough to
 * keep the socket buffer the flow-control point. */
#define MAX_WRITE (512u * 1024u)

/* Returns 0 when everything queued was written, 1 when the socket is full,
 * -1 on error. */
static int flush_conn(struct conn *c)
{
    while (c->sent < c->queued) {
        uint64_t len = c->queued - c->sent;
        if (len > MAX_WRITE)
            len = MAX_WRITE;
        struct iovec iov[2];
        int n = stream_iov(c, c->sent, len, iov);
#ifdef WITH_TLS
        if (c->ssl) {
            /* One record per write of at most 16 KiB, as a TLS application would send. */
            size_t chunk = iov[0].iov_len < 16384 ? iov[0].iov_len : 16384;
            int w = SSL_write(c->ssl, iov[0].iov_base, (int)chunk);
            if (w <= 0) {
                int err = SSL_get_error(c->ssl, w);
                if (err == SSL_ERROR_WANT_WRITE || err == SSL_ERROR_WANT_READ)
                    return 1;
                return -1;
            }
            c->sent += (uint64_t)w;
            continue;
        }
#endif
        ssize_t w = writev(c->fd, iov, n);
        if (w < 0) {
            if (errno == EAGAIN)
                return 1;
            if (errno == EINTR)
                continue;
            return -1;
        }
        c->sent += (uint64_t)w;
    }
    return 0;
}

static void set_out_interest(int ep, struct conn *c, int want)
{
    if (c->want_out == want)
        return;
    struct epoll_event ev = {.events = EPOLLIN | (want ? EPOLLOUT : 0), .data.ptr = c};
    if (epoll_ctl(ep, EPOLL_CTL_MOD, c->fd, &ev) < 0)
        die("epoll_ctl mod");
    c->want_out = want;
}

/* Compare received bytes with the pattern; returns 0 when they match. */
static int verify(const struct conn *c, const uint8_t *buf, size_t len)
{
    struct iovec iov[2];
    int n = stream_iov(c, c->received, len, iov);
    if (memcmp(buf, iov[0].iov_base, iov[0].iov_len) != 0)
        return -1;
    if (n == 2 && memcmp(buf + iov[0].iov_len, iov[1].iov_base, iov[1].iov_len) != 0)
        return -1;
    return 0;
}

struct cpu_sample {
    long long utime, stime; /* clock ticks */
    int ok;
};

static struct cpu_sample read_proc_cpu(int pid)
{
    struct cpu_sample s = {0, 0, 0};
    char path[64], buf[4096];
    snprintf(path, sizeof(path), "/proc/%d/stat", pid);
    int fd = open(path, O_RDONLY);
    if (fd < 0)
        return s;
    ssize_t n = read(fd, buf, sizeof(buf) - 1);
    close(fd);
    if (n <= 0)
        return s;
    buf[n] = 0;
    /* The command name may hold spaces and parentheses: fields restart after the last ')'. */
    char *p = strrchr(buf, ')');
    if (!p)
        return s;
    p += 2; /* field 3, the state */
    /* Fields 3..13 are skipped; 14 is utime, 15 stime. */
    for (int field = 3; field < 14; field++) {
        p = strchr(p, ' ');
        if (!p)
            return s;
        p++;
    }
    if (sscanf(p, "%lld %lld", &s.utime, &s.stime) == 2)
        s.ok = 1;
    return s;
}

/* Steal ticks of all CPUs (field 8 of the "cpu" line of /proc/stat): time the hypervisor ran something
 * else while this virtual machine wanted to run. A window with much steal measured the host, not us. */
static long long read_steal_ticks(void)
{
    char buf[512];
    int fd = open("/proc/stat", O_RDONLY);
    if (fd < 0)
        return -1;
    ssize_t n = read(fd, buf, sizeof(buf) - 1);
    close(fd);
    if (n <= 0)
        return -1;
    buf[n] = 0;
    long long f[8];
    if (sscanf(buf, "cpu %lld %lld %lld %lld %lld %lld %lld %lld", &f[0], &f[1], &f[2], &f[3], &f[4], &f[5],
               &f[6], &f[7]) != 8)
        return -1;
    return f[7];
}

/* Last integer printed by a shell command, or -1. */
static long long run_counter_cmd(const char *cmd)
{
    FILE *f = popen(cmd, "r");
    if (!f)
        return -1;
    long long value = -1, v;
    char line[256];
    while (fgets(line, sizeof(line), f)) {
        char *p = line;
        while (*p) {
            char *end;
            v = strtoll(p, &end, 10);
            if (end != p) {
                value = v;
                p = end;
            } else {
                p++;
            }
        }
    }
    if (pclose(f) != 0)
        return -1;
    return value;
}

static void usage(void)
{
    fprintf(stderr,
            "usage: loadgen [--host H] [--port N] [-c CONNS] [-p INFLIGHT] [-s BYTES]\n"
            "               [--warmup SEC] [--duration SEC] [--server-pid PID]\n"
            "               [--counter-cmd 'CMD printing an integer'] [--connect-timeout SEC]\n"
            "               [--busy-poll] [--tls]\n");
    exit(2);
}

static void parse_args(int argc, char **argv)
{
    static const struct option longs[] = {
        {"host", required_argument, 0, 'H'},
        {"port", required_argument, 0, 'P'},
        {"conns", required_argument, 0, 'c'},
        {"inflight", required_argument, 0, 'p'},
        {"size", required_argument, 0, 's'},
        {"warmup", required_argument, 0, 'w'},
        {"duration", required_argument, 0, 'd'},
        {"server-pid", required_argument, 0, 'S'},
        {"counter-cmd", required_argument, 0, 'K'},
        {"connect-timeout", required_argument, 0, 'T'},
        {"busy-poll", no_argument, 0, 'B'},
        {"tls", no_argument, 0, 'L'},
        {"help", no_argument, 0, 'h'},
        {0, 0, 0, 0},
    };
    int ch;
    while ((ch = getopt_long(argc, argv, "c:p:s:h", longs, NULL)) != -1) {
        switch (ch) {
        case 'H': opt.host = optarg; break;
        case 'P': opt.port = atoi(optarg); break;
        case 'c': opt.conns = atoi(optarg); break;
        case 'p': opt.inflight = atoi(optarg); break;
        case 's': opt.size = (uint32_t)strtoul(optarg, NULL, 10); break;
        case 'w': opt.warmup_s = atof(optarg); break;
        case 'd': opt.duration_s = atof(optarg); break;
        case 'S': opt.server_pid = atoi(optarg); break;
        case 'K': opt.counter_cmd = optarg; break;
        case 'T': opt.connect_timeout_s = atoi(optarg); break;
        case 'B': opt.busy_poll = 1; break;
        case 'L': opt.tls = 1; break;
        default: usage();
        }
    }
#ifndef WITH_TLS
    if (opt.tls) {
        fprintf(stderr, "loadgen: built without TLS (compile with -DWITH_TLS -lssl -lcrypto)\n");
        exit(2);
    }
#endif
    if (opt.conns < 1 || opt.inflight < 1 || opt.size < 1 || opt.duration_s <= 0 || opt.warmup_s < 0 ||
        opt.port < 1 || opt.port > 65535)
        usage();
}

static int connect_one(const struct sockaddr_in *addr)
{
    int fd = socket(AF_INET, SOCK_STREAM, 0);
    if (fd < 0)
        die("socket");
    int one = 1;
    setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
    /* connect() honours the send timeout, which bounds a full accept backlog. */
    struct timeval tv = {.tv_sec = opt.connect_timeout_s, .tv_usec = 0};
    setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof(tv));
    if (connect(fd, (const struct sockaddr *)addr, sizeof(*addr)) < 0) {
        fprintf(stderr, "loadgen: connect %s:%d: %s\n", opt.host, opt.port, strerror(errno));
        exit(3);
    }
    int flags = fcntl(fd, F_GETFL);
    fcntl(fd, F_SETFL, flags | O_NONBLOCK);
    return fd;
}

#ifdef WITH_TLS
/* Runs the TLS handshake of a connected socket, blocking, and leaves the socket non-blocking. */
static SSL *tls_connect(int fd)
{
    if (!tls_ctx) {
        tls_ctx = SSL_CTX_new(TLS_client_method());
        if (!tls_ctx || !SSL_CTX_set_min_proto_version(tls_ctx, TLS1_3_VERSION) ||
            !SSL_CTX_set_ciphersuites(tls_ctx, "TLS_AES_128_GCM_SHA256")) {
            ERR_print_errors_fp(stderr);
            exit(3);
        }
        SSL_CTX_set_verify(tls_ctx, SSL_VERIFY_NONE, NULL);
        SSL_CTX_set_mode(tls_ctx, SSL_MODE_ENABLE_PARTIAL_WRITE | SSL_MODE_ACCEPT_MOVING_WRITE_BUFFER);
    }
    int flags = fcntl(fd, F_GETFL);
    fcntl(fd, F_SETFL, flags & ~O_NONBLOCK);
    SSL *ssl = SSL_new(tls_ctx);
    SSL_set_fd(ssl, fd);
    SSL_set_tlsext_host_name(ssl, "localhost");
    if (SSL_connect(ssl) != 1) {
        fprintf(stderr, "loadgen: TLS handshake with %s:%d failed\n", opt.host, opt.port);
        ERR_print_errors_fp(stderr);
        exit(3);
    }
    fcntl(fd, F_SETFL, flags | O_NONBLOCK);
    return ssl;
}
#endif

int main(int argc, char **argv)
{
    parse_args(argc, argv);
    fill_pattern();

    struct sockaddr_in addr = {.sin_family = AF_INET, .sin_port = htons((uint16_t)opt.port)};
    if (inet_pton(AF_INET, opt.host, &addr.sin_addr) != 1) {
        fprintf(stderr, "loadgen: host must be an IPv4 address: %s\n", opt.host);
        return 2;
    }

    int ep = epoll_create1(0);
    if (ep < 0)
        die("epoll_create1");
    struct conn *conns = calloc((size_t)opt.conns, sizeof(struct conn));
    uint64_t *send_times = calloc((size_t)opt.conns * (size_t)opt.inflight, sizeof(uint64_t));
    uint8_t *rbuf = malloc(RECV_BUF_LEN);
    if (!conns || !send_times || !rbuf)
        die("malloc");

    for (int i = 0; i < opt.conns; i++) {
        struct conn *c = &conns[i];
        c->fd = connect_one(&addr);
#ifdef WITH_TLS
        if (opt.tls)
            c->ssl = tls_connect(c->fd);
#endif
        c->start = (uint32_t)(((uint64_t)i * 2654435761u + 12345u) % PATTERN_LEN);
        c->send_ns = send_times + (size_t)i * (size_t)opt.inflight;
        struct epoll_event ev = {.events = EPOLLIN, .data.ptr = c};
        if (epoll_ctl(ep, EPOLL_CTL_ADD, c->fd, &ev) < 0)
            die("epoll_ctl add");
    }

    /* Prime every connection with P messages. */
    uint64_t t0 = now_ns();
    for (int i = 0; i < opt.conns; i++) {
        struct conn *c = &conns[i];
        for (int k = 0; k < opt.inflight; k++)
            c->send_ns[k] = t0;
        c->queued = (uint64_t)opt.inflight * opt.size;
        int r = flush_conn(c);
        if (r < 0) {
            fprintf(stderr, "loadgen: write: %s\n", strerror(errno));
            return 3;
        }
        if (r == 1)
            set_out_interest(ep, c, 1);
    }

    const uint64_t S = opt.size;
    const uint64_t P = (uint64_t)opt.inflight;
    uint64_t warm_end = t0 + (uint64_t)(opt.warmup_s * 1e9);
    uint64_t end = warm_end + (uint64_t)(opt.duration_s * 1e9);
    int measuring = 0;
    uint64_t msgs = 0, verified = 0;
    uint64_t window_start = 0, window_end = 0;
    struct cpu_sample cpu0 = {0}, cpu1 = {0};
    struct rusage self0, self1;
    long long counter0 = -1, counter1 = -1;
    long long steal0 = -1, steal1 = -1;
    int errors = 0;
    struct epoll_event events[MAX_EVENTS];

    for (;;) {
        int n = epoll_wait(ep, events, MAX_EVENTS, opt.busy_poll ? 0 : 100);
        if (n < 0) {
            if (errno == EINTR)
                continue;
            die("epoll_wait");
        }
        uint64_t t = now_ns();
        if (!measuring && t >= warm_end) {
            /* Start of the measured window: forget the warm-up. */
            memset(hist, 0, sizeof(hist));
            hist_count = 0;
            msgs = 0;
            verified = 0;
            /* The counter command runs first: it may make the server do work of its own (an HTTP
             * request), which must fall outside the CPU window just as it falls outside the message
             * window. */
            if (opt.counter_cmd)
                counter0 = run_counter_cmd(opt.counter_cmd);
            if (opt.server_pid)
                cpu0 = read_proc_cpu(opt.server_pid);
            getrusage(RUSAGE_SELF, &self0);
            steal0 = read_steal_ticks();
            window_start = now_ns();
            t = window_start;
            measuring = 1;
        } else if (measuring && t >= end) {
            window_end = t;
            if (opt.server_pid)
                cpu1 = read_proc_cpu(opt.server_pid);
            getrusage(RUSAGE_SELF, &self1);
            steal1 = read_steal_ticks();
            if (opt.counter_cmd)
                counter1 = run_counter_cmd(opt.counter_cmd);
            break;
        }

        for (int e = 0; e < n; e++) {
            struct conn *c = events[e].data.ptr;
            uint32_t evs = events[e].events;
            if (evs & EPOLLIN) {
#ifdef WITH_TLS
            again:;
#endif
                ssize_t r;
#ifdef WITH_TLS
                if (c->ssl) {
                    r = SSL_read(c->ssl, rbuf, RECV_BUF_LEN);
                    if (r <= 0) {
                        int err = SSL_get_error(c->ssl, (int)r);
                        if (err == SSL_ERROR_WANT_READ || err == SSL_ERROR_WANT_WRITE)
                            goto out;
                        if (err != SSL_ERROR_ZERO_RETURN) {
                            fprintf(stderr, "loadgen: connection %ld: TLS error %d\n", (long)(c - conns), err);
                            ERR_print_errors_fp(stderr);
                            errors++;
                            goto done;
                        }
                        r = 0;
                    }
                } else
#endif
                r = read(c->fd, rbuf, RECV_BUF_LEN);
                if (r <= 0) {
                    if (r < 0 && (errno == EAGAIN || errno == EINTR))
                        goto out;
                    fprintf(stderr, "loadgen: connection %ld: %s\n", (long)(c - conns),
                            r == 0 ? "closed by server" : strerror(errno));
                    errors++;
                    goto done;
                }
                if ((uint64_t)r > c->sent - c->received || verify(c, rbuf, (size_t)r) != 0) {
                    fprintf(stderr, "loadgen: connection %ld: echoed bytes differ from sent bytes at stream offset %llu\n",
                            (long)(c - conns), (unsigned long long)c->received);
                    errors++;
                    goto done;
                }
                uint64_t before = c->received / S;
                c->received += (uint64_t)r;
                uint64_t after = c->received / S;
                verified += (uint64_t)r;
                /* Messages before..after-1 are now complete. */
                for (uint64_t m = before; m < after; m++) {
                    uint64_t sent_at = c->send_ns[m % P];
                    /* Only messages sent inside the window count: one sent before it may have waited
                     * while this thread ran the counter command at the window's start. */
                    if (measuring && sent_at >= window_start) {
                        hist[hist_index(t - sent_at)]++;
                        hist_count++;
                    }
                    /* Message m+P takes over slot m % P. */
                    c->send_ns[m % P] = t;
                }
                msgs += after - before;
                c->queued += (after - before) * S;
#ifdef WITH_TLS
                /* Decrypted bytes OpenSSL holds do not wake epoll: read them now. */
                if (c->ssl && SSL_pending(c->ssl) > 0)
                    goto again;
#endif
            }
        out:
            if ((evs & (EPOLLIN | EPOLLOUT)) && c->sent < c->queued) {
                int r = flush_conn(c);
                if (r < 0) {
                    fprintf(stderr, "loadgen: connection %ld: write: %s\n", (long)(c - conns), strerror(errno));
                    errors++;
                    goto done;
                }
                set_out_interest(ep, c, r == 1);
            } else if ((evs & EPOLLOUT) && c->sent == c->queued) {
                set_out_interest(ep, c, 0);
            }
            if (evs & (EPOLLERR | EPOLLHUP)) {
                fprintf(stderr, "loadgen: connection %ld: error or hang-up\n", (long)(c - conns));
                errors++;
                goto done;
            }
        }
    }
done:
    if (!measuring || window_end == 0) {
        window_end = now_ns();
        if (!measuring)
            window_start = t0;
        getrusage(RUSAGE_SELF, &self1);
        if (!measuring)
            self0 = self1;
    }
    for (int i = 0; i < opt.conns; i++) {
#ifdef WITH_TLS
        if (conns[i].ssl)
            SSL_free(conns[i].ssl);
#endif
        close(conns[i].fd);
    }

    double secs = (double)(window_end - window_start) / 1e9;
    double rate = msgs / secs;
    long tick = sysconf(_SC_CLK_TCK);
    printf("RESULT conns=%d inflight=%d size=%u seconds=%.3f msgs=%llu msgs_per_s=%.0f mb_per_s=%.2f "
           "p50_us=%.2f p99_us=%.2f p999_us=%.2f max_us=%.2f errors=%d verified_bytes=%llu",
           opt.conns, opt.inflight, opt.size, secs, (unsigned long long)msgs, rate, rate * S / 1e6,
           hist_percentile_us(50.0), hist_percentile_us(99.0), hist_percentile_us(99.9),
           hist_percentile_us(100.0), errors, (unsigned long long)verified);
    if (opt.server_pid) {
        if (cpu0.ok && cpu1.ok && msgs > 0) {
            double us_per_tick = 1e6 / (double)tick;
            double user = (double)(cpu1.utime - cpu0.utime) * us_per_tick / (double)msgs;
            double sys = (double)(cpu1.stime - cpu0.stime) * us_per_tick / (double)msgs;
            printf(" server_user_us_per_msg=%.4f server_sys_us_per_msg=%.4f server_cpu_us_per_msg=%.4f "
                   "server_cpu_util=%.3f",
                   user, sys, user + sys, (user + sys) * (double)msgs / 1e6 / secs);
        } else {
            printf(" server_cpu_us_per_msg=NA");
        }
    }
    if (opt.counter_cmd) {
        if (counter0 >= 0 && counter1 >= counter0 && msgs > 0)
            printf(" enters_per_msg=%.4f", (double)(counter1 - counter0) / (double)msgs);
        else
            printf(" enters_per_msg=NA");
    }
    double self_us = ((double)(self1.ru_utime.tv_sec - self0.ru_utime.tv_sec) * 1e6 +
                      (double)(self1.ru_utime.tv_usec - self0.ru_utime.tv_usec) +
                      (double)(self1.ru_stime.tv_sec - self0.ru_stime.tv_sec) * 1e6 +
                      (double)(self1.ru_stime.tv_usec - self0.ru_stime.tv_usec));
    printf(" loadgen_cpu_us_per_msg=%.4f", msgs ? self_us / (double)msgs : 0.0);
    /* Share of the machine's CPU time stolen by the host over the window (all CPUs together). */
    if (steal0 >= 0 && steal1 >= steal0 && secs > 0)
        printf(" host_steal=%.3f", (double)(steal1 - steal0) / (double)tick / secs / (double)sysconf(_SC_NPROCESSORS_ONLN));
    printf("\n");
    fflush(stdout);
    if (errors)
        return 1;
    if (msgs == 0) {
        fprintf(stderr, "loadgen: no message completed in the measured window\n");
        return 1;
    }
    return 0;
}
