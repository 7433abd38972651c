#include <stdio.h>
#include <string.h>
_Thread_local int counter = 41;
int main(void) { counter++; printf("counter %d, %s\n", counter, strchr("abc", 'b')); return 0; }
