// A template and an inline function that call socket but are never used: the object
// does not refer to socket, so nothing needs 'net'.
#include <sys/socket.h>
template <class T> int never(T) { return socket(AF_INET, SOCK_STREAM, 0); }
inline int unused() { return socket(AF_INET, SOCK_STREAM, 0); }
int main() { return 0; }
