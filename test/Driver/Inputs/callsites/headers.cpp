// Calls reached through headers: the program's own (net.h) and a library's (netlib.h).
#include "net.h"
#include <netlib.h>

int main() {
  int a = open_stream();
  long b = open_as<long>(SOCK_DGRAM);
  int c = lib_connect(80);
  return a + b + c + lib_listen();
}
