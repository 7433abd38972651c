// Event-loop descriptors: eventfd counters (plain, semaphore, non-blocking), epoll
// over pipes, eventfds and timers (level- and edge-triggered, one-shot, closed
// descriptors leaving), timerfd expiries and their counts.
// REQUIRES: qemu
// RUN: %compare %s
#include <errno.h>
#include <poll.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <sys/timerfd.h>
#include <time.h>
#include <unistd.h>

static void show(const char *what, long r) {
  printf("%s: %ld%s%s\n", what, r, r < 0 ? " " : "", r < 0 ? strerror(errno) : "");
}

static uint64_t take(int fd) {
  uint64_t v = 0;
  return read(fd, &v, sizeof v) == sizeof v ? v : (uint64_t)-1;
}

static void add(int fd, uint64_t v) { write(fd, &v, sizeof v); }

/// epoll_wait's events as "tag:events" pairs, the tag being the data given, sorted
/// (their order is Linux's implementation detail).
static void wait_and_show(const char *what, int ep, int timeout_ms) {
  struct epoll_event ev[8];
  int n = epoll_wait(ep, ev, 8, timeout_ms);
  for (int i = 1; i < n; ++i)
    for (int j = i; j > 0 && ev[j].data.u64 < ev[j - 1].data.u64; --j) {
      struct epoll_event t = ev[j];
      ev[j] = ev[j - 1];
      ev[j - 1] = t;
    }
  printf("%s: %d", what, n);
  for (int i = 0; i < n; ++i)
    printf(" %c:%#x", (char)ev[i].data.u64, ev[i].events);
  printf("\n");
}

static void watch(int ep, int op, int fd, uint32_t events, char tag) {
  struct epoll_event e = {.events = events, .data.u64 = (uint64_t)tag};
  show("epoll_ctl", epoll_ctl(ep, op, fd, &e));
}

int main(void) {
  // eventfd: counts add up, a read takes them all, or one as a semaphore.
  int efd = eventfd(3, EFD_NONBLOCK);
  add(efd, 4);
  printf("eventfd read: %llu\n", (unsigned long long)take(efd));
  show("eventfd empty", (long)take(efd) == -1 ? -1 : 0);
  int sem = eventfd(2, EFD_SEMAPHORE | EFD_NONBLOCK);
  printf("semaphore: %llu %llu\n", (unsigned long long)take(sem), (unsigned long long)take(sem));
  show("semaphore empty", read(sem, &(uint64_t){0}, 8));
  show("short read", read(efd, &(uint64_t){0}, 4));

  // epoll over a pipe (level-triggered) and the eventfd (edge-triggered).
  int p[2];
  pipe(p);
  int ep = epoll_create1(EPOLL_CLOEXEC);
  watch(ep, EPOLL_CTL_ADD, p[0], EPOLLIN, 'p');
  watch(ep, EPOLL_CTL_ADD, efd, EPOLLIN | EPOLLET, 'e');
  watch(ep, EPOLL_CTL_ADD, p[0], EPOLLIN, 'p'); // EEXIST
  wait_and_show("nothing yet", ep, 10);
  write(p[1], "ab", 2);
  add(efd, 1);
  wait_and_show("both", ep, -1);
  wait_and_show("level stays, edge does not", ep, 0);
  char c;
  read(p[0], &c, 1);
  wait_and_show("still one byte", ep, 0);
  add(efd, 1);
  wait_and_show("a new edge", ep, 0);
  read(p[0], &c, 1);
  take(efd);
  wait_and_show("drained", ep, 0);
  struct pollfd pf = {ep, POLLIN, 0};
  printf("poll on epoll: %d\n", poll(&pf, 1, 0));

  // One-shot: reported once, then again after EPOLL_CTL_MOD.
  watch(ep, EPOLL_CTL_MOD, p[0], EPOLLIN | EPOLLONESHOT, 'o');
  write(p[1], "x", 1);
  wait_and_show("one-shot", ep, 0);
  wait_and_show("one-shot again", ep, 0);
  watch(ep, EPOLL_CTL_MOD, p[0], EPOLLIN, 'p');
  wait_and_show("re-armed", ep, 0);

  // The write end closing: EPOLLHUP once the data is read; a closed fd leaves.
  read(p[0], &c, 1);
  close(p[1]);
  wait_and_show("hang-up", ep, 0);
  close(p[0]);
  wait_and_show("closed", ep, 0);
  watch(ep, EPOLL_CTL_DEL, p[0], 0, 0); // EBADF
  watch(ep, EPOLL_CTL_DEL, efd, 0, 0);
  watch(ep, EPOLL_CTL_DEL, efd, 0, 0); // ENOENT

  // timerfd: not due yet, then a blocking read; a periodic one counts expiries.
  int tfd = timerfd_create(CLOCK_MONOTONIC, TFD_NONBLOCK);
  struct itimerspec once = {.it_value = {0, 30 * 1000000}};
  show("settime", timerfd_settime(tfd, 0, &once, NULL));
  show("read early", read(tfd, &(uint64_t){0}, 8));
  watch(ep, EPOLL_CTL_ADD, tfd, EPOLLIN, 't');
  wait_and_show("timer", ep, 5000); // wakes at the expiry, not after 5 s
  printf("expiries: %llu\n", (unsigned long long)take(tfd));
  struct itimerspec cur;
  timerfd_gettime(tfd, &cur);
  printf("disarmed: %ld.%09ld\n", (long)cur.it_value.tv_sec, cur.it_value.tv_nsec);
  struct itimerspec periodic = {.it_interval = {0, 5 * 1000000}, .it_value = {0, 5 * 1000000}};
  timerfd_settime(tfd, 0, &periodic, NULL);
  struct timespec nap = {0, 60 * 1000000};
  nanosleep(&nap, NULL);
  printf("at least 10 expiries: %d\n", take(tfd) >= 10);
  timerfd_gettime(tfd, &cur);
  printf("interval: %ld.%09ld, next within it: %d\n", (long)cur.it_interval.tv_sec,
         cur.it_interval.tv_nsec, cur.it_value.tv_sec == 0 && cur.it_value.tv_nsec <= 5000000);
  struct itimerspec past = {0};
  clock_gettime(CLOCK_MONOTONIC, &past.it_value);
  past.it_value.tv_sec -= past.it_value.tv_sec > 0; // a moment ago
  past.it_value.tv_nsec += past.it_value.tv_nsec == 0;
  timerfd_settime(tfd, TFD_TIMER_ABSTIME, &past, NULL);
  printf("absolute time in the past: %llu\n", (unsigned long long)take(tfd));
  show("bad clock", timerfd_create(12345, 0));
  show("epoll on itself", epoll_ctl(ep, EPOLL_CTL_ADD, ep, &(struct epoll_event){0}));
  show("read epoll", read(ep, &c, 1));
  return 0;
}
