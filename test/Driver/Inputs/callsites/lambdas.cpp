// Calls that need 'net' inside lambdas run by std::thread and std::async.
#include <future>
#include <sys/socket.h>
#include <thread>

int main() {
  std::thread t([] { socket(AF_INET, SOCK_STREAM, 0); });
  t.join();
  auto f = std::async(std::launch::async, [] { return socket(AF_INET, SOCK_DGRAM, 0); });
  return f.get() < 0;
}
