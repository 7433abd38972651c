// What a process asks about its share of the machine: CPU time, priorities and
// policies, thread names, memory locking and syncing, the file creation mask.
// REQUIRES: qemu
// RUN: %compare --features threads %s
#define _GNU_SOURCE
#include <errno.h>
#include <pthread.h>
#include <sched.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/times.h>
#include <unistd.h>

static void show(const char *what, long r) {
  printf("%s: %ld%s%s\n", what, r, r < 0 ? " " : "", r < 0 ? strerror(errno) : "");
}

static void *named(void *arg) {
  char name[16];
  prctl(PR_GET_NAME, name);
  printf("thread inherits: %s\n", name);
  pthread_setname_np(pthread_self(), "worker");
  prctl(PR_GET_NAME, name);
  printf("thread renamed: %s\n", name);
  return arg;
}

int main(void) {
  volatile unsigned long spin = 0;
  for (unsigned long i = 0; i < 20000000; ++i)
    spin += i;
  struct rusage ru;
  show("getrusage", getrusage(RUSAGE_SELF, &ru));
  printf("user time counted: %d\n", ru.ru_utime.tv_sec > 0 || ru.ru_utime.tv_usec > 0);
  show("getrusage children", getrusage(RUSAGE_CHILDREN, &ru));
  printf("children: %ld\n", ru.ru_utime.tv_sec + ru.ru_utime.tv_usec);
  show("getrusage bad", getrusage(42, &ru));
  struct tms t;
  printf("times: %d\n", times(&t) != (clock_t)-1);

  errno = 0;
  show("getpriority", getpriority(PRIO_PROCESS, 0));
  show("setpriority 0", setpriority(PRIO_PROCESS, 0, 0));
  show("sched_getscheduler", sched_getscheduler(0));
  struct sched_param sp = {1};
  show("sched_getparam", sched_getparam(0, &sp));
  printf("priority: %d\n", sp.sched_priority);
  sp.sched_priority = 0;
  show("sched_setscheduler other", sched_setscheduler(0, SCHED_OTHER, &sp));
  show("fifo max", sched_get_priority_max(SCHED_FIFO));
  show("fifo min", sched_get_priority_min(SCHED_FIFO));
  show("other max", sched_get_priority_max(SCHED_OTHER));
  show("bad policy", sched_get_priority_max(77));

  show("set name", prctl(PR_SET_NAME, "a-rather-long-thread-name"));
  char name[16];
  prctl(PR_GET_NAME, name);
  printf("name: %s\n", name);
  pthread_t th;
  pthread_create(&th, NULL, named, NULL);
  pthread_join(th, NULL);
  show("dumpable", prctl(PR_GET_DUMPABLE));
  show("bad prctl", prctl(9999));

  char *page = mmap(NULL, 8192, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
  show("mlock", mlock(page, 8192));
  show("munlock", munlock(page, 8192));
  show("msync", msync(page, 8192, MS_SYNC));
  show("msync unaligned", msync(page + 1, 10, MS_SYNC));
  show("msync both", msync(page, 10, MS_SYNC | MS_ASYNC));
  show("madvise unaligned", madvise(page + 1, 10, MADV_NORMAL));
  munmap(page, 8192);
  show("msync unmapped", msync(page, 8192, MS_SYNC));

  umask(027);
  show("umask", umask(022));
  show("chdir /", chdir("/"));
  char cwd[64];
  printf("cwd: %s\n", getcwd(cwd, sizeof cwd));
  return 0;
}
