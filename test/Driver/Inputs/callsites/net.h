// The program's own header: an inline function and a template that call socket.
#include <sys/socket.h>
inline int open_stream() { return socket(AF_INET, SOCK_STREAM, 0); }
template <class T> T open_as(int type) { return T(socket(AF_INET, type, 0)); }
