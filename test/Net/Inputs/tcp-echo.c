// tcp-echo.c: a TCP echo server: serves CONNECTIONS clients on PORT one after the
// other, each until it half-closes, echoing every byte; then exits 0. Prints what it
// does on stderr, and "listening" on stdout once clients may connect.
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

static char buffer[65536];

static int write_all(int fd, const char *data, size_t length) {
  while (length) {
    ssize_t n = write(fd, data, length);
    if (n < 0) {
      if (errno == EINTR)
        continue;
      return -1;
    }
    data += n;
    length -= (size_t)n;
  }
  return 0;
}

int main(int argc, char **argv) {
  int port = argc > 1 ? atoi(argv[1]) : 7;
  int connections = argc > 2 ? atoi(argv[2]) : 1;
  int listener = socket(AF_INET, SOCK_STREAM, 0);
  if (listener < 0) {
    perror("socket");
    return 1;
  }
  int on = 1;
  if (setsockopt(listener, SOL_SOCKET, SO_REUSEADDR, &on, sizeof on) < 0)
    perror("setsockopt");
  struct sockaddr_in address = {.sin_family = AF_INET, .sin_port = htons((uint16_t)port)};
  if (bind(listener, (struct sockaddr *)&address, sizeof address) < 0) {
    perror("bind");
    return 1;
  }
  if (listen(listener, 16) < 0) {
    perror("listen");
    return 1;
  }
  printf("listening on %d\n", port);
  fflush(stdout);
  long long total = 0;
  for (int i = 0; i < connections; ++i) {
    struct sockaddr_in peer;
    socklen_t length = sizeof peer;
    int client = accept(listener, (struct sockaddr *)&peer, &length);
    if (client < 0) {
      perror("accept");
      return 1;
    }
    for (;;) {
      ssize_t n = read(client, buffer, sizeof buffer);
      if (n < 0) {
        perror("read");
        return 1;
      }
      if (n == 0)
        break;
      total += n;
      if (write_all(client, buffer, (size_t)n) < 0) {
        perror("write");
        return 1;
      }
    }
    close(client);
  }
  close(listener);
  printf("served %d connections, %lld bytes\n", connections, total);
  return 0;
}
