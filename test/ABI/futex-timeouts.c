// Futex waits that time out leave the other waiters on the same word queued, and
// leave the queue themselves: a waiter whose timeout expires while another waits
// behind it, waiting again, then a wake.
// REQUIRES: qemu
// RUN: %compare --features threads %s
#include <errno.h>
#include <limits.h>
#include <linux/futex.h>
#include <pthread.h>
#include <stdio.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

static unsigned word;

static long futex(int op, unsigned value, const struct timespec *timeout) {
  return syscall(SYS_futex, &word, op, value, timeout, NULL, 0);
}

static void sleep_ms(long ms) {
  struct timespec t = {0, ms * 1000000};
  nanosleep(&t, NULL);
}

static void *short_wait(void *arg) {
  for (int i = 0; i < 2; ++i) {
    struct timespec t = {0, 50 * 1000000};
    long r = futex(FUTEX_WAIT_PRIVATE, 0, &t);
    printf("first waiter: %s\n", r == -1 && errno == ETIMEDOUT ? "timed out" : "woken");
  }
  return arg;
}

static void *long_wait(void *arg) {
  while (__atomic_load_n(&word, __ATOMIC_ACQUIRE) == 0)
    futex(FUTEX_WAIT_PRIVATE, 0, NULL);
  return arg;
}

int main(void) {
  pthread_t a, b;
  pthread_create(&a, NULL, short_wait, NULL);
  sleep_ms(10); // the first waiter queues first
  pthread_create(&b, NULL, long_wait, NULL);
  pthread_join(a, NULL); // its timeouts expire while the second waits behind it
  sleep_ms(20);
  __atomic_store_n(&word, 1, __ATOMIC_RELEASE);
  printf("woken: %ld\n", futex(FUTEX_WAKE_PRIVATE, INT_MAX, NULL));
  pthread_join(b, NULL);
  puts("second waiter woken");
  return 0;
}
