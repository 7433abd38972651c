// Signals: handlers (plain and SA_SIGINFO, with the ucontext), masks and pending
// sets, SA_RESETHAND, faults caught and left with siglongjmp (also a stack overflow on
// an alternate stack), timers (setitimer, POSIX timers by signal and by thread),
// pause, sigsuspend, sigtimedwait, system calls interrupted (EINTR) or restarted
// (SA_RESTART), and a signal sent to another thread.
// REQUIRES: qemu
// RUN: %compare --features threads %s
#define _GNU_SOURCE
#include <errno.h>
#include <pthread.h>
#include <setjmp.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/syscall.h>
#include <sys/time.h>
#include <time.h>
#include <ucontext.h>
#include <unistd.h>

static volatile sig_atomic_t count, last_signal, last_code, value_seen, rip_seen;
static volatile uintptr_t fault_address;
static sigjmp_buf escape;

static void on_signal(int signal) {
  ++count;
  last_signal = signal;
}

static void on_info(int signal, siginfo_t *info, void *context) {
  ucontext_t *uc = context;
  ++count;
  last_signal = signal;
  last_code = info->si_code;
  value_seen = info->si_value.sival_int;
  rip_seen = uc->uc_mcontext.gregs[REG_RIP] != 0;
}

static void on_fault(int signal, siginfo_t *info, void *context) {
  (void)context;
  last_signal = signal;
  fault_address = (uintptr_t)info->si_addr;
  siglongjmp(escape, 1);
}

static void handle(int signal, void (*handler)(int), int flags) {
  struct sigaction sa = {.sa_handler = handler, .sa_flags = flags};
  sigemptyset(&sa.sa_mask);
  sigaction(signal, &sa, NULL);
}

static void handle_info(int signal, void (*handler)(int, siginfo_t *, void *), int flags) {
  struct sigaction sa = {.sa_sigaction = handler, .sa_flags = SA_SIGINFO | flags};
  sigemptyset(&sa.sa_mask);
  sigaction(signal, &sa, NULL);
}

static void after_ms(int ms) {
  struct itimerval t = {.it_value = {0, ms * 1000}};
  setitimer(ITIMER_REAL, &t, NULL);
}

static int deep(int n) {
  volatile char pad[512];
  pad[0] = (char)n;
  return deep(n + 1) + pad[0];
}

static int pipe_fds[2];
static void *write_later(void *arg) {
  struct timespec t = {0, 150 * 1000000};
  nanosleep(&t, NULL);
  write(pipe_fds[1], "late", 4);
  return arg;
}

static volatile pid_t handled_by;
static volatile int spinning = 1;
static void on_usr2(int signal) {
  (void)signal;
  handled_by = gettid();
  spinning = 0;
}
static void *spin(void *arg) {
  *(volatile pid_t *)arg = gettid();
  while (spinning)
    ;
  return NULL;
}

static void clobber_vectors(int signal) {
  (void)signal;
  asm volatile("pcmpeqd %%xmm8, %%xmm8; xorps %%xmm0, %%xmm0" ::: "xmm0", "xmm8");
}

/// Sends Signal with a system call while XMM8 holds Value, and returns XMM8 after it:
/// the handler runs on that call's way out.
static uint64_t xmm8_across_signal(int signal, uint64_t value) {
  uint64_t out;
  long nr = SYS_kill, pid = getpid();
  asm volatile("movq %[v], %%xmm8\n\tsyscall\n\tmovq %%xmm8, %[out]"
               : [out] "=r"(out), "+a"(nr)
               : [v] "r"(value), "D"(pid), "S"((long)signal)
               : "rcx", "r11", "xmm8", "memory");
  return out;
}

static volatile int timer_thread_ran;
static void timer_thread(union sigval value) { timer_thread_ran = value.sival_int; }

int main(void) {
  // A handler, by raise (tgkill) and by kill.
  handle_info(SIGUSR1, on_info, 0);
  raise(SIGUSR1);
  printf("raise: count %d, signal %d, code is SI_TKILL %d, rip saved %d\n", count, last_signal,
         last_code == SI_TKILL, rip_seen);
  kill(getpid(), SIGUSR1);
  printf("kill: count %d, code is SI_USER %d\n", count, last_code == SI_USER);

  // The interrupted code's vector registers survive a handler that changes them.
  handle(SIGWINCH, clobber_vectors, 0);
  printf("xmm8 kept: %d\n",
         xmm8_across_signal(SIGWINCH, 0x1122334455667788) == 0x1122334455667788);

  // Blocked, it stays pending until unblocked.
  sigset_t usr1, old, pending;
  sigemptyset(&usr1);
  sigaddset(&usr1, SIGUSR1);
  sigprocmask(SIG_BLOCK, &usr1, &old);
  raise(SIGUSR1);
  sigpending(&pending);
  printf("blocked: count %d, pending %d\n", count, sigismember(&pending, SIGUSR1));
  sigprocmask(SIG_SETMASK, &old, NULL);
  printf("unblocked: count %d\n", count);

  // SA_RESETHAND: once, then the default again.
  handle(SIGURG, on_signal, SA_RESETHAND);
  raise(SIGURG);
  struct sigaction now;
  sigaction(SIGURG, NULL, &now);
  printf("resethand: signal %d, back to default %d\n", last_signal, now.sa_handler == SIG_DFL);

  // Faults, caught and left.
  handle_info(SIGSEGV, on_fault, SA_NODEFER);
  if (!sigsetjmp(escape, 1))
    *(volatile int *)16 = 1;
  printf("segv: signal %d at %#lx\n", last_signal, (unsigned long)fault_address);
  handle_info(SIGFPE, on_fault, 0);
  if (!sigsetjmp(escape, 1)) {
    int quotient, zero = 0;
    asm volatile("cltd; idivl %2" : "=a"(quotient) : "a"(1), "r"(zero) : "edx");
  }
  printf("fpe: signal %d\n", last_signal);

  // A stack overflow, handled on an alternate stack.
  static char alt[65536];
  stack_t ss = {.ss_sp = alt, .ss_size = sizeof alt};
  printf("sigaltstack: %d\n", sigaltstack(&ss, NULL));
  handle_info(SIGSEGV, on_fault, SA_ONSTACK | SA_NODEFER);
  last_signal = 0;
  if (!sigsetjmp(escape, 1))
    deep(0);
  printf("overflow caught: signal %d\n", last_signal);

  // A timer, pause() and sigsuspend().
  handle(SIGALRM, on_signal, 0);
  count = 0;
  after_ms(30);
  int r = pause();
  printf("pause: %d %s, count %d\n", r, strerror(errno), count);
  sigset_t alrm, none;
  sigemptyset(&alrm);
  sigaddset(&alrm, SIGALRM);
  sigemptyset(&none);
  sigprocmask(SIG_BLOCK, &alrm, NULL);
  after_ms(30);
  r = sigsuspend(&none);
  sigset_t mask;
  sigprocmask(SIG_SETMASK, NULL, &mask);
  printf("sigsuspend: %d %s, count %d, mask restored %d\n", r, strerror(errno), count,
         sigismember(&mask, SIGALRM));
  sigprocmask(SIG_UNBLOCK, &alrm, NULL);

  // sigtimedwait takes a blocked signal without its handler.
  sigprocmask(SIG_BLOCK, &usr1, NULL);
  raise(SIGUSR1);
  siginfo_t info;
  printf("sigtimedwait: %d\n", sigtimedwait(&usr1, &info, &(struct timespec){1, 0}));
  r = sigtimedwait(&usr1, &info, &(struct timespec){0, 10 * 1000000});
  printf("sigtimedwait, nothing: %d %s\n", r, strerror(errno));
  sigprocmask(SIG_UNBLOCK, &usr1, NULL);

  // A blocking read interrupted: EINTR without SA_RESTART; restarted with it.
  pipe(pipe_fds);
  char buf[8] = {0};
  after_ms(30);
  r = (int)read(pipe_fds[0], buf, sizeof buf);
  printf("read interrupted: %d %s\n", r, strerror(errno));
  handle(SIGALRM, on_signal, SA_RESTART);
  count = 0;
  pthread_t writer;
  pthread_create(&writer, NULL, write_later, NULL);
  after_ms(30);
  r = (int)read(pipe_fds[0], buf, sizeof buf);
  pthread_join(writer, NULL);
  printf("read restarted: %d '%s', handler ran %d\n", r, buf, count);
  struct timespec long_sleep = {5, 0}, rem;
  after_ms(30);
  r = nanosleep(&long_sleep, &rem);
  printf("nanosleep interrupted: %d %s, remaining over 4 s %d\n", r, strerror(errno),
         rem.tv_sec >= 4);

  // POSIX timers: by signal with a value, and by a thread (glibc's SIGEV_THREAD).
  handle_info(SIGRTMIN + 2, on_info, 0);
  struct sigevent ev = {.sigev_notify = SIGEV_SIGNAL, .sigev_signo = SIGRTMIN + 2};
  ev.sigev_value.sival_int = 42;
  timer_t timer;
  printf("timer_create: %d\n", timer_create(CLOCK_MONOTONIC, &ev, &timer));
  struct itimerspec when = {.it_value = {0, 20 * 1000000}};
  timer_settime(timer, 0, &when, NULL);
  while (value_seen != 42)
    pause();
  printf("timer signal: value %d, code is SI_TIMER %d\n", value_seen, last_code == SI_TIMER);
  timer_delete(timer);
  struct sigevent by_thread = {.sigev_notify = SIGEV_THREAD,
                               .sigev_notify_function = timer_thread};
  by_thread.sigev_value.sival_int = 7;
  timer_create(CLOCK_MONOTONIC, &by_thread, &timer);
  timer_settime(timer, 0, &when, NULL);
  for (int i = 0; i < 200 && !timer_thread_ran; ++i)
    nanosleep(&(struct timespec){0, 5 * 1000000}, NULL);
  printf("timer thread: %d\n", timer_thread_ran);

  // A signal for another thread runs there, interrupting its busy loop.
  handle(SIGUSR2, on_usr2, 0);
  pthread_t spinner;
  volatile pid_t spinner_tid = 0;
  pthread_create(&spinner, NULL, spin, (void *)&spinner_tid);
  while (!spinner_tid)
    sched_yield();
  pthread_kill(spinner, SIGUSR2);
  pthread_join(spinner, NULL);
  printf("handled in the target thread: %d\n", handled_by == spinner_tid);
  return 0;
}
