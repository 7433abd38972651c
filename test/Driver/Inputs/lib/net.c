#include <sys/socket.h>
int open_socket(void) { return socket(AF_INET, SOCK_STREAM, 0); }
