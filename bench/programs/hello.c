// hello.c: the smallest useful C program (image size, boot time).
#include <stdio.h>
int main(void) {
  printf("hello\n");
  return 0;
}
