// sockets.c: the socket calls an event-loop server makes, over loopback in one
// process, printing what a program would notice; natively and in the unikernel the
// output must be the same. Non-blocking sockets, accept4, epoll with EPOLLRDHUP,
// MSG_PEEK, FIONREAD, writev/readv, names, half-close, EPIPE, refused connections and
// UDP datagrams.
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <stdio.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/ioctl.h>
#include <sys/sendfile.h>
#include <sys/socket.h>
#include <sys/uio.h>
#include <time.h>
#include <unistd.h>

static struct sockaddr_in loopback(int port) {
  struct sockaddr_in a = {.sin_family = AF_INET, .sin_port = htons((uint16_t)port)};
  a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  return a;
}

static const char *result(long r) { return r < 0 ? strerror(errno) : "ok"; }

static void wait_for(int fd, short events) {
  struct pollfd p = {fd, events, 0};
  poll(&p, 1, 5000);
}

static void stream(void) {
  int listener = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK, 0);
  int on = 1;
  setsockopt(listener, SOL_SOCKET, SO_REUSEADDR, &on, sizeof on);
  struct sockaddr_in a = loopback(0);
  printf("bind: %s\n", result(bind(listener, (struct sockaddr *)&a, sizeof a)));
  socklen_t length = sizeof a;
  getsockname(listener, (struct sockaddr *)&a, &length);
  printf("ephemeral port: %s, length %u\n", a.sin_port ? "yes" : "no", length);
  printf("listen: %s\n", result(listen(listener, 8)));
  printf("accept with none waiting: %s\n", result(accept4(listener, NULL, NULL, 0)));

  int client = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK, 0);
  int started = connect(client, (struct sockaddr *)&a, sizeof a);
  printf("non-blocking connect: %s\n",
         started == 0 || errno == EINPROGRESS ? "started" : strerror(errno));
  int epoll = epoll_create1(EPOLL_CLOEXEC);
  struct epoll_event e = {.events = EPOLLIN, .data.fd = listener};
  epoll_ctl(epoll, EPOLL_CTL_ADD, listener, &e);
  struct epoll_event got[4];
  int n = epoll_wait(epoll, got, 4, 5000);
  printf("epoll: %d event(s), listener readable: %s\n", n,
         n == 1 && (got[0].events & EPOLLIN) ? "yes" : "no");
  int server = accept4(listener, NULL, NULL, SOCK_NONBLOCK | SOCK_CLOEXEC);
  printf("accept4: %s, non-blocking: %s, close-on-exec: %s\n", result(server),
         fcntl(server, F_GETFL) & O_NONBLOCK ? "yes" : "no",
         fcntl(server, F_GETFD) & FD_CLOEXEC ? "yes" : "no");
  wait_for(client, POLLOUT);
  int error = -1;
  length = sizeof error;
  getsockopt(client, SOL_SOCKET, SO_ERROR, &error, &length);
  printf("client SO_ERROR: %d\n", error);
  struct sockaddr_in mine, peer;
  socklen_t mine_length = sizeof mine, peer_length = sizeof peer;
  getsockname(client, (struct sockaddr *)&mine, &mine_length);
  getpeername(server, (struct sockaddr *)&peer, &peer_length);
  printf("names agree: %s\n", !memcmp(&mine, &peer, sizeof mine) ? "yes" : "no");
  printf("TCP_NODELAY: %s\n",
         result(setsockopt(server, IPPROTO_TCP, TCP_NODELAY, &on, sizeof on)));

  send(client, "hello world", 11, 0);
  wait_for(server, POLLIN);
  int pending = 0;
  ioctl(server, FIONREAD, &pending);
  char buffer[64] = {0};
  long peeked = recv(server, buffer, 5, MSG_PEEK);
  printf("FIONREAD %d, peek %ld '%.*s'\n", pending, peeked, (int)peeked, buffer);
  long got_bytes = recv(server, buffer, sizeof buffer, 0);
  printf("recv %ld '%.*s'\n", got_bytes, (int)got_bytes, buffer);
  printf("recv with nothing: %s\n", result(recv(server, buffer, sizeof buffer, 0)));

  struct iovec parts[3] = {{"abc", 3}, {"def", 3}, {"ghi", 3}};
  printf("writev: %ld\n", (long)writev(server, parts, 3));
  wait_for(client, POLLIN);
  char x[4] = {0}, y[6] = {0};
  struct iovec into[2] = {{x, 3}, {y, 6}};
  long r = readv(client, into, 2);
  printf("readv: %ld '%s' '%.*s'\n", r, x, (int)(r - 3), y);

  // Half-close: the server sees the end (EPOLLRDHUP), can still answer.
  e.events = EPOLLIN | EPOLLRDHUP | EPOLLET;
  e.data.fd = server;
  epoll_ctl(epoll, EPOLL_CTL_ADD, server, &e);
  printf("shutdown: %s\n", result(shutdown(client, SHUT_WR)));
  n = epoll_wait(epoll, got, 4, 5000);
  printf("server events: %d, in: %s, rdhup: %s\n", n, got[0].events & EPOLLIN ? "yes" : "no",
         got[0].events & EPOLLRDHUP ? "yes" : "no");
  printf("server read after end: %ld\n", (long)read(server, buffer, sizeof buffer));
  printf("answer after half-close: %ld\n", (long)write(server, "bye", 3));
  wait_for(client, POLLIN);
  r = read(client, buffer, sizeof buffer);
  printf("client read: %ld '%.*s'\n", r, (int)r, buffer);
  close(server);
  wait_for(client, POLLIN);
  printf("client read after close: %ld\n", (long)read(client, buffer, sizeof buffer));
  long first = send(client, "x", 1, MSG_NOSIGNAL);
  printf("send after the peer's close: %s\n", first == 1 ? "sent" : strerror(errno));
  wait_for(client, POLLIN);
  printf("send again: %s\n", result(send(client, "x", 1, MSG_NOSIGNAL)));
  close(client);
  close(listener);
  close(epoll);
}

static void refused(void) {
  // Port 1: nothing listens there, natively or in the unikernel.
  struct sockaddr_in a = loopback(1);
  int s = socket(AF_INET, SOCK_STREAM, 0);
  printf("send on a fresh socket: %s\n", result(send(s, "x", 1, MSG_NOSIGNAL)));
  printf("blocking connect to a closed port: %s\n",
         result(connect(s, (struct sockaddr *)&a, sizeof a)));
  printf("again: %s\n", result(connect(s, (struct sockaddr *)&a, sizeof a)));
  close(s);
  s = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK, 0);
  int started = connect(s, (struct sockaddr *)&a, sizeof a);
  printf("non-blocking: %s\n",
         started == 0 || errno == EINPROGRESS ? "started" : strerror(errno));
  wait_for(s, POLLOUT);
  int error = 0;
  socklen_t length = sizeof error;
  getsockopt(s, SOL_SOCKET, SO_ERROR, &error, &length);
  printf("SO_ERROR: %s\n", strerror(error));
  close(s);
}

/// Closing with unread data resets the connection: the peer's next read fails with
/// ECONNRESET, and a read after that sees the end.
static void reset(void) {
  int listener = socket(AF_INET, SOCK_STREAM, 0);
  struct sockaddr_in a = loopback(0);
  bind(listener, (struct sockaddr *)&a, sizeof a);
  socklen_t length = sizeof a;
  getsockname(listener, (struct sockaddr *)&a, &length);
  listen(listener, 1);
  int client = socket(AF_INET, SOCK_STREAM, 0);
  connect(client, (struct sockaddr *)&a, sizeof a);
  int server = accept(listener, NULL, NULL);
  send(client, "unread", 6, 0);
  wait_for(server, POLLIN);
  close(server);
  wait_for(client, POLLIN);
  char buffer[16];
  printf("read after a reset: %s\n", result(read(client, buffer, sizeof buffer)));
  printf("read again: %ld\n", (long)read(client, buffer, sizeof buffer));
  close(client);
  close(listener);
}

static void datagrams(void) {
  int a = socket(AF_INET, SOCK_DGRAM, 0), b = socket(AF_INET, SOCK_DGRAM, 0);
  struct sockaddr_in address = loopback(0), from;
  bind(a, (struct sockaddr *)&address, sizeof address);
  socklen_t length = sizeof address;
  getsockname(a, (struct sockaddr *)&address, &length);
  printf("udp sendto: %ld\n",
         (long)sendto(b, "datagram", 8, 0, (struct sockaddr *)&address, sizeof address));
  char buffer[64];
  length = sizeof from;
  long n = recvfrom(a, buffer, 4, MSG_TRUNC, (struct sockaddr *)&from, &length);
  struct sockaddr_in b_name;
  socklen_t b_length = sizeof b_name;
  getsockname(b, (struct sockaddr *)&b_name, &b_length);
  printf("udp recvfrom (truncated): %ld '%.4s', from the sender: %s\n", n, buffer,
         from.sin_port == b_name.sin_port ? "yes" : "no");
  printf("udp with nothing: %s\n", result(recv(a, buffer, sizeof buffer, MSG_DONTWAIT)));
  struct timeval limit = {0, 200000}, back;
  socklen_t limit_length = sizeof back;
  setsockopt(a, SOL_SOCKET, SO_RCVTIMEO, &limit, sizeof limit);
  getsockopt(a, SOL_SOCKET, SO_RCVTIMEO, &back, &limit_length);
  printf("SO_RCVTIMEO: %ld.%06ld s\n", (long)back.tv_sec, (long)back.tv_usec);
  struct timespec start, end;
  clock_gettime(CLOCK_MONOTONIC, &start);
  printf("recv with a timeout: %s", result(recv(a, buffer, sizeof buffer, 0)));
  clock_gettime(CLOCK_MONOTONIC, &end);
  long ms = (end.tv_sec - start.tv_sec) * 1000 + (end.tv_nsec - start.tv_nsec) / 1000000;
  printf(", after 200 ms or more: %s\n", ms >= 190 ? "yes" : "no");
  // A connected socket learns that nothing listens on its peer's port (ICMP).
  struct sockaddr_in closed = loopback(1);
  connect(b, (struct sockaddr *)&closed, sizeof closed);
  printf("udp send to a closed port: %ld\n", (long)send(b, "x", 1, 0));
  struct pollfd p = {b, POLLIN, 0};
  poll(&p, 1, 5000);
  printf("then poll: %s, recv: %s\n", p.revents & POLLERR ? "POLLERR" : "no error",
         result(recv(b, buffer, sizeof buffer, MSG_DONTWAIT)));
  close(a);
  close(b);
}

/// socketpair(AF_UNIX): both ways, the end after a shutdown, non-blocking reads.
static void pairs(void) {
  int pair[2];
  printf("socketpair: %s\n",
         result(socketpair(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0, pair)));
  char buffer[16] = {0};
  printf("nothing yet: %s\n", result(read(pair[0], buffer, sizeof buffer)));
  write(pair[0], "ping", 4);
  wait_for(pair[1], POLLIN);
  long n = read(pair[1], buffer, sizeof buffer);
  printf("one way: %ld '%.*s'\n", n, (int)n, buffer);
  write(pair[1], "pong", 4);
  wait_for(pair[0], POLLIN);
  n = read(pair[0], buffer, sizeof buffer);
  printf("other way: %ld '%.*s'\n", n, (int)n, buffer);
  shutdown(pair[1], SHUT_WR);
  wait_for(pair[0], POLLIN);
  printf("after shutdown: %ld\n", (long)read(pair[0], buffer, sizeof buffer));
  close(pair[0]);
  close(pair[1]);
  printf("datagram pair: %s\n", result(socketpair(AF_UNIX, SOCK_DGRAM, 0, pair)));
  send(pair[0], "one", 3, 0);
  send(pair[0], "two", 3, 0);
  n = recv(pair[1], buffer, sizeof buffer, 0);
  printf("first datagram: %ld '%.*s'\n", n, (int)n, buffer);
  n = recv(pair[1], buffer, sizeof buffer, 0);
  printf("second datagram: %ld '%.*s'\n", n, (int)n, buffer);
  close(pair[0]);
  close(pair[1]);
}

/// sendfile from a file in /tmp to a socket, from an offset and from the file's own.
static void file_to_socket(void) {
  int file = open("/tmp/sockets-sendfile.txt", O_RDWR | O_CREAT | O_TRUNC, 0600);
  write(file, "0123456789abcdefghij", 20);
  int pair[2];
  socketpair(AF_UNIX, SOCK_STREAM, 0, pair);
  off_t offset = 10;
  printf("sendfile at 10: %ld, offset now %ld\n", (long)sendfile(pair[0], file, &offset, 6),
         (long)offset);
  lseek(file, 4, SEEK_SET);
  printf("sendfile from the file's offset: %ld, which is now %ld\n",
         (long)sendfile(pair[0], file, NULL, 100), (long)lseek(file, 0, SEEK_CUR));
  char buffer[64] = {0};
  wait_for(pair[1], POLLIN);
  long n = read(pair[1], buffer, sizeof buffer);
  printf("received: %ld '%.*s'\n", n, (int)n, buffer);
  close(file);
  unlink("/tmp/sockets-sendfile.txt");
  close(pair[0]);
  close(pair[1]);
}

/// A descriptor closed while in an epoll set leaves it: a new socket that gets the
/// same descriptor (and, in the unikernel, maybe the same memory) can be added anew.
static void reused_descriptor(void) {
  int epoll = epoll_create1(0);
  int first = socket(AF_INET, SOCK_STREAM, 0);
  struct epoll_event e = {.events = EPOLLIN, .data.fd = first};
  epoll_ctl(epoll, EPOLL_CTL_ADD, first, &e);
  close(first);
  int second = socket(AF_INET, SOCK_STREAM, 0);
  printf("same descriptor again: %s, added: %s\n", second == first ? "yes" : "no",
         result(epoll_ctl(epoll, EPOLL_CTL_ADD, second, &e)));
  close(second);
  close(epoll);
}

int main(void) {
  stream();
  reused_descriptor();
  pairs();
  file_to_socket();
  refused();
  reset();
  datagrams();
  printf("unknown socket type: %s\n", result(socket(AF_INET, SOCK_SEQPACKET, 0)));
  return 0;
}
