// worker.cpp N: sums areas on N threads.
#include "shapes.h"
#include <atomic>
#include <cstdio>
#include <cstdlib>
#include <thread>
#include <vector>

int main(int argc, char **argv) {
  int n = argc > 1 ? atoi(argv[1]) : 2;
  std::atomic<long> total{0};
  std::vector<std::thread> threads;
  for (int i = 1; i <= n; ++i)
    threads.emplace_back([&, i] { total += long(shape_area("square", i)); });
  for (auto &t : threads)
    t.join();
  std::printf("worker: %ld\n", total.load());
  return 0;
}
