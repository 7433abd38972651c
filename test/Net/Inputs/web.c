// web.c: a small event-loop HTTP/1.1 server as servers are written for Linux: one
// epoll loop, non-blocking sockets, accept4, edge-triggered EPOLLIN|EPOLLRDHUP, writev
// for header and body, keep-alive. GET / answers a greeting, GET /bytes/N N bytes of
// a pattern, GET /quit ends the server once answered. Prints "listening" when ready.
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <sys/uio.h>
#include <unistd.h>

enum { MaxClients = 200, RequestSize = 4096 };

struct client {
  int fd;
  char request[RequestSize];
  size_t length;
  char *body;         // what is left to send
  size_t body_length; // of it
  char header[256];
  size_t header_length;
  int quit_after;
};

static struct client clients[MaxClients];
static int quitting;

static struct client *client_of(int fd) {
  for (int i = 0; i < MaxClients; ++i)
    if (clients[i].fd == fd)
      return &clients[i];
  return NULL;
}

static void drop(int epoll, struct client *c) {
  epoll_ctl(epoll, EPOLL_CTL_DEL, c->fd, NULL);
  close(c->fd);
  free(c->body);
  memset(c, 0, sizeof *c);
  c->fd = -1;
}

/// Sends what is pending (header, then body) until done or the socket is full.
static int flush(struct client *c) {
  while (c->header_length || c->body_length) {
    struct iovec parts[2] = {{c->header, c->header_length}, {c->body + 0, c->body_length}};
    ssize_t n = writev(c->fd, parts, 2);
    if (n < 0)
      return errno == EAGAIN ? 0 : -1;
    size_t from_header = (size_t)n < c->header_length ? (size_t)n : c->header_length;
    memmove(c->header, c->header + from_header, c->header_length - from_header);
    c->header_length -= from_header;
    size_t from_body = (size_t)n - from_header;
    memmove(c->body, c->body + from_body, c->body_length - from_body);
    c->body_length -= from_body;
  }
  return 1;
}

static void answer(struct client *c, const char *path) {
  size_t size = 0;
  char *body;
  if (!strncmp(path, "/bytes/", 7)) {
    size = strtoul(path + 7, NULL, 10);
    body = malloc(size + 1);
    for (size_t i = 0; i < size; ++i)
      body[i] = (char)('a' + i % 26);
  } else {
    body = strdup(!strcmp(path, "/quit") ? "bye\n" : "hello from the unikernel\n");
    size = strlen(body);
    c->quit_after = !strcmp(path, "/quit");
  }
  free(c->body);
  c->body = body;
  c->body_length = size;
  c->header_length = (size_t)snprintf(c->header, sizeof c->header,
                                      "HTTP/1.1 200 OK\r\nContent-Length: %zu\r\n"
                                      "Content-Type: text/plain\r\n\r\n",
                                      size);
}

/// Reads everything available; answers each complete request. -1: drop the client.
static int serve(struct client *c) {
  for (;;) {
    if (c->header_length || c->body_length) {
      int sent = flush(c);
      if (sent <= 0)
        return sent;
      if (c->quit_after)
        quitting = 1;
    }
    char *end = memmem(c->request, c->length, "\r\n\r\n", 4);
    if (end) {
      char method[8], path[256];
      if (sscanf(c->request, "%7s %255s", method, path) != 2)
        return -1;
      answer(c, path);
      size_t used = (size_t)(end + 4 - c->request);
      memmove(c->request, c->request + used, c->length - used);
      c->length -= used;
      continue;
    }
    if (c->length == RequestSize)
      return -1;
    ssize_t n = read(c->fd, c->request + c->length, RequestSize - c->length);
    if (n == 0)
      return -1;
    if (n < 0)
      return errno == EAGAIN ? 0 : -1;
    c->length += (size_t)n;
  }
}

int main(int argc, char **argv) {
  int port = argc > 1 ? atoi(argv[1]) : 80;
  for (int i = 0; i < MaxClients; ++i)
    clients[i].fd = -1;
  int listener = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
  int on = 1;
  setsockopt(listener, SOL_SOCKET, SO_REUSEADDR, &on, sizeof on);
  struct sockaddr_in address = {.sin_family = AF_INET, .sin_port = htons((uint16_t)port)};
  if (bind(listener, (struct sockaddr *)&address, sizeof address) || listen(listener, 511)) {
    perror("bind/listen");
    return 1;
  }
  int epoll = epoll_create1(EPOLL_CLOEXEC);
  struct epoll_event e = {.events = EPOLLIN, .data.fd = listener};
  epoll_ctl(epoll, EPOLL_CTL_ADD, listener, &e);
  printf("listening on %d\n", port);
  fflush(stdout);
  int served = 0;
  while (!quitting) {
    struct epoll_event events[16];
    int n = epoll_wait(epoll, events, 16, -1);
    for (int i = 0; i < n; ++i) {
      if (events[i].data.fd == listener) {
        int fd;
        while ((fd = accept4(listener, NULL, NULL, SOCK_NONBLOCK | SOCK_CLOEXEC)) >= 0) {
          struct client *c = client_of(-1);
          if (!c) {
            close(fd);
            continue;
          }
          c->fd = fd;
          setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &on, sizeof on);
          struct epoll_event ce = {.events = EPOLLIN | EPOLLOUT | EPOLLRDHUP | EPOLLET,
                                   .data.fd = fd};
          epoll_ctl(epoll, EPOLL_CTL_ADD, fd, &ce);
          ++served;
        }
        continue;
      }
      struct client *c = client_of(events[i].data.fd);
      if (c && serve(c) < 0)
        drop(epoll, c);
    }
  }
  printf("served %d connections\n", served);
  return 0;
}
