// Pipes and waiting on descriptors: contents and end of file, non-blocking ends,
// capacity, poll and select, broken pipes, dup, /dev/fd, and a producer thread
// streaming to a consumer.
// REQUIRES: qemu
// RUN: %compare --features threads %s
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/select.h>
#include <sys/stat.h>
#include <unistd.h>

static void check(const char *what, long got) {
  printf("%s: %ld%s%s\n", what, got, got < 0 ? " " : "", got < 0 ? strerror(errno) : "");
}

static int ready(int fd, short events, int timeout_ms) {
  struct pollfd p = {fd, events, 0};
  int n = poll(&p, 1, timeout_ms);
  return n <= 0 ? n : p.revents;
}

enum { Total = 1 << 20 };
static int stream[2];

static void *producer(void *arg) {
  static unsigned char chunk[10000];
  unsigned seed = 1;
  for (long sent = 0; sent < Total;) {
    size_t n = 1 + (seed = seed * 1103515245 + 12345) % sizeof chunk;
    if (n > (size_t)(Total - sent))
      n = Total - sent;
    for (size_t i = 0; i < n; ++i)
      chunk[i] = (unsigned char)(sent + i);
    ssize_t w = write(stream[1], chunk, n);
    if (w <= 0)
      break;
    sent += w;
  }
  close(stream[1]);
  return arg;
}

int main(void) {
  int p[2];
  char buf[100];
  check("pipe", pipe(p));
  check("write", write(p[1], "hello", 5));
  check("read", read(p[0], buf, sizeof buf));
  struct stat st;
  fstat(p[0], &st);
  printf("fifo: %d\n", S_ISFIFO(st.st_mode));
  check("lseek", lseek(p[0], 0, SEEK_SET));
  check("pipe size", fcntl(p[1], F_GETPIPE_SZ));

  // Readiness: nothing to read yet, then data, then the end.
  printf("poll empty: %d\n", ready(p[0], POLLIN, 20));
  printf("poll write end: %#x\n", ready(p[1], POLLOUT, 0));
  write(p[1], "x", 1);
  printf("poll with data: %#x\n", ready(p[0], POLLIN, -1));
  fd_set rd;
  FD_ZERO(&rd);
  FD_SET(p[0], &rd);
  struct timeval tv = {1, 0};
  printf("select: %d, set: %d\n", select(p[0] + 1, &rd, NULL, NULL, &tv), FD_ISSET(p[0], &rd));
  read(p[0], buf, 1);
  int copy = dup(p[1]);
  close(p[1]);
  printf("poll, a write end left: %d\n", ready(p[0], POLLIN, 0));
  close(copy);
  printf("poll, no write end: %#x\n", ready(p[0], POLLIN, 0));
  check("read at end", read(p[0], buf, sizeof buf));
  close(p[0]);

  // Non-blocking ends and the capacity.
  check("pipe2", pipe2(p, O_NONBLOCK | O_CLOEXEC));
  printf("cloexec: %d, nonblock: %d\n", fcntl(p[0], F_GETFD) & FD_CLOEXEC,
         !!(fcntl(p[1], F_GETFL) & O_NONBLOCK));
  check("read empty", read(p[0], buf, sizeof buf));
  static char big[100000];
  long filled = 0, n;
  while ((n = write(p[1], big, 3000)) > 0)
    filled += n;
  printf("filled: %ld, then: %s\n", filled, strerror(errno));
  printf("poll full: %d\n", ready(p[1], POLLOUT, 0));
  check("read part", read(p[0], big, 5000));
  printf("poll after read: %#x\n", ready(p[1], POLLOUT, 0));
  int queued = 0;
  ioctl(p[0], FIONREAD, &queued);
  printf("FIONREAD: %d\n", queued);
  check("small write fits", write(p[1], big, 3000));
  check("atomic write does not", write(p[1], big, 3000));

  // A pipe end through /dev/fd, and a broken pipe (SIGPIPE ignored: EPIPE).
  char path[32];
  snprintf(path, sizeof path, "/dev/fd/%d", p[0]);
  int again = open(path, O_RDONLY);
  check("read through /dev/fd", read(again, big, sizeof big));
  close(again);
  close(p[0]);
  signal(SIGPIPE, SIG_IGN);
  check("write, no reader", write(p[1], "x", 1));
  printf("poll, no reader: %#x\n", ready(p[1], POLLOUT, 0));
  close(p[1]);

  // A thread streams 1 MiB in odd-sized writes; this one reads and checks it.
  pipe(stream);
  pthread_t t;
  pthread_create(&t, NULL, producer, NULL);
  long got = 0, bad = 0;
  uint32_t hash = 2166136261u;
  while ((n = read(stream[0], big, 7777)) > 0) {
    for (long i = 0; i < n; ++i) {
      bad += (unsigned char)big[i] != (unsigned char)(got + i);
      hash = (hash ^ (unsigned char)big[i]) * 16777619u;
    }
    got += n;
  }
  pthread_join(t, NULL);
  printf("streamed: %ld bytes, %ld wrong, hash %08x\n", got, bad, hash);
  return 0;
}
