// Does not compile: --print-features must fail, not report a partial answer.
#include <sys/socket.h>
int main(void) { return socket(AF_INET, SOCK_STREAM, 0) + undeclared; }
