// Sleeps longer than any deadline the TSC can hold (centuries, "forever") are cut short
// by a signal as on Linux, with the time left; they must not overflow the kernel's
// arithmetic (a 285-year nanosleep was a divide error in the kernel).
// REQUIRES: qemu
// RUN: %compare %s
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

static void on_alarm(int signal) { (void)signal; }

static void sleep_for(long seconds) {
  struct timespec want = {seconds, 0}, left = {0, 0};
  alarm(1);
  int r = nanosleep(&want, &left);
  printf("nanosleep(%ld s): %d (%s), left %s\n", seconds, r, r ? strerror(errno) : "-",
         left.tv_sec > seconds - 10 ? "almost all" : "less");
}

int main(void) {
  struct sigaction action;
  memset(&action, 0, sizeof action);
  action.sa_handler = on_alarm;
  sigaction(SIGALRM, &action, NULL);
  sleep_for(9000000000L);            // 285 years
  sleep_for(0x7fffffffffffffffL);    // the largest
  struct timespec deadline = {0x7fffffffffffffffL, 0};
  alarm(1);
  int r = clock_nanosleep(CLOCK_MONOTONIC, TIMER_ABSTIME, &deadline, NULL);
  printf("clock_nanosleep(absolute, the end of time): %s\n", strerror(r));
  return 0;
}
