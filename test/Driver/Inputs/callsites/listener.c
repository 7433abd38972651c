// A second source of the program with its own use of 'net'.
#include <sys/socket.h>
int start_listening(int fd) { return listen(fd, 16); }
