// How signals end a program: "abort" (a SIGABRT handler that returns does not stop
// abort()), "term" (SIGTERM's default action), "stop" (SIGSTOP cannot stop a
// unikernel: ignored, and said), "bad-frame" (a handler that breaks its saved
// context: rt_sigreturn refuses it, and the kernel carries on unharmed).
#define _GNU_SOURCE
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <ucontext.h>
#include <unistd.h>

static void returns(int signal) { (void)signal; }

static void breaks_frame(int signal, siginfo_t *info, void *context) {
  (void)signal, (void)info;
  ucontext_t *uc = context;
  uc->uc_mcontext.fpregs = (void *)((char *)uc->uc_mcontext.fpregs + 8); // misaligned
}

int main(int argc, char **argv) {
  if (argc < 2)
    return 1;
  setvbuf(stdout, NULL, _IONBF, 0);
  if (!strcmp(argv[1], "abort")) {
    signal(SIGABRT, returns);
    abort();
  } else if (!strcmp(argv[1], "term")) {
    kill(getpid(), SIGTERM);
  } else if (!strcmp(argv[1], "stop")) {
    kill(getpid(), SIGSTOP);
    puts("still running");
    return 0;
  } else if (!strcmp(argv[1], "bad-frame")) {
    struct sigaction sa = {.sa_sigaction = breaks_frame, .sa_flags = SA_SIGINFO};
    sigaction(SIGUSR1, &sa, NULL);
    raise(SIGUSR1);
  }
  puts("not reached");
  return 0;
}
