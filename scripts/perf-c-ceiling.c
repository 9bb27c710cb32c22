/*
 * perf-c-ceiling.c: the kernel ceiling as information, a reference contender
 * for `npm run bench:perf` (contender `c-mmsg`). It is not a target for this
 * tool: it shows how far a Node process is from what the kernel itself
 * sustains on this machine, and why (Node 20's dgram makes one sendmsg and one
 * recvmsg system call per datagram; this program moves up to BATCH datagrams
 * per system call with sendmmsg/recvmmsg, and sends and receives on separate
 * threads without an event loop in between).
 *
 * bench:perf compiles it with `cc -O2 -pthread` into a cache directory outside
 * the repository; by hand:
 *
 *   cc -O2 -pthread -o /tmp/perf-c-ceiling scripts/perf-c-ceiling.c
 *   /tmp/perf-c-ceiling --size 64 --rate-ab 100000 --rate-ba 100000 \
 *       --seconds 2 --omit 1 --buf 4194304          (a rate of `max`: unpaced)
 *
 * One trial per invocation; prints one JSON line on stdout and exits by
 * itself (exit status 0 with "ok":true, 1 with "ok":false and a reason, 2 for
 * a usage error).
 *
 * Layout: ONE process holding both endpoints, A and B. Each endpoint has ONE
 * UDP socket bound on 127.0.0.1 (one port, like the product), connect()ed to
 * the other endpoint's port, with SO_RCVBUF/SO_SNDBUF set to --buf (the
 * effective values, as the kernel reports them, are in the output). Four
 * threads: per endpoint a send thread and a receive thread on the same socket.
 * Both sockets are bound and connected before any thread starts, so no
 * ECONNREFUSED from a peer that is not up yet.
 *
 * Sending: a token bucket on CLOCK_MONOTONIC paces each sender to its offered
 * rate (credit capped at 10 ms worth, so a stall never turns into a huge
 * burst); when no datagram is due the thread sleeps until a small batch is
 * (about 200 us worth, 1..BATCH). Each sendmmsg call carries up to BATCH
 * datagrams. Phases: --omit seconds of warm-up, a short pause (EDGE_PAUSE_NS),
 * then --seconds measured. Each datagram carries a 64-bit sequence number
 * (bytes 0..7, host order) and a phase marker (byte 8: 0 warm-up, 1 measured);
 * the rest is filler.
 *
 * What counts as sent: only what sendmmsg reports as sent (its return value,
 * summed). When a call fails, its errno is counted (see "errors" in the
 * output); on EINTR, EAGAIN or ENOBUFS the same datagrams are retried (until
 * the hard deadline), on any other errno the first datagram of the call is
 * given up (not sent, counted as that errno) and the rest retried. The token
 * bucket is charged for every datagram that was sent or given up.
 *
 * What counts as received: the receive thread reads with recvmmsg
 * (MSG_WAITFORONE, up to BATCH per call) and counts each measured-phase
 * sequence number once (a bitmap): "received" is the number of unique
 * measured datagrams read, whenever they arrive (a warm-up straggler is
 * counted as warm-up, never as measured). Duplicates, datagrams of an
 * unexpected length and sequence numbers beyond the cap are counted apart.
 * Receiving goes on for DRAIN_NS after both senders have finished.
 *
 * Loss per direction = sent - received (measured phase). As a cross-check,
 * "kernelDrops" is the growth of the receiving socket's `drops` column in
 * /proc/net/udp from the start of the sender's measured phase to the end of
 * the drain (null when it cannot be read); on loopback it should equal the
 * loss, give or take warm-up datagrams dropped right at the phase edge.
 *
 * Bounds: traffic goes to 127.0.0.1 only; each direction sends at most
 * MAX_DATAGRAMS measured datagrams (and as many warm-up ones); every loop
 * checks a hard deadline (omit + seconds + DEADLINE_SLACK_S); a SIGALRM
 * backstop a few seconds later prints an "ok":false line and exits even if a
 * thread is stuck in a system call.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <netinet/in.h>
#include <arpa/inet.h>
#include <pthread.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <time.h>
#include <unistd.h>

/** Datagrams per sendmmsg / recvmmsg call. */
#define BATCH 64
/** Measured datagrams per direction at most, whatever the rate and time (also sizes the bitmap: 6.25 MB). */
#define MAX_DATAGRAMS 50000000ULL
/** Pause between warm-up and measured phase: lets the loopback backlog settle before the drop counter is read. */
#define EDGE_PAUSE_NS 20000000LL
/** Receiving goes on this long after both senders are done. */
#define DRAIN_NS 300000000LL
/** Hard deadline: omit + seconds + this. */
#define DEADLINE_SLACK_S 10
/** The SIGALRM backstop fires this much later than the hard deadline. */
#define BACKSTOP_EXTRA_S 5
/** Receive timeout, so a receive thread sees the stop flag. */
#define RCV_TIMEOUT_US 20000
/** Send timeout, so a blocked send returns EAGAIN and sees the deadline. */
#define SND_TIMEOUT_US 100000
/** errno values counted individually; larger ones are counted as "other". */
#define ERRNO_SLOTS 160
#define HOST "127.0.0.1"
#define MARK_WARMUP 0
#define MARK_MEASURED 1
#define HEADER_BYTES 9

static int64_t now_ns(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (int64_t)ts.tv_sec * 1000000000LL + ts.tv_nsec;
}

static void sleep_until_ns(int64_t t) {
  struct timespec ts = { (time_t)(t / 1000000000LL), (long)(t % 1000000000LL) };
  while (clock_nanosleep(CLOCK_MONOTONIC, TIMER_ABSTIME, &ts, NULL) == EINTR) {
  }
}

struct options {
  int size;
  double rate_ab; /* datagrams/s; < 0: unpaced (`max`) */
  double rate_ba;
  double seconds;
  double omit;
  int buf;
};

/** One direction: a sender on one endpoint's socket, a receiver on the other's. */
struct direction {
  const char *from, *to;
  int send_fd, recv_fd;
  int recv_port;
  double rate;
  /* sender side */
  uint64_t sent_warmup, sent;
  uint64_t errors[ERRNO_SLOTS + 1]; /* measured phase; [ERRNO_SLOTS] = other */
  uint64_t errors_warmup;
  uint64_t given_up;   /* measured datagrams given up after an error */
  uint64_t unsent_at_deadline;
  double seconds;      /* measured send time */
  long long drops_before, drops_after;
  int deadline_hit;
  /* receiver side */
  uint64_t received_warmup, received, duplicates, malformed, out_of_range, recv_errors;
  uint8_t *seen; /* bitmap of measured sequence numbers */
};

static struct options opt;
static int64_t start_ns, deadline_ns;
static atomic_int stop_receiving;
/** Set by a thread that could not allocate its buffers: the run reports "ok":false. */
static atomic_int thread_setup_failed;

static const char *errno_name(int e) {
  switch (e) {
    case EAGAIN: return "EAGAIN";
    case EINTR: return "EINTR";
    case ENOBUFS: return "ENOBUFS";
    case ECONNREFUSED: return "ECONNREFUSED";
    case EPERM: return "EPERM";
    case EMSGSIZE: return "EMSGSIZE";
    case ENOMEM: return "ENOMEM";
    case EINVAL: return "EINVAL";
    case EBADF: return "EBADF";
    case ENOTCONN: return "ENOTCONN";
    case EHOSTUNREACH: return "EHOSTUNREACH";
    case ENETUNREACH: return "ENETUNREACH";
    default: return NULL;
  }
}

/** The `drops` column of the socket bound to 127.0.0.1:port in /proc/net/udp, or -1. */
static long long socket_drops(int port) {
  FILE *f = fopen("/proc/net/udp", "r");
  if (!f) return -1;
  char want[32];
  snprintf(want, sizeof want, "0100007F:%04X", port);
  char line[512];
  long long drops = -1;
  if (!fgets(line, sizeof line, f)) { fclose(f); return -1; } /* header */
  while (fgets(line, sizeof line, f)) {
    char *save = NULL, *tok, *last = NULL;
    int field = 0, match = 0;
    for (tok = strtok_r(line, " \t\n", &save); tok; tok = strtok_r(NULL, " \t\n", &save), field++) {
      if (field == 1 && strcmp(tok, want) == 0) match = 1;
      last = tok;
    }
    if (match && last) {
      char *end;
      long long v = strtoll(last, &end, 10);
      if (*end == '\0') drops = v;
      break;
    }
  }
  fclose(f);
  return drops;
}

struct sendbuf {
  struct mmsghdr msgs[BATCH];
  struct iovec iov[BATCH];
  uint8_t *data; /* BATCH * size */
};

/**
 * Sends n prepared datagrams (msgs[0..n)); counts what sendmmsg reports as sent
 * into *sent and errors by errno. Returns how many datagrams were settled (sent
 * or given up); fewer than n only when the hard deadline stopped the retries.
 */
static int send_all(struct direction *d, struct sendbuf *sb, int n, int measured, uint64_t *sent) {
  int i = 0;
  while (i < n) {
    int r = sendmmsg(d->send_fd, sb->msgs + i, (unsigned)(n - i), 0);
    if (r > 0) {
      *sent += (uint64_t)r;
      i += r;
      continue;
    }
    int e = r == 0 ? EAGAIN : errno;
    if (measured) d->errors[e >= 0 && e < ERRNO_SLOTS ? e : ERRNO_SLOTS] += 1;
    else d->errors_warmup += 1;
    if (e == EINTR || e == EAGAIN || e == ENOBUFS) {
      if (now_ns() >= deadline_ns) {
        d->deadline_hit = 1;
        if (measured) d->unsent_at_deadline += (uint64_t)(n - i);
        return i;
      }
      if (e != EINTR) sched_yield();
      continue;
    }
    /* Any other error: the first datagram of the call is given up. */
    if (measured) d->given_up += 1;
    i += 1;
  }
  return i;
}

/** One paced (or unpaced) phase: `seconds` long, datagrams marked `mark`, sequence numbers from 0. */
static double run_phase(struct direction *d, struct sendbuf *sb, double seconds, int mark) {
  const int measured = mark == MARK_MEASURED;
  uint64_t *sent = measured ? &d->sent : &d->sent_warmup;
  const int64_t t0 = now_ns();
  int64_t end = t0 + (int64_t)(seconds * 1e9);
  if (end > deadline_ns) end = deadline_ns;
  const int paced = d->rate >= 0;
  const double rate = d->rate;
  /* Credit cap: 10 ms worth, at least one batch. */
  double max_credit = paced ? rate * 0.01 : BATCH;
  if (max_credit < BATCH) max_credit = BATCH;
  /* Datagrams to wait for when none is due: ~200 us worth, 1..BATCH. */
  double want = paced ? rate * 0.0002 : 1;
  if (want < 1) want = 1;
  if (want > BATCH) want = BATCH;
  int64_t base = t0;
  uint64_t since_base = 0, seq = 0;
  int64_t now = t0;
  for (;;) {
    now = now_ns();
    if (now >= end || seq >= MAX_DATAGRAMS) break;
    int n = BATCH;
    if (paced) {
      if (rate == 0) {
        sleep_until_ns(end);
        continue;
      }
      double due = (double)(now - base) / 1e9 * rate - (double)since_base;
      if (due > max_credit) {
        base = now - (int64_t)(max_credit / rate * 1e9);
        since_base = 0;
        due = max_credit;
      }
      if (due < 1) {
        int64_t wake = base + (int64_t)(((double)since_base + want) / rate * 1e9);
        sleep_until_ns(wake < end ? wake : end);
        continue;
      }
      n = due < BATCH ? (int)due : BATCH;
    }
    if ((uint64_t)n > MAX_DATAGRAMS - seq) n = (int)(MAX_DATAGRAMS - seq);
    for (int i = 0; i < n; i++) {
      uint8_t *p = sb->data + (size_t)i * (size_t)opt.size;
      uint64_t s = seq + (uint64_t)i;
      memcpy(p, &s, sizeof s);
      p[8] = (uint8_t)mark;
    }
    int settled = send_all(d, sb, n, measured, sent);
    seq += (uint64_t)settled;
    since_base += (uint64_t)settled;
    if (settled < n) break; /* hard deadline */
  }
  if (now > end) now = end;
  return (double)(now - t0) / 1e9;
}

static void *sender_main(void *arg) {
  struct direction *d = arg;
  struct sendbuf *sb = calloc(1, sizeof *sb);
  if (sb) sb->data = calloc(BATCH, (size_t)opt.size);
  if (!sb || !sb->data) {
    atomic_store(&thread_setup_failed, 1);
    return NULL;
  }
  for (int i = 0; i < BATCH; i++) {
    memset(sb->data + (size_t)i * (size_t)opt.size, 0x5a, (size_t)opt.size);
    sb->iov[i].iov_base = sb->data + (size_t)i * (size_t)opt.size;
    sb->iov[i].iov_len = (size_t)opt.size;
    sb->msgs[i].msg_hdr.msg_iov = &sb->iov[i];
    sb->msgs[i].msg_hdr.msg_iovlen = 1; /* connected: no address */
  }
  sleep_until_ns(start_ns);
  if (opt.omit > 0) run_phase(d, sb, opt.omit, MARK_WARMUP);
  sleep_until_ns(now_ns() + EDGE_PAUSE_NS);
  d->drops_before = socket_drops(d->recv_port);
  d->seconds = run_phase(d, sb, opt.seconds, MARK_MEASURED);
  free(sb->data);
  free(sb);
  return NULL;
}

static void *receiver_main(void *arg) {
  struct direction *d = arg;
  const size_t slot = (size_t)opt.size + 1; /* one spare byte: a longer datagram shows as malformed */
  uint8_t *data = malloc(BATCH * slot);
  struct mmsghdr *msgs = calloc(BATCH, sizeof *msgs);
  struct iovec *iov = calloc(BATCH, sizeof *iov);
  if (!data || !msgs || !iov) {
    atomic_store(&thread_setup_failed, 1);
    return NULL;
  }
  for (int i = 0; i < BATCH; i++) {
    iov[i].iov_base = data + (size_t)i * slot;
    iov[i].iov_len = slot;
    msgs[i].msg_hdr.msg_iov = &iov[i];
    msgs[i].msg_hdr.msg_iovlen = 1;
  }
  while (!atomic_load(&stop_receiving) && now_ns() < deadline_ns) {
    int r = recvmmsg(d->recv_fd, msgs, BATCH, MSG_WAITFORONE, NULL);
    if (r < 0) {
      if (errno != EAGAIN && errno != EINTR) d->recv_errors += 1;
      continue;
    }
    for (int i = 0; i < r; i++) {
      const uint8_t *p = iov[i].iov_base;
      if (msgs[i].msg_len != (unsigned)opt.size || (msgs[i].msg_hdr.msg_flags & MSG_TRUNC)) {
        d->malformed += 1;
        continue;
      }
      if (p[8] != MARK_MEASURED) {
        d->received_warmup += 1;
        continue;
      }
      uint64_t s;
      memcpy(&s, p, sizeof s);
      if (s >= MAX_DATAGRAMS) {
        d->out_of_range += 1;
        continue;
      }
      uint8_t bit = (uint8_t)(1u << (s & 7));
      if (d->seen[s >> 3] & bit) {
        d->duplicates += 1;
      } else {
        d->seen[s >> 3] |= bit;
        d->received += 1;
      }
    }
  }
  free(data);
  free(msgs);
  free(iov);
  return NULL;
}

static void backstop(int sig) {
  (void)sig;
  static const char msg[] = "{\"ok\":false,\"reason\":\"perf-c-ceiling: hard deadline passed (SIGALRM backstop)\"}\n";
  ssize_t w = write(STDOUT_FILENO, msg, sizeof msg - 1);
  (void)w;
  _exit(1);
}

static void fail(const char *what) {
  printf("{\"ok\":false,\"reason\":\"perf-c-ceiling: %s: %s\"}\n", what, strerror(errno));
  fflush(stdout);
  exit(1);
}

static int open_socket(int *port, int *rcvbuf, int *sndbuf) {
  int fd = socket(AF_INET, SOCK_DGRAM, 0);
  if (fd < 0) fail("socket");
  if (setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &opt.buf, sizeof opt.buf) < 0) fail("SO_RCVBUF");
  if (setsockopt(fd, SOL_SOCKET, SO_SNDBUF, &opt.buf, sizeof opt.buf) < 0) fail("SO_SNDBUF");
  struct timeval rt = { 0, RCV_TIMEOUT_US }, st = { 0, SND_TIMEOUT_US };
  if (setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &rt, sizeof rt) < 0) fail("SO_RCVTIMEO");
  if (setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &st, sizeof st) < 0) fail("SO_SNDTIMEO");
  struct sockaddr_in a = { 0 };
  a.sin_family = AF_INET;
  a.sin_port = 0;
  inet_pton(AF_INET, HOST, &a.sin_addr);
  if (bind(fd, (struct sockaddr *)&a, sizeof a) < 0) fail("bind");
  socklen_t len = sizeof a;
  if (getsockname(fd, (struct sockaddr *)&a, &len) < 0) fail("getsockname");
  *port = ntohs(a.sin_port);
  socklen_t ol = sizeof *rcvbuf;
  if (getsockopt(fd, SOL_SOCKET, SO_RCVBUF, rcvbuf, &ol) < 0) fail("getsockopt SO_RCVBUF");
  ol = sizeof *sndbuf;
  if (getsockopt(fd, SOL_SOCKET, SO_SNDBUF, sndbuf, &ol) < 0) fail("getsockopt SO_SNDBUF");
  return fd;
}

static void connect_to(int fd, int port) {
  struct sockaddr_in a = { 0 };
  a.sin_family = AF_INET;
  a.sin_port = htons((uint16_t)port);
  inet_pton(AF_INET, HOST, &a.sin_addr);
  if (connect(fd, (struct sockaddr *)&a, sizeof a) < 0) fail("connect");
}

static int usage(const char *msg) {
  fprintf(stderr, "perf-c-ceiling: %s\nusage: perf-c-ceiling --size B --rate-ab PPS|max --rate-ba PPS|max --seconds S --omit S --buf BYTES\n", msg);
  return 2;
}

static int parse_num(const char *s, double min, double max, double *out) {
  char *end;
  double v = strtod(s, &end);
  if (end == s || *end != '\0' || !(v >= min && v <= max)) return -1;
  *out = v;
  return 0;
}

static void print_direction(const struct direction *d, double offered) {
  long long lost = (long long)d->sent - (long long)d->received;
  printf("{\"from\":\"%s\",\"to\":\"%s\",", d->from, d->to);
  if (offered < 0) printf("\"offeredPps\":null,");
  else printf("\"offeredPps\":%.0f,", offered);
  printf("\"sent\":%llu,\"received\":%llu,\"lost\":%lld,\"durationSeconds\":%.6f,",
         (unsigned long long)d->sent, (unsigned long long)d->received, lost, d->seconds);
  if (d->seconds > 0) printf("\"sentPps\":%.3f,", (double)d->sent / d->seconds);
  else printf("\"sentPps\":null,");
  if (d->sent > 0) printf("\"lossPercent\":%.6f,", 100.0 * (double)lost / (double)d->sent);
  else printf("\"lossPercent\":null,");
  if (d->drops_before >= 0 && d->drops_after >= 0) printf("\"kernelDrops\":%lld,", d->drops_after - d->drops_before);
  else printf("\"kernelDrops\":null,");
  printf("\"duplicates\":%llu,\"malformed\":%llu,\"outOfRange\":%llu,\"givenUp\":%llu,\"unsentAtDeadline\":%llu,\"deadlineHit\":%s,",
         (unsigned long long)d->duplicates, (unsigned long long)d->malformed, (unsigned long long)d->out_of_range,
         (unsigned long long)d->given_up, (unsigned long long)d->unsent_at_deadline, d->deadline_hit ? "true" : "false");
  printf("\"sentWarmup\":%llu,\"receivedWarmup\":%llu,\"errorsWarmup\":%llu,\"receiveErrors\":%llu,\"errors\":{",
         (unsigned long long)d->sent_warmup, (unsigned long long)d->received_warmup,
         (unsigned long long)d->errors_warmup, (unsigned long long)d->recv_errors);
  int first = 1;
  for (int e = 0; e <= ERRNO_SLOTS; e++) {
    if (!d->errors[e]) continue;
    const char *name = e == ERRNO_SLOTS ? "other" : errno_name(e);
    if (name) printf("%s\"%s\":%llu", first ? "" : ",", name, (unsigned long long)d->errors[e]);
    else printf("%s\"E%d\":%llu", first ? "" : ",", e, (unsigned long long)d->errors[e]);
    first = 0;
  }
  printf("}}");
}

int main(int argc, char **argv) {
  int have = 0;
  opt.buf = 4 * 1024 * 1024;
  opt.omit = 0;
  for (int i = 1; i < argc; i += 2) {
    if (i + 1 >= argc) return usage("missing value");
    const char *k = argv[i], *v = argv[i + 1];
    double x;
    if (strcmp(k, "--size") == 0) {
      if (parse_num(v, HEADER_BYTES, 65507, &x)) return usage("--size must be within 9..65507");
      opt.size = (int)x;
      have |= 1;
    } else if (strcmp(k, "--rate-ab") == 0 || strcmp(k, "--rate-ba") == 0) {
      double r;
      if (strcmp(v, "max") == 0) r = -1;
      else if (parse_num(v, 0, 1e8, &r)) return usage("a rate must be within 0..1e8 or max");
      if (k[7] == 'a') { opt.rate_ab = r; have |= 2; }
      else { opt.rate_ba = r; have |= 4; }
    } else if (strcmp(k, "--seconds") == 0) {
      if (parse_num(v, 0.1, 600, &opt.seconds)) return usage("--seconds must be within 0.1..600");
      have |= 8;
    } else if (strcmp(k, "--omit") == 0) {
      if (parse_num(v, 0, 60, &opt.omit)) return usage("--omit must be within 0..60");
    } else if (strcmp(k, "--buf") == 0) {
      if (parse_num(v, 4096, 1 << 30, &x)) return usage("--buf must be within 4096..2^30");
      opt.buf = (int)x;
    } else {
      return usage("unknown option");
    }
  }
  if (have != 15) return usage("--size, --rate-ab, --rate-ba and --seconds are required");

  const double total_s = opt.omit + opt.seconds;
  signal(SIGALRM, backstop);
  alarm((unsigned)(total_s + DEADLINE_SLACK_S + BACKSTOP_EXTRA_S + 1));

  int port_a, port_b, rcv_a, snd_a, rcv_b, snd_b;
  int fd_a = open_socket(&port_a, &rcv_a, &snd_a);
  int fd_b = open_socket(&port_b, &rcv_b, &snd_b);
  connect_to(fd_a, port_b);
  connect_to(fd_b, port_a);

  static struct direction ab, ba;
  ab = (struct direction){ .from = "A", .to = "B", .send_fd = fd_a, .recv_fd = fd_b, .recv_port = port_b, .rate = opt.rate_ab, .drops_before = -1, .drops_after = -1 };
  ba = (struct direction){ .from = "B", .to = "A", .send_fd = fd_b, .recv_fd = fd_a, .recv_port = port_a, .rate = opt.rate_ba, .drops_before = -1, .drops_after = -1 };
  ab.seen = calloc(MAX_DATAGRAMS / 8 + 1, 1);
  ba.seen = calloc(MAX_DATAGRAMS / 8 + 1, 1);
  if (!ab.seen || !ba.seen) fail("calloc");

  /* A shared start 50 ms ahead: every thread is up before either sender starts. */
  start_ns = now_ns() + 50000000LL;
  deadline_ns = start_ns + (int64_t)((total_s + DEADLINE_SLACK_S) * 1e9);
  pthread_t t[4];
  if (pthread_create(&t[0], NULL, receiver_main, &ab) || pthread_create(&t[1], NULL, receiver_main, &ba) ||
      pthread_create(&t[2], NULL, sender_main, &ab) || pthread_create(&t[3], NULL, sender_main, &ba)) {
    errno = EAGAIN;
    fail("pthread_create");
  }
  pthread_join(t[2], NULL);
  pthread_join(t[3], NULL);
  /* Everything the senders handed to the kernel is queued or dropped at the receivers once the drain is over. */
  int64_t drain_end = now_ns() + DRAIN_NS;
  sleep_until_ns(drain_end < deadline_ns ? drain_end : deadline_ns);
  atomic_store(&stop_receiving, 1);
  pthread_join(t[0], NULL);
  pthread_join(t[1], NULL);
  ab.drops_after = socket_drops(port_b);
  ba.drops_after = socket_drops(port_a);
  if (atomic_load(&thread_setup_failed)) {
    printf("{\"ok\":false,\"reason\":\"perf-c-ceiling: a thread could not allocate its buffers\"}\n");
    fflush(stdout);
    return 1;
  }

  printf("{\"ok\":true,\"program\":\"perf-c-ceiling\",\"sizeBytes\":%d,\"batch\":%d,\"requestedBufBytes\":%d,", opt.size, BATCH, opt.buf);
  printf("\"effectiveBufBytes\":{\"A\":{\"rcvbuf\":%d,\"sndbuf\":%d},\"B\":{\"rcvbuf\":%d,\"sndbuf\":%d}},", rcv_a, snd_a, rcv_b, snd_b);
  printf("\"ports\":{\"A\":%d,\"B\":%d},\"ab\":", port_a, port_b);
  print_direction(&ab, opt.rate_ab);
  printf(",\"ba\":");
  print_direction(&ba, opt.rate_ba);
  printf("}\n");
  fflush(stdout);
  close(fd_a);
  close(fd_b);
  /* A run stopped by the hard deadline still reports its counts ("deadlineHit"): they are what happened. */
  return 0;
}
