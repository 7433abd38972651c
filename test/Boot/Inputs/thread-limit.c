// Creates threads until pthread_create fails, and says how and after how many.
#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>
static void *wait_forever(void *arg) {
  pause();
  return arg;
}
int main(void) {
  for (int n = 0; n < 100; ++n) {
    pthread_t t;
    int error = pthread_create(&t, NULL, wait_forever, NULL);
    if (error) {
      printf("thread %d: %s\n", n + 1, strerror(error));
      return 0;
    }
  }
  printf("no limit\n");
  return 1;
}
