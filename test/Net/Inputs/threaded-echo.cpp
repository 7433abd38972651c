// threaded-echo.cpp: a thread-per-connection echo server with blocking sockets, as
// many servers are written: the main thread accepts CONNECTIONS clients and hands
// each to a std::thread that echoes until the client half-closes; all may run at
// once. Prints "listening", then the bytes served.
#include <arpa/inet.h>
#include <atomic>
#include <cstdio>
#include <cstdlib>
#include <netinet/in.h>
#include <sys/socket.h>
#include <thread>
#include <unistd.h>
#include <vector>

static std::atomic<long long> total;

static void echo(int client) {
  std::vector<char> buffer(65536);
  for (;;) {
    ssize_t n = read(client, buffer.data(), buffer.size());
    if (n <= 0)
      break;
    for (ssize_t done = 0; done < n;) {
      ssize_t written = write(client, buffer.data() + done, size_t(n - done));
      if (written <= 0) {
        perror("write");
        std::exit(1);
      }
      done += written;
    }
    total += n;
  }
  close(client);
}

int main(int argc, char **argv) {
  int port = argc > 1 ? std::atoi(argv[1]) : 7;
  int connections = argc > 2 ? std::atoi(argv[2]) : 1;
  int listener = socket(AF_INET, SOCK_STREAM, 0);
  int on = 1;
  setsockopt(listener, SOL_SOCKET, SO_REUSEADDR, &on, sizeof on);
  sockaddr_in address = {};
  address.sin_family = AF_INET;
  address.sin_port = htons(uint16_t(port));
  if (bind(listener, reinterpret_cast<sockaddr *>(&address), sizeof address) ||
      listen(listener, 64)) {
    perror("bind/listen");
    return 1;
  }
  std::printf("listening on %d\n", port);
  std::fflush(stdout);
  std::vector<std::thread> workers;
  for (int i = 0; i < connections; ++i) {
    int client = accept(listener, nullptr, nullptr);
    if (client < 0) {
      perror("accept");
      return 1;
    }
    workers.emplace_back(echo, client);
  }
  for (auto &w : workers)
    w.join();
  std::printf("served %d connections, %lld bytes\n", connections, total.load());
  return 0;
}
