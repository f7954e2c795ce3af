/*
 * Minimal io_uring TCP echo server: the near-the-limit reference of the suite.
 *
 * One thread, one ring created with SINGLE_ISSUER | DEFER_TASKRUN.
 *  - One multishot accept on the listening socket.
 *  - One multishot recv per connection, reading into a provided buffer ring of
 *    BUF_COUNT buffers of BUF_SIZE bytes (buffer group 0).
 *  - At most one SENDMSG in flight per connection. While it is in flight, newly
 *    received buffers queue up behind it; the next SENDMSG carries all of them
 *    at once (one iovec per buffer), so sends coalesce under load. A short send
 *    resumes from the byte where it stopped. A buffer goes back to the ring only
 *    when all of its bytes were sent.
 *  - A recv that ends without IORING_CQE_F_MORE is armed again. One that ended
 *    with ENOBUFS waits in a FIFO; each loop turn re-arms at most as many waiting
 *    connections as buffers went back to the ring, so a shortage cannot turn
 *    into a storm of failing recvs.
 *
 * Every loop turn is one io_uring_enter (submit and wait for at least one
 * completion). With a stats file argument, the count of enters is kept in the
 * first 8 bytes of that file (a shared mapping, native-endian u64) so a
 * benchmark can read it while the server runs.
 *
 * With ECHO_SEND_ZC_MIN=N in the environment, a SENDMSG of at least N bytes is sent
 * with IORING_OP_SENDMSG_ZC instead: its buffers go back to the ring only when the
 * kernel's notification CQE says it no longer reads them. This exists to measure
 * that lever side by side; it is off by default.
 *
 * With ECHO_BUF_INC=1, the buffer ring is registered with IOU_PBUF_RING_INC
 * (kernel 6.12+): a buffer is consumed a receive at a time, so consecutive small
 * receives share one buffer, which goes back to the ring once the kernel has
 * moved on from it (no IORING_CQE_F_BUF_MORE) and every byte of it was sent.
 * Also a lever measured side by side; off by default.
 *
 * Usage: echo PORT [STATS_FILE]. Listens on 127.0.0.1.
 */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <liburing.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <unistd.h>

#define RING_ENTRIES 4096
#define CQ_ENTRIES 16384
#define BUF_COUNT 2048            /* power of two, as the buffer ring requires */
#define BUF_SIZE (16 * 1024)
#define BUF_GROUP 0
#define MAX_IOV 64                /* buffers carried by one SENDMSG */
#define MAX_FDS 65536

/* user_data: operation in the top byte, file descriptor in the low 32 bits. */
enum op { OP_ACCEPT = 1, OP_RECV = 2, OP_SEND = 3, OP_SEND_ZC = 4 };
#define UD(op, fd) (((uint64_t)(op) << 56) | (uint32_t)(fd))
#define UD_OP(ud) ((int)((ud) >> 56))
#define UD_FD(ud) ((int)(uint32_t)(ud))
#define ZC_BATCHES 64             /* zero-copy sends awaiting their notification, per connection */

/* A received buffer waiting to be echoed: bytes [off, len) are still unsent. */
struct pending {
    uint16_t bid;
    uint32_t off;
    uint32_t len;
};

struct conn {
    int fd;
    int recv_armed;
    int send_in_flight;
    int closing;
    int starved;              /* waiting in the ENOBUFS FIFO */
    /* FIFO of pending buffers; capacity grows when a peer outruns the sends. */
    struct pending *q;
    uint32_t q_cap, q_head, q_len;
    uint32_t iov_count;       /* buffers covered by the SENDMSG in flight */
    int zc;                   /* the send in flight is a SENDMSG_ZC */
    /* Zero-copy sends whose notification has not come: the buffers each one retired,
     * returned to the ring when its notification arrives (they arrive in send order). */
    uint16_t *zc_bids;
    uint32_t zc_bids_cap, zc_bids_head, zc_bids_len;
    uint32_t zc_batch[ZC_BATCHES];
    uint32_t zc_batch_head, zc_batch_len;
    struct iovec iov[MAX_IOV];
    struct msghdr msg;
};

static struct io_uring ring;
static struct io_uring_buf_ring *br;
static uint8_t *buf_base;
static unsigned buf_returned;     /* buffers added to the ring this turn */
static struct conn *conns[MAX_FDS];
static int starved_fifo[MAX_FDS];
static unsigned starved_head, starved_len;
static volatile uint64_t *enter_count;
static uint64_t enters_local;
static uint32_t send_zc_min;      /* 0: never zero-copy */
/* Incremental consumption (ECHO_BUF_INC=1). Not in liburing 2.3's headers: values from the kernel uapi. */
#define PBUF_RING_INC 2
#define CQE_F_BUF_MORE (1U << 4)
static int buf_inc;
static uint32_t buf_consumed[BUF_COUNT];  /* bytes the kernel has filled, from the buffer's start */
static uint32_t buf_refs[BUF_COUNT];      /* received pieces of the buffer not yet sent */
static uint8_t buf_kernel[BUF_COUNT];     /* the kernel may still fill more of it */

static void fatal(const char *what, int err)
{
    fprintf(stderr, "c-echo: %s: %s\n", what, strerror(err));
    exit(1);
}

static struct io_uring_sqe *get_sqe(void)
{
    struct io_uring_sqe *sqe = io_uring_get_sqe(&ring);
    if (!sqe) {
        /* Submission queue full: hand what we have to the kernel and retry. */
        int r = io_uring_submit(&ring);
        if (r < 0)
            fatal("io_uring_submit", -r);
        enters_local++;
        sqe = io_uring_get_sqe(&ring);
        if (!sqe)
            fatal("io_uring_get_sqe", EBUSY);
    }
    return sqe;
}

static void return_buffer(uint16_t bid)
{
    io_uring_buf_ring_add(br, buf_base + (size_t)bid * BUF_SIZE, BUF_SIZE, bid,
                          io_uring_buf_ring_mask(BUF_COUNT), (int)buf_returned);
    buf_returned++;
}

/* A received piece of a buffer: where its bytes start. With incremental consumption, the
 * piece follows the ones before it in the same buffer. */
static uint32_t take_buffer(uint16_t bid, uint32_t len, uint32_t cqe_flags)
{
    if (!buf_inc)
        return 0;
    uint32_t start = buf_consumed[bid];
    buf_consumed[bid] += len;
    buf_refs[bid]++;
    buf_kernel[bid] = (cqe_flags & CQE_F_BUF_MORE) != 0;
    return start;
}

/* One received piece of the buffer is done with; the buffer goes back to the ring when all are. */
static void release_buffer(uint16_t bid)
{
    if (buf_inc) {
        if (--buf_refs[bid] > 0 || buf_kernel[bid])
            return;
        buf_consumed[bid] = 0;
    }
    return_buffer(bid);
}

static void arm_accept(int lfd)
{
    struct io_uring_sqe *sqe = get_sqe();
    io_uring_prep_multishot_accept(sqe, lfd, NULL, NULL, 0);
    io_uring_sqe_set_data64(sqe, UD(OP_ACCEPT, lfd));
}

static void arm_recv(struct conn *c)
{
    struct io_uring_sqe *sqe = get_sqe();
    io_uring_prep_recv_multishot(sqe, c->fd, NULL, 0, 0);
    sqe->flags |= IOSQE_BUFFER_SELECT;
    sqe->buf_group = BUF_GROUP;
    io_uring_sqe_set_data64(sqe, UD(OP_RECV, c->fd));
    c->recv_armed = 1;
}

/* One SENDMSG over the first MAX_IOV pending buffers. */
static void start_send(struct conn *c)
{
    uint32_t n = c->q_len < MAX_IOV ? c->q_len : MAX_IOV;
    for (uint32_t i = 0; i < n; i++) {
        struct pending *p = &c->q[(c->q_head + i) % c->q_cap];
        c->iov[i].iov_base = buf_base + (size_t)p->bid * BUF_SIZE + p->off;
        c->iov[i].iov_len = p->len - p->off;
    }
    c->iov_count = n;
    memset(&c->msg, 0, sizeof(c->msg));
    c->msg.msg_iov = c->iov;
    c->msg.msg_iovlen = n;
    uint64_t bytes = 0;
    for (uint32_t i = 0; i < n; i++)
        bytes += c->iov[i].iov_len;
    struct io_uring_sqe *sqe = get_sqe();
    c->zc = send_zc_min > 0 && bytes >= send_zc_min && c->zc_batch_len < ZC_BATCHES;
    if (c->zc) {
        io_uring_prep_sendmsg_zc(sqe, c->fd, &c->msg, MSG_NOSIGNAL);
        io_uring_sqe_set_data64(sqe, UD(OP_SEND_ZC, c->fd));
    } else {
        io_uring_prep_sendmsg(sqe, c->fd, &c->msg, MSG_NOSIGNAL);
        io_uring_sqe_set_data64(sqe, UD(OP_SEND, c->fd));
    }
    c->send_in_flight = 1;
}

static void enqueue(struct conn *c, uint16_t bid, uint32_t start, uint32_t len)
{
    if (c->q_len == c->q_cap) {
        uint32_t cap = c->q_cap * 2;
        struct pending *q = malloc(sizeof(*q) * cap);
        if (!q)
            fatal("malloc", ENOMEM);
        for (uint32_t i = 0; i < c->q_len; i++)
            q[i] = c->q[(c->q_head + i) % c->q_cap];
        free(c->q);
        c->q = q;
        c->q_cap = cap;
        c->q_head = 0;
    }
    c->q[(c->q_head + c->q_len) % c->q_cap] = (struct pending){bid, start, start + len};
    c->q_len++;
}

/* Close once no operation on the descriptor can still complete. */
static void maybe_release(struct conn *c)
{
    if (!c->closing || c->recv_armed || c->send_in_flight || c->starved || c->zc_batch_len)
        return;
    while (c->q_len) {
        release_buffer(c->q[c->q_head].bid);
        c->q_head = (c->q_head + 1) % c->q_cap;
        c->q_len--;
    }
    conns[c->fd] = NULL;
    close(c->fd);
    free(c->q);
    free(c->zc_bids);
    free(c);
}

static void begin_close(struct conn *c)
{
    if (!c->closing) {
        c->closing = 1;
        /* Ends a multishot recv that is still armed (it completes with 0). */
        shutdown(c->fd, SHUT_RDWR);
    }
    maybe_release(c);
}

static void on_accept(int lfd, struct io_uring_cqe *cqe)
{
    if (!(cqe->flags & IORING_CQE_F_MORE))
        arm_accept(lfd);
    if (cqe->res < 0) {
        fprintf(stderr, "c-echo: accept: %s\n", strerror(-cqe->res));
        return;
    }
    int fd = cqe->res;
    if (fd >= MAX_FDS) {
        close(fd);
        return;
    }
    struct conn *c = calloc(1, sizeof(*c));
    if (!c)
        fatal("calloc", ENOMEM);
    c->fd = fd;
    c->q_cap = 16;
    c->q = malloc(sizeof(*c->q) * c->q_cap);
    if (!c->q)
        fatal("malloc", ENOMEM);
    conns[fd] = c;
    arm_recv(c);
}

static void on_recv(struct conn *c, struct io_uring_cqe *cqe)
{
    int more = cqe->flags & IORING_CQE_F_MORE;
    if (!more)
        c->recv_armed = 0;
    if (cqe->res > 0) {
        uint16_t bid = (uint16_t)(cqe->flags >> IORING_CQE_BUFFER_SHIFT);
        uint32_t start = take_buffer(bid, (uint32_t)cqe->res, cqe->flags);
        if (c->closing) {
            release_buffer(bid);
        } else {
            enqueue(c, bid, start, (uint32_t)cqe->res);
            if (!c->send_in_flight)
                start_send(c);
        }
        if (!more && !c->closing)
            arm_recv(c);
    } else if (cqe->res == -ENOBUFS) {
        if (!c->closing && !more) {
            c->starved = 1;
            starved_fifo[(starved_head + starved_len) % MAX_FDS] = c->fd;
            starved_len++;
        }
    } else if (!more) {
        /* 0 is the peer's FIN; anything else an error. Either way, we are done. */
        begin_close(c);
        return;
    }
    maybe_release(c);
}

static void zc_hold(struct conn *c, uint16_t bid)
{
    if (c->zc_bids_len == c->zc_bids_cap) {
        uint32_t cap = c->zc_bids_cap ? c->zc_bids_cap * 2 : 64;
        uint16_t *q = malloc(sizeof(*q) * cap);
        if (!q)
            fatal("malloc", ENOMEM);
        for (uint32_t i = 0; i < c->zc_bids_len; i++)
            q[i] = c->zc_bids[(c->zc_bids_head + i) % c->zc_bids_cap];
        free(c->zc_bids);
        c->zc_bids = q;
        c->zc_bids_cap = cap;
        c->zc_bids_head = 0;
    }
    c->zc_bids[(c->zc_bids_head + c->zc_bids_len) % c->zc_bids_cap] = bid;
    c->zc_bids_len++;
}

/* The notification of the oldest zero-copy send: the kernel is done with its buffers. */
static void on_send_notif(struct conn *c)
{
    if (c->zc_batch_len == 0) {
        fprintf(stderr, "c-echo: zero-copy notification without a send waiting for it\n");
        exit(1);
    }
    uint32_t n = c->zc_batch[c->zc_batch_head];
    c->zc_batch_head = (c->zc_batch_head + 1) % ZC_BATCHES;
    c->zc_batch_len--;
    for (uint32_t i = 0; i < n; i++) {
        release_buffer(c->zc_bids[c->zc_bids_head]);
        c->zc_bids_head = (c->zc_bids_head + 1) % c->zc_bids_cap;
        c->zc_bids_len--;
    }
    maybe_release(c);
}

static void on_send(struct conn *c, struct io_uring_cqe *cqe)
{
    if (cqe->flags & IORING_CQE_F_NOTIF) {
        on_send_notif(c);
        return;
    }
    int zc = c->zc;
    /* A zero-copy send with F_MORE has a notification to come; its buffers wait for it. */
    int notif = zc && (cqe->flags & IORING_CQE_F_MORE);
    c->send_in_flight = 0;
    c->zc = 0;
    if (notif) {
        c->zc_batch[(c->zc_batch_head + c->zc_batch_len) % ZC_BATCHES] = 0;
        c->zc_batch_len++;
    }
    if (cqe->res < 0) {
        begin_close(c);
        return;
    }
    /* Retire fully sent buffers; a short send leaves an offset in the first unsent one. */
    uint32_t left = (uint32_t)cqe->res;
    while (left > 0) {
        struct pending *p = &c->q[c->q_head];
        uint32_t unsent = p->len - p->off;
        if (left < unsent) {
            p->off += left;
            break;
        }
        left -= unsent;
        if (notif) {
            zc_hold(c, p->bid);
            c->zc_batch[(c->zc_batch_head + c->zc_batch_len - 1) % ZC_BATCHES]++;
        } else {
            release_buffer(p->bid);
        }
        c->q_head = (c->q_head + 1) % c->q_cap;
        c->q_len--;
    }
    if (c->closing) {
        maybe_release(c);
        return;
    }
    if (c->q_len)
        start_send(c);
}

/* Re-arm at most as many starved connections as buffers came back this turn. */
static void rearm_starved(unsigned budget)
{
    while (budget > 0 && starved_len > 0) {
        int fd = starved_fifo[starved_head];
        starved_head = (starved_head + 1) % MAX_FDS;
        starved_len--;
        struct conn *c = conns[fd];
        if (!c)
            continue;
        c->starved = 0;
        if (c->closing) {
            maybe_release(c);
            continue;
        }
        arm_recv(c);
        budget--;
    }
}

static int listen_on(int port)
{
    int fd = socket(AF_INET, SOCK_STREAM, 0);
    if (fd < 0)
        fatal("socket", errno);
    int one = 1;
    setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
    /* Accepted sockets inherit TCP_NODELAY from the listener. */
    setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
    struct sockaddr_in addr = {.sin_family = AF_INET, .sin_port = htons((uint16_t)port)};
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    if (bind(fd, (struct sockaddr *)&addr, sizeof(addr)) < 0)
        fatal("bind", errno);
    if (listen(fd, 4096) < 0)
        fatal("listen", errno);
    return fd;
}

static void setup_buffer_ring(void)
{
    size_t ring_bytes = sizeof(struct io_uring_buf) * BUF_COUNT;
    void *mem = mmap(NULL, ring_bytes, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    if (mem == MAP_FAILED)
        fatal("mmap buffer ring", errno);
    br = mem;
    io_uring_buf_ring_init(br);
    struct io_uring_buf_reg reg = {.ring_addr = (uint64_t)(uintptr_t)br, .ring_entries = BUF_COUNT, .bgid = BUF_GROUP,
                                   .pad = buf_inc ? PBUF_RING_INC : 0};
    int r = io_uring_register_buf_ring(&ring, &reg, 0);
    if (r < 0)
        fatal("io_uring_register_buf_ring", -r);
    buf_base = mmap(NULL, (size_t)BUF_COUNT * BUF_SIZE, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    if (buf_base == MAP_FAILED)
        fatal("mmap buffers", errno);
    for (unsigned i = 0; i < BUF_COUNT; i++)
        return_buffer((uint16_t)i);
    io_uring_buf_ring_advance(br, (int)buf_returned);
    buf_returned = 0;
}

static void map_stats(const char *path)
{
    int fd = open(path, O_RDWR | O_CREAT | O_TRUNC, 0644);
    if (fd < 0)
        fatal("open stats file", errno);
    if (ftruncate(fd, 8) < 0)
        fatal("ftruncate stats file", errno);
    void *p = mmap(NULL, 8, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
    if (p == MAP_FAILED)
        fatal("mmap stats file", errno);
    close(fd);
    enter_count = p;
}

int main(int argc, char **argv)
{
    if (argc < 2) {
        fprintf(stderr, "usage: echo PORT [STATS_FILE]\n");
        return 2;
    }
    signal(SIGPIPE, SIG_IGN);
    int port = atoi(argv[1]);
    if (argc > 2)
        map_stats(argv[2]);
    const char *zc_min = getenv("ECHO_SEND_ZC_MIN");
    if (zc_min)
        send_zc_min = (uint32_t)strtoul(zc_min, NULL, 10);
    const char *inc = getenv("ECHO_BUF_INC");
    buf_inc = inc && strcmp(inc, "1") == 0;

    struct io_uring_params params;
    memset(&params, 0, sizeof(params));
    params.flags = IORING_SETUP_SINGLE_ISSUER | IORING_SETUP_DEFER_TASKRUN | IORING_SETUP_CQSIZE;
    params.cq_entries = CQ_ENTRIES;
    int r = io_uring_queue_init_params(RING_ENTRIES, &ring, &params);
    if (r < 0)
        fatal("io_uring_queue_init_params (needs kernel 6.1+ for DEFER_TASKRUN)", -r);
    setup_buffer_ring();

    int lfd = listen_on(port);
    arm_accept(lfd);
    fprintf(stderr, "c-echo: listening on 127.0.0.1:%d%s\n", port, send_zc_min ? " (SENDMSG_ZC for large sends)" : "");
    if (buf_inc)
        fprintf(stderr, "c-echo: incremental buffer consumption\n");

    for (;;) {
        r = io_uring_submit_and_wait(&ring, 1);
        enters_local++;
        if (enter_count)
            *enter_count = enters_local;
        if (r < 0 && r != -EINTR && r != -EAGAIN && r != -EBUSY)
            fatal("io_uring_submit_and_wait", -r);

        struct io_uring_cqe *cqe;
        unsigned head, seen = 0;
        io_uring_for_each_cqe(&ring, head, cqe) {
            uint64_t ud = io_uring_cqe_get_data64(cqe);
            int fd = UD_FD(ud);
            seen++;
            switch (UD_OP(ud)) {
            case OP_ACCEPT:
                on_accept(fd, cqe);
                break;
            case OP_RECV:
                if (conns[fd])
                    on_recv(conns[fd], cqe);
                else if (cqe->res > 0) {
                    uint16_t bid = (uint16_t)(cqe->flags >> IORING_CQE_BUFFER_SHIFT);
                    take_buffer(bid, (uint32_t)cqe->res, cqe->flags);
                    release_buffer(bid);
                }
                break;
            case OP_SEND:
            case OP_SEND_ZC:
                if (conns[fd])
                    on_send(conns[fd], cqe);
                break;
            }
        }
        io_uring_cq_advance(&ring, seen);

        /* Publish returned buffers with one tail update. Re-arming can release a
         * closing connection and return more, so repeat until none are left
         * unpublished; otherwise the ring could sit short while we wait. */
        while (buf_returned) {
            unsigned n = buf_returned;
            io_uring_buf_ring_advance(br, (int)n);
            buf_returned = 0;
            rearm_starved(n);
        }
    }
}
