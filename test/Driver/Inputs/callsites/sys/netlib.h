// A library header, included as a system header: its calls are the library's, so
// errors name the program's line that uses them.
#include <sys/socket.h>
template <class T> int lib_connect(T port) {
  return connect(socket(AF_INET, SOCK_STREAM, 0), nullptr, 0) + port;
}
inline int lib_listen() { return listen(0, 5); }
