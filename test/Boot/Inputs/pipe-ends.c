// The ends of pipes: "sigpipe" writes with no reader left (SIGPIPE's default action
// ends the program), "deadlock" reads its own empty pipe (nothing can ever fill it).
#include <stdio.h>
#include <string.h>
#include <unistd.h>

int main(int argc, char **argv) {
  int p[2];
  if (argc < 2 || pipe(p))
    return 1;
  if (!strcmp(argv[1], "sigpipe")) {
    close(p[0]);
    write(p[1], "x", 1);
    puts("not reached");
  } else if (!strcmp(argv[1], "deadlock")) {
    char c;
    read(p[0], &c, 1);
    puts("not reached");
  }
  return 0;
}
