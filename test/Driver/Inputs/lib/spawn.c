#include <pthread.h>
static void *run(void *arg) { return arg; }
int spawn(void) {
  pthread_t t;
  return pthread_create(&t, 0, run, 0) || pthread_join(t, 0);
}
