// Several direct calls that need 'net', in a function and in main.
#include <netdb.h>
#include <sys/socket.h>

int open_tcp(void) {
  int s = socket(AF_INET, SOCK_STREAM, 0);
  return s;
}

int main(void) {
  struct addrinfo *ai;
  if (getaddrinfo("example.com", "80", 0, &ai))
    return 1;
  return open_tcp() < 0 || connect(0, 0, 0);
}
