// volumes.c: volumes side by side at made-up mount points, a manifest's named volume,
// the working folder in one of them (volumes.test).
#define _GNU_SOURCE
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/vfs.h>
#include <unistd.h>

static void show(const char *path) {
  char line[64] = "";
  FILE *f = fopen(path, "r");
  if (!f || !fgets(line, sizeof line, f))
    snprintf(line, sizeof line, "%s\n", strerror(errno));
  printf("%s: %s", path, line);
  if (f)
    fclose(f);
}

static int by_name(const void *a, const void *b) {
  return strcmp(*(char *const *)a, *(char *const *)b);
}

static void list(const char *path) {
  DIR *d = opendir(path);
  char *names[64];
  int n = 0;
  for (struct dirent *e; d && (e = readdir(d)) && n < 64;)
    if (e->d_name[0] != '.')
      names[n++] = strdup(e->d_name);
  qsort(names, n, sizeof *names, by_name);
  printf("%s lists:", path);
  for (int i = 0; i < n; ++i)
    printf(" %s", names[i]);
  printf("\n");
  if (d)
    closedir(d);
}

int main(void) {
  char cwd[256];
  printf("cwd %s\n", getcwd(cwd, sizeof cwd) ? cwd : strerror(errno));
  show("./file");
  show("/var/lib/app/file");
  list("/");
  list("/mnt");
  struct stat up, deep;
  stat("/mnt/deep/one/..", &up);
  stat("/mnt/deep", &deep);
  printf("/mnt/deep/one/.. is %s\n",
         up.st_ino == deep.st_ino && up.st_dev == deep.st_dev ? "/mnt/deep" : "something else");
  printf("rename across volumes: %s\n",
         rename("/mnt/deep/one/sub/file", "/var/lib/app/moved") ? strerror(errno) : "ok");
  printf("link across volumes: %s\n",
         link("/mnt/deep/one/sub/file", "/var/lib/app/linked") ? strerror(errno) : "ok");
  struct stat hard;
  if (link("/mnt/deep/one/sub/file", "/mnt/deep/one/hard") || stat("/mnt/deep/one/hard", &hard))
    printf("link: %s\n", strerror(errno));
  else
    printf("link: %ld names\n", (long)hard.st_nlink);
  int in = open("/mnt/deep/one/sub/file", O_RDONLY);
  int out = open("/var/lib/app/copy", O_WRONLY | O_CREAT | O_TRUNC, 0644);
  loff_t from = 1;
  printf("copy_file_range across volumes: %zd bytes\n",
         copy_file_range(in, &from, out, NULL, 100, 0));
  close(in);
  close(out);
  show("/var/lib/app/copy");
  struct stat a, b, c;
  stat("/mnt/deep/one", &a);
  stat("/mnt/deep/one/sub/file", &b);
  stat("/var/lib/app", &c);
  printf("same device: %s, other volume: %s\n", a.st_dev == b.st_dev ? "yes" : "no",
         a.st_dev == c.st_dev ? "yes" : "no");
  struct statfs fs;
  printf("statfs: %s\n", statfs(".", &fs)          ? strerror(errno)
                         : fs.f_type == 0x01021997 ? "9p"
                                                   : "another type");
  return 0;
}
