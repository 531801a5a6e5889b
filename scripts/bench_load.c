/*
 * A closed-loop load client for the benchmarks (scripts/bench_serve.mjs
 * compiles it with cc at run time). Written for midgram; no code from
 * elsewhere. Each of CLIENTS processes sends the request in FILE, waits for
 * the whole reply, and sends again, for SECONDS; the parent prints one JSON
 * line: {"requests":N,"rps":R,"p50":ms,"p99":ms,"timeouts":T}.
 *
 *   bench_load unix|udp|unixs|tcp ADDRESS FILE CLIENTS SECONDS
 *   bench_load flood-unix|flood-udp ADDRESS COUNT CLIENTS 0
 *
 * The flood modes send COUNT hostile datagrams in all (random bytes, 65,000
 * byte ones, unknown commands with ever new names, valid requests) in bursts
 * of 500 without waiting, and read whatever replies came between bursts.
 *
 * ADDRESS is a path (unix, unixs) or HOST:PORT (udp, tcp). Stream replies are
 * binrpc packets: their length comes from the header.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#define BUCKETS 100000 /* latency histogram, 1 us buckets up to 100 ms */

struct result { long requests, timeouts; long hist[BUCKETS]; };

static double now(void) {
  struct timespec t;
  clock_gettime(CLOCK_MONOTONIC, &t);
  return t.tv_sec + t.tv_nsec / 1e9;
}

static int open_socket(const char *mode, const char *address, struct sockaddr_storage *to,
                       socklen_t *tolen, int child) {
  int stream = !strcmp(mode, "unixs") || !strcmp(mode, "tcp");
  int fd;
  memset(to, 0, sizeof *to);
  if (!strcmp(mode, "unix") || !strcmp(mode, "unixs")) {
    struct sockaddr_un *un = (struct sockaddr_un *)to;
    un->sun_family = AF_UNIX;
    strncpy(un->sun_path, address, sizeof un->sun_path - 1);
    *tolen = sizeof *un;
    fd = socket(AF_UNIX, stream ? SOCK_STREAM : SOCK_DGRAM, 0);
    if (!stream) { /* a bound client socket, so that the server can answer */
      struct sockaddr_un me;
      memset(&me, 0, sizeof me);
      me.sun_family = AF_UNIX;
      snprintf(me.sun_path, sizeof me.sun_path, "/tmp/bench_load.%d.%d", (int)getpid(), child);
      unlink(me.sun_path);
      if (bind(fd, (struct sockaddr *)&me, sizeof me) < 0) { perror("bind"); exit(1); }
    }
  } else {
    struct sockaddr_in *in = (struct sockaddr_in *)to;
    char host[64];
    const char *colon = strrchr(address, ':');
    if (!colon) { fprintf(stderr, "no port in %s\n", address); exit(2); }
    snprintf(host, sizeof host, "%.*s", (int)(colon - address), address);
    in->sin_family = AF_INET;
    in->sin_port = htons(atoi(colon + 1));
    inet_pton(AF_INET, host, &in->sin_addr);
    *tolen = sizeof *in;
    fd = socket(AF_INET, stream ? SOCK_STREAM : SOCK_DGRAM, 0);
  }
  if (fd < 0) { perror("socket"); exit(1); }
  if (stream && connect(fd, (struct sockaddr *)to, *tolen) < 0) { perror("connect"); exit(1); }
  return fd;
}

/* Reads one binrpc packet from a stream; returns 0 on success. */
static int read_packet(int fd, unsigned char *buf, size_t size) {
  size_t have = 0, need = 2;
  while (have < need) {
    struct pollfd p = { fd, POLLIN, 0 };
    if (poll(&p, 1, 1000) <= 0) return -1;
    ssize_t n = read(fd, buf + have, size - have);
    if (n <= 0) return -1;
    have += n;
    if (have >= 2) {
      size_t lb = ((buf[1] >> 2) & 3) + 1, cb = (buf[1] & 3) + 1, len = 0;
      if (have >= 2 + lb) {
        for (size_t i = 0; i < lb; i++) len = len << 8 | buf[2 + i];
        need = 2 + lb + cb + len;
        if (need > size) return -1;
      } else need = 2 + lb;
    }
  }
  return 0;
}

static void client(const char *mode, const char *address, const unsigned char *req, size_t reqlen,
                   double until, int child, int out) {
  static struct result r;
  static unsigned char buf[65536];
  struct sockaddr_storage to;
  socklen_t tolen;
  int stream = !strcmp(mode, "unixs") || !strcmp(mode, "tcp");
  int fd = open_socket(mode, address, &to, &tolen, child);
  while (now() < until) {
    double t0 = now();
    if (stream) {
      if (write(fd, req, reqlen) != (ssize_t)reqlen || read_packet(fd, buf, sizeof buf) < 0) {
        r.timeouts++;
        close(fd);
        fd = open_socket(mode, address, &to, &tolen, child);
        continue;
      }
    } else {
      if (sendto(fd, req, reqlen, 0, (struct sockaddr *)&to, tolen) < 0) { r.timeouts++; continue; }
      struct pollfd p = { fd, POLLIN, 0 };
      if (poll(&p, 1, 1000) <= 0) { r.timeouts++; continue; }
      if (recv(fd, buf, sizeof buf, 0) < 0) { r.timeouts++; continue; }
    }
    long us = (long)((now() - t0) * 1e6);
    r.hist[us < BUCKETS ? us : BUCKETS - 1]++;
    r.requests++;
  }
  if (!stream && !strcmp(mode, "unix")) {
    char path[108];
    snprintf(path, sizeof path, "/tmp/bench_load.%d.%d", (int)getpid(), child);
    unlink(path);
  }
  if (write(out, &r, sizeof r) != sizeof r) exit(1);
  exit(0);
}

/* Reads one child's result from its pipe; 0 when it is whole. */
static int read_result(int fd, struct result *one) {
  size_t got = 0;
  while (got < sizeof *one) {
    ssize_t n = read(fd, (char *)one + got, sizeof *one - got);
    if (n <= 0) return -1;
    got += n;
  }
  return 0;
}

/* Sends `count` hostile datagrams (see the top), draining replies between bursts. */
static void flood(const char *mode, const char *address, long count, int child, int out) {
  static struct result r;
  static unsigned char buf[65536], big[65000];
  struct sockaddr_storage to;
  socklen_t tolen;
  int fd = open_socket(mode + 6, address, &to, &tolen, child);
  unsigned seed = 12345 + child;
  for (size_t i = 0; i < sizeof big; i++) big[i] = 'a' + i % 26;
  fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) | O_NONBLOCK);
  for (long i = 0; i < count; i++) {
    size_t len;
    const unsigned char *data = buf;
    switch (i % 4) {
    case 0: /* random bytes */
      len = 1 + rand_r(&seed) % 300;
      for (size_t k = 0; k < len; k++) buf[k] = rand_r(&seed);
      break;
    case 1: /* oversized (UDP) or large (UNIX: the socket buffer limits) */
      data = big;
      len = !strcmp(mode, "flood-udp") ? 65000 : 65000 - (i % 3) * 20000;
      break;
    case 2: /* an unknown command with a new name each time */
      len = snprintf((char *)buf, sizeof buf, ":no_such_%d_%ld:\narg\n", child, i);
      break;
    default:
      len = snprintf((char *)buf, sizeof buf, ":version:\n");
    }
    /* The server's queue is full: drain replies, wait up to 100 ms, retry once. */
    int sent = sendto(fd, data, len, 0, (struct sockaddr *)&to, tolen) >= 0;
    if (!sent && errno == EAGAIN) {
      while (recv(fd, buf, sizeof buf, 0) > 0) {}
      struct pollfd p = { fd, POLLOUT, 0 };
      poll(&p, 1, 100);
      sent = sendto(fd, data, len, 0, (struct sockaddr *)&to, tolen) >= 0;
    }
    if (sent) r.requests++;
    else r.timeouts++;
    if (i % 500 == 499)
      while (recv(fd, buf, sizeof buf, 0) > 0) {}
  }
  if (!strcmp(mode, "flood-unix")) {
    char path[108];
    snprintf(path, sizeof path, "/tmp/bench_load.%d.%d", (int)getpid(), child);
    unlink(path);
  }
  if (write(out, &r, sizeof r) != sizeof r) exit(1);
  exit(0);
}

int main(int argc, char **argv) {
  if (argc != 6) {
    fprintf(stderr, "usage: bench_load unix|udp|unixs|tcp ADDRESS FILE CLIENTS SECONDS\n");
    return 2;
  }
  int clients = atoi(argv[4]);
  if (!strncmp(argv[1], "flood-", 6)) {
    long count = atol(argv[3]);
    int fds[64][2];
    double t0 = now();
    static struct result total, one;
    for (int i = 0; i < clients && i < 64; i++) {
      if (pipe(fds[i]) < 0) { perror("pipe"); return 1; }
      if (fork() == 0) flood(argv[1], argv[2], count / clients, i, fds[i][1]);
      close(fds[i][1]);
    }
    for (int i = 0; i < clients && i < 64; i++) {
      if (read_result(fds[i][0], &one) == 0) {
        total.requests += one.requests;
        total.timeouts += one.timeouts;
      }
    }
    while (wait(NULL) > 0) {}
    printf("{\"sent\":%ld,\"refused\":%ld,\"seconds\":%.1f}\n", total.requests, total.timeouts,
           now() - t0);
    return 0;
  }
  static unsigned char req[65536];
  FILE *f = fopen(argv[3], "rb");
  if (!f) { perror(argv[3]); return 1; }
  size_t reqlen = fread(req, 1, sizeof req, f);
  fclose(f);
  double seconds = atof(argv[5]);
  double until = now() + seconds;
  int fds[64][2];
  for (int i = 0; i < clients && i < 64; i++) {
    if (pipe(fds[i]) < 0) { perror("pipe"); return 1; }
    if (fork() == 0) client(argv[1], argv[2], req, reqlen, until, i, fds[i][1]);
    close(fds[i][1]);
  }
  static struct result total, one;
  for (int i = 0; i < clients && i < 64; i++) {
    if (read_result(fds[i][0], &one) < 0) continue;
    total.requests += one.requests;
    total.timeouts += one.timeouts;
    for (int b = 0; b < BUCKETS; b++) total.hist[b] += one.hist[b];
  }
  while (wait(NULL) > 0) {}
  long seen = 0, p50 = -1, p99 = -1;
  for (int b = 0; b < BUCKETS; b++) {
    seen += total.hist[b];
    if (p50 < 0 && seen * 2 >= total.requests) p50 = b;
    if (p99 < 0 && seen * 100 >= total.requests * 99) p99 = b;
  }
  printf("{\"requests\":%ld,\"rps\":%.0f,\"p50\":%.3f,\"p99\":%.3f,\"timeouts\":%ld}\n",
         total.requests, total.requests / seconds, p50 / 1000.0, p99 / 1000.0, total.timeouts);
  return 0;
}
