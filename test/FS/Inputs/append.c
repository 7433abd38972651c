// append.c: appends numbered records to a file, each made durable with fdatasync (unless
// --no-sync, the crash tests' negative control) before "ack N" is printed: every
// acknowledged record must survive a crash (crash-safety.test).
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

int main(int argc, char **argv) {
  if (argc < 3)
    return 2;
  int count = atoi(argv[2]);
  int sync = !(argc > 3 && !strcmp(argv[3], "--no-sync"));
  int fd = open(argv[1], O_WRONLY | O_CREAT | O_APPEND, 0644);
  if (fd < 0)
    return perror("open"), 1;
  for (int i = 1; i <= count; ++i) {
    char record[32];
    int len = snprintf(record, sizeof record, "record %06d\n", i);
    if (write(fd, record, len) != len)
      return perror("write"), 1;
    if (sync && fdatasync(fd))
      return perror("fdatasync"), 1;
    char ack[32];
    len = snprintf(ack, sizeof ack, "ack %d\n", i);
    write(1, ack, len); // unbuffered: printed only once the record is durable
  }
  return 0;
}
