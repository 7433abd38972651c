// threads.cpp: thread create+join, a futex ping-pong round trip and a mutex handoff
// between two threads, in microseconds each (median of five batches).
#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <linux/futex.h>
#include <mutex>
#include <sys/syscall.h>
#include <thread>
#include <unistd.h>
#include <vector>

using Clock = std::chrono::steady_clock;

template <typename F> double median_us(int n, F &&batch) {
  std::vector<double> times;
  for (int i = 0; i < 5; ++i) {
    auto t0 = Clock::now();
    batch(n);
    times.push_back(std::chrono::duration<double, std::micro>(Clock::now() - t0).count() / n);
  }
  std::sort(times.begin(), times.end());
  return times[2];
}

std::atomic<int> word{0};
void futex_wait(int expected) {
  while (word.load() == expected)
    syscall(SYS_futex, &word, FUTEX_WAIT_PRIVATE, expected, nullptr, nullptr, 0);
}
void futex_set(int value) {
  word.store(value);
  syscall(SYS_futex, &word, FUTEX_WAKE_PRIVATE, 1, nullptr, nullptr, 0);
}

int main(int argc, char **argv) {
  int n = argc > 1 ? atoi(argv[1]) : 200;
  double create = median_us(n, [](int k) {
    for (int i = 0; i < k; ++i)
      std::thread([] {}).join();
  });
  double ping = median_us(n, [](int k) {
    word = 0;
    std::thread t([k] {
      for (int i = 0; i < k; ++i) {
        futex_wait(0);
        futex_set(0);
      }
    });
    for (int i = 0; i < k; ++i) {
      futex_set(1);
      futex_wait(1);
    }
    t.join();
  });
  double handoff = median_us(n, [](int k) {
    std::mutex m;
    std::atomic<int> turn{0};
    std::thread t([&] {
      for (int i = 0; i < k; ++i) {
        while (turn.load() != 1)
          std::this_thread::yield();
        std::lock_guard l(m);
        turn = 0;
      }
    });
    for (int i = 0; i < k; ++i) {
      {
        std::lock_guard l(m);
        turn = 1;
      }
      while (turn.load() != 0)
        std::this_thread::yield();
    }
    t.join();
  });
  printf("create+join %.1f us, futex round trip %.1f us, mutex handoff %.1f us\n", create,
         ping, handoff);
  return 0;
}
