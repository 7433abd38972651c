// udp-echo.c: a UDP echo server: answers every datagram on PORT to its sender, byte
// for byte, until one says "quit" (answered "bye"); then exits 0. Prints "listening"
// on stdout once bound.
#include <arpa/inet.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

int main(int argc, char **argv) {
  int port = argc > 1 ? atoi(argv[1]) : 7;
  int s = socket(AF_INET, SOCK_DGRAM, 0);
  struct sockaddr_in address = {.sin_family = AF_INET, .sin_port = htons((uint16_t)port)};
  if (s < 0 || bind(s, (struct sockaddr *)&address, sizeof address) < 0) {
    perror("socket/bind");
    return 1;
  }
  printf("listening on %d\n", port);
  fflush(stdout);
  static char buffer[65536];
  for (int answered = 0;; ++answered) {
    struct sockaddr_in from;
    socklen_t length = sizeof from;
    ssize_t n = recvfrom(s, buffer, sizeof buffer, 0, (struct sockaddr *)&from, &length);
    int quit = n == 4 && !memcmp(buffer, "quit", 4);
    if (quit)
      memcpy(buffer, "bye", (size_t)(n = 3));
    if (n < 0 || sendto(s, buffer, (size_t)n, 0, (struct sockaddr *)&from, length) != n) {
      perror("recvfrom/sendto");
      return 1;
    }
    if (quit) {
      printf("answered %d datagrams\n", answered);
      return 0;
    }
  }
}
