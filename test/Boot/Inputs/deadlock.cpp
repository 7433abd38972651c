// Two threads each wait for the other: a deadlock.
#include <mutex>
#include <thread>
std::mutex a, b;
int main() {
  std::lock_guard la(a);
  std::thread t([] {
    std::lock_guard lb(b);
    std::lock_guard la2(a);
  });
  while (b.try_lock()) { // until the thread holds b
    b.unlock();
    std::this_thread::yield();
  }
  std::lock_guard lb(b);
  t.join();
  return 0;
}
