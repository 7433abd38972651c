// Static initialization, atexit and destructor order, thread_local in the main thread,
// and exit from deep inside the program.
// REQUIRES: qemu
// RUN: %compare %s -- exit-deep
#include <cstdio>
#include <cstdlib>
#include <cstring>

struct Noisy {
  const char *name;
  explicit Noisy(const char *n) : name(n) { printf("construct %s\n", name); }
  ~Noisy() { printf("destroy %s\n", name); }
};

Noisy first("global first");
static Noisy second("global second");
thread_local Noisy tls("thread_local");

Noisy &local_static() {
  static Noisy once("function-local static");
  return once;
}

__attribute__((constructor(200))) static void early() { printf("constructor(200)\n"); }
static void handler1() { printf("atexit 1\n"); }
static void handler2() { printf("atexit 2\n"); }

[[gnu::noinline]] static void deep(int n) {
  if (n == 0) {
    printf("exit(7) from depth\n");
    exit(7);
  }
  deep(n - 1);
}

int main(int argc, char **argv) {
  atexit(handler1);
  local_static();
  printf("tls %s\n", tls.name);
  atexit(handler2);
  if (argc > 1 && !strcmp(argv[1], "exit-deep"))
    deep(5);
  return 0;
}
