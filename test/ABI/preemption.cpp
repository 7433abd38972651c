// A thread that never yields does not starve the others, and sleeps never end early.
// REQUIRES: qemu
// RUN: %compare --features threads %s
#include <atomic>
#include <chrono>
#include <cstdio>
#include <thread>

int main() {
  std::atomic<bool> stop{false};
  std::atomic<unsigned long> spins{0};
  std::thread busy([&] {
    while (!stop.load(std::memory_order_relaxed))
      spins.fetch_add(1, std::memory_order_relaxed); // never yields, never sleeps
  });
  // This thread must get the CPU back, from a timer, to tell it to stop.
  int early = 0;
  for (int i = 0; i < 20; ++i) {
    auto t0 = std::chrono::steady_clock::now();
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
    if (std::chrono::steady_clock::now() - t0 < std::chrono::milliseconds(10))
      ++early;
  }
  stop = true;
  busy.join();
  printf("busy thread ran: %d, sleeps that ended early: %d\n", spins.load() > 0, early);
  return 0;
}
