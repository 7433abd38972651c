#include <stdio.h>
#define GREETING "hello"
int main(void) { puts(GREETING); return 0; }
