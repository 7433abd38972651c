// Clocks, sleeping, random_device, environment and arguments, large allocations,
// setjmp/longjmp, built-in files.
// REQUIRES: qemu
// RUN: %compare --env GREETING=hello --env EMPTY= %s -- one "two words" ''
#include <cerrno>
#include <chrono>
#include <csetjmp>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <ctime>
#include <fcntl.h>
#include <iostream>
#include <random>
#include <thread>
#include <unistd.h>
#include <vector>

static jmp_buf jump;
[[gnu::noinline]] static void jump_back(int depth) {
  if (depth == 0)
    longjmp(jump, 99);
  jump_back(depth - 1);
}

int main(int argc, char **argv) {
  for (int i = 1; i < argc; ++i)
    std::cout << "argv[" << i << "] '" << argv[i] << "'\n";
  std::cout << "GREETING=" << (getenv("GREETING") ? getenv("GREETING") : "(unset)")
            << " EMPTY=" << (getenv("EMPTY") ? "set" : "unset")
            << " HOME=" << (getenv("HOME") ? "set" : "unset") << '\n';

  auto t0 = std::chrono::steady_clock::now();
  std::this_thread::sleep_for(std::chrono::milliseconds(10));
  auto slept = std::chrono::steady_clock::now() - t0;
  std::cout << "sleep_for(10ms) took >= 10ms: " << (slept >= std::chrono::milliseconds(10))
            << '\n';
  auto now = std::chrono::system_clock::to_time_t(std::chrono::system_clock::now());
  std::cout << "year >= 2025: " << (gmtime(&now)->tm_year + 1900 >= 2025) << '\n';
  timespec res;
  clock_getres(CLOCK_MONOTONIC, &res);
  std::cout << "monotonic resolution <= 1ms: " << (res.tv_sec == 0 && res.tv_nsec <= 1000000)
            << '\n';
  std::cout << "cpu clock advances: " << (clock() >= 0) << '\n';

  std::random_device rd;
  unsigned a = rd(), b = rd(), c = rd();
  std::cout << "random_device varies: " << !(a == b && b == c) << '\n';
  std::mt19937_64 gen(12345);
  std::uniform_int_distribution<int> dist(1, 6);
  for (int i = 0; i < 10; ++i)
    std::cout << dist(gen);
  std::cout << '\n';

  std::vector<unsigned char> big(96u << 20);
  for (size_t i = 0; i < big.size(); i += 4096)
    big[i] = (unsigned char)(i >> 12);
  unsigned long sum = 0;
  for (size_t i = 0; i < big.size(); i += 4096)
    sum += big[i];
  std::cout << "96 MiB sum " << sum << '\n';
  std::vector<void *> blocks;
  for (int i = 0; i < 20000; ++i)
    blocks.push_back(malloc(16 + i % 2000));
  for (void *p : blocks)
    free(p);
  void *grow = nullptr;
  for (size_t n = 1; n <= (8u << 20); n *= 2)
    grow = realloc(grow, n);
  std::cout << "realloc to 8 MiB: " << (grow != nullptr) << '\n';
  free(grow);

  if (int v = setjmp(jump))
    std::cout << "longjmp returned " << v << '\n';
  else
    jump_back(10);

  int null = open("/dev/null", O_WRONLY);
  int random = open("/dev/urandom", O_RDONLY);
  unsigned char bytes[64];
  std::cout << "write /dev/null " << write(null, "x", 1) << " read /dev/urandom "
            << read(random, bytes, sizeof bytes) << '\n';
  errno = 0;
  FILE *missing = fopen("/etc/no-such-file", "r");
  std::cout << "fopen missing: " << (missing == nullptr) << " " << strerror(errno) << '\n';
  std::cout << "isatty(1) " << isatty(1) << " getpid>0 " << (getpid() > 0) << '\n';
  printf("printf then ");
  fflush(stdout);
  write(1, "write\n", 6);
  return 0;
}
