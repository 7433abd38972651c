// Threads and their synchronization, under contention: results as natively.
// REQUIRES: qemu
// RUN: %compare --features threads --flags "-O2 -std=c++20" %s
#include <atomic>
#include <barrier>
#include <condition_variable>
#include <cstdio>
#include <future>
#include <latch>
#include <mutex>
#include <pthread.h>
#include <shared_mutex>
#include <thread>
#include <vector>

thread_local int tls_counter = 100;
static pthread_key_t key;
static std::atomic<int> destructed{0};

int main() {
  // 64 threads alive at once, contending on a mutex and an atomic.
  std::mutex m;
  long shared = 0;
  std::atomic<long> atomic_sum{0};
  std::latch started(64);
  std::vector<std::thread> alive;
  for (int i = 0; i < 64; ++i)
    alive.emplace_back([&, i] {
      started.count_down();
      started.wait(); // all 64 exist at the same time
      for (int j = 0; j < 1000; ++j) {
        std::lock_guard l(m);
        shared += j % 7;
      }
      atomic_sum += i;
      tls_counter += i; // each thread its own copy
    });
  for (auto &t : alive)
    t.join();
  printf("64 threads: shared %ld atomic %ld main tls %d\n", shared, atomic_sum.load(),
         tls_counter);

  // 1000 threads created and joined over the run, a few at a time.
  long total = 0;
  for (int round = 0; round < 250; ++round) {
    std::future<int> f[4];
    for (int k = 0; k < 4; ++k)
      f[k] = std::async(std::launch::async, [=] { return round * 4 + k; });
    for (auto &x : f)
      total += x.get();
  }
  printf("1000 async tasks: %ld\n", total);

  // condition_variable ping-pong.
  std::condition_variable cv;
  int turn = 0, rounds = 0;
  std::thread ping([&] {
    for (int i = 0; i < 500; ++i) {
      std::unique_lock l(m);
      cv.wait(l, [&] { return turn == 0; });
      turn = 1;
      ++rounds;
      cv.notify_all();
    }
  });
  for (int i = 0; i < 500; ++i) {
    std::unique_lock l(m);
    cv.wait(l, [&] { return turn == 1; });
    turn = 0;
    cv.notify_all();
  }
  ping.join();
  printf("ping-pong rounds %d\n", rounds);

  // shared_mutex: readers and writers.
  std::shared_mutex rw;
  int value = 0;
  std::vector<std::thread> rws;
  std::atomic<long> reads{0};
  for (int i = 0; i < 8; ++i)
    rws.emplace_back([&, i] {
      for (int j = 0; j < 200; ++j) {
        if (i % 4 == 0) {
          std::unique_lock l(rw);
          ++value;
        } else {
          std::shared_lock l(rw);
          reads += value >= 0;
        }
      }
    });
  for (auto &t : rws)
    t.join();
  printf("shared_mutex value %d reads %ld\n", value, reads.load());

  // promise/future and a barrier with a completion step.
  std::promise<std::string> p;
  std::thread producer([&] { p.set_value("from a promise"); });
  printf("%s\n", p.get_future().get().c_str());
  producer.join();
  int phases = 0;
  std::barrier sync(4, [&]() noexcept { ++phases; });
  std::vector<std::thread> workers;
  for (int i = 0; i < 4; ++i)
    workers.emplace_back([&] {
      for (int j = 0; j < 10; ++j)
        sync.arrive_and_wait();
    });
  for (auto &t : workers)
    t.join();
  printf("barrier phases %d\n", phases);

  // pthread keys with destructors, and a detached thread.
  pthread_key_create(&key, [](void *) { ++destructed; });
  std::vector<std::thread> keyed;
  for (int i = 0; i < 16; ++i)
    keyed.emplace_back([] { pthread_setspecific(key, (void *)1); });
  for (auto &t : keyed)
    t.join();
  std::atomic<bool> detached_ran{false};
  std::thread([&] { detached_ran = true; }).detach();
  while (!detached_ran)
    std::this_thread::yield();
  printf("key destructors %d detached ran %d\n", destructed.load(), (int)detached_ran);
  printf("hardware_concurrency %u\n", std::thread::hardware_concurrency() > 0 ? 1u : 0u);
  return 0;
}
