// paths.c DIR: how paths resolve, in DIR (/tmp in an image, a fresh folder natively):
// "." and "..", trailing slashes, symlink loops and chains, O_NOFOLLOW, long names,
// the *at calls from a folder descriptor, /proc/self/fd and /dev/fd, and getdents64
// with a buffer that holds one entry at a time.
#define _GNU_SOURCE
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

static char path[8192];
static const char *at(const char *dir, const char *name) {
  snprintf(path, sizeof path, "%s/%s", dir, name);
  return path;
}

static void show(const char *what, long result) {
  printf("%-36s %s\n", what, result >= 0 ? "ok" : strerror(errno));
}

int main(int argc, char **argv) {
  const char *dir = argc > 1 ? argv[1] : "/tmp";
  struct stat st;
  mkdir(at(dir, "a"), 0755);
  mkdir(at(dir, "a/b"), 0755);
  close(open(at(dir, "a/b/file"), O_CREAT | O_WRONLY, 0644));
  symlink("loop2", at(dir, "loop1"));
  symlink("loop1", at(dir, "loop2"));
  symlink("a/b", at(dir, "to-b"));
  symlink("to-b/file", at(dir, "chain"));
  symlink("/", at(dir, "to-root"));

  show("stat a/./b/../b/file", stat(at(dir, "a/./b/../b/file"), &st));
  show("stat a/b/file/ (trailing slash)", stat(at(dir, "a/b/file/"), &st));
  show("stat a/b/ (trailing slash)", stat(at(dir, "a/b/"), &st));
  show("stat a//b///file", stat(at(dir, "a//b///file"), &st));
  show("stat loop1", stat(at(dir, "loop1"), &st));
  show("lstat loop1", lstat(at(dir, "loop1"), &st));
  show("stat chain", stat(at(dir, "chain"), &st));
  show("open chain O_NOFOLLOW", open(at(dir, "chain"), O_RDONLY | O_NOFOLLOW));
  show("open to-b/ O_NOFOLLOW", open(at(dir, "to-b/"), O_RDONLY | O_NOFOLLOW));
  show("open a/b/file O_DIRECTORY", open(at(dir, "a/b/file"), O_RDONLY | O_DIRECTORY));
  show("open a/b for writing", open(at(dir, "a/b"), O_WRONLY));
  show("stat to-root/dev/null", stat(at(dir, "to-root/dev/null"), &st));
  show("stat /../../dev/null", stat("/../../dev/null", &st));
  char name[300];
  memset(name, 'n', 256);
  name[256] = 0;
  show("stat a 256-byte name", stat(at(dir, name), &st));
  show("create a 256-byte name", open(at(dir, name), O_CREAT | O_WRONLY, 0644));
  name[255] = 0;
  show("create a 255-byte name", open(at(dir, name), O_CREAT | O_WRONLY, 0644));
  show("unlink it", unlink(at(dir, name)));
  show("mkdir a/b/file/x", mkdir(at(dir, "a/b/file/x"), 0755));
  show("mkdir missing/x", mkdir(at(dir, "missing/x"), 0755));
  show("rmdir a/.", rmdir(at(dir, "a/.")));
  show("rename to a missing folder", rename(at(dir, "a/b/file"), "/nonexistent/dir/file"));

  // The *at calls from a folder descriptor, and the descriptor's own paths.
  int dfd = open(at(dir, "a"), O_RDONLY | O_DIRECTORY);
  show("openat b/file", openat(dfd, "b/file", O_RDONLY));
  show("fstatat b AT_SYMLINK_NOFOLLOW", fstatat(dfd, "b", &st, AT_SYMLINK_NOFOLLOW));
  show("fstatat \"\" AT_EMPTY_PATH", fstatat(dfd, "", &st, AT_EMPTY_PATH));
  printf("  is a folder: %s\n", S_ISDIR(st.st_mode) ? "yes" : "no");
  int file = openat(dfd, "b/file", O_RDONLY);
  show("openat with a file as folder", openat(file, "x", O_RDONLY));
  char fdpath[64];
  snprintf(fdpath, sizeof fdpath, "/proc/self/fd/%d", file);
  show("stat /proc/self/fd/N", stat(fdpath, &st));
  printf("  is a regular file: %s\n", S_ISREG(st.st_mode) ? "yes" : "no");
  snprintf(fdpath, sizeof fdpath, "/dev/fd/%d", file);
  show("open /dev/fd/N", open(fdpath, O_RDONLY));
  show("stat /dev/fd/999", stat("/dev/fd/999", &st));
  char target[4096] = "", base_dir[4096];
  realpath(dir, base_dir);
  ssize_t n = readlink(fdpath, target, sizeof target - 1);
  printf("  readlink of the descriptor: %s\n",
         n > 0 && !strcmp(target + strlen(base_dir), "/a/b/file") ? "its path" : target);
  int ends[2];
  pipe(ends);
  snprintf(fdpath, sizeof fdpath, "/proc/self/fd/%d", ends[0]);
  memset(target, 0, sizeof target);
  readlink(fdpath, target, sizeof target - 1);
  printf("  readlink of a pipe: %.6s\n", target);
  show("fchdir to the folder", fchdir(dfd));
  char cwd[4096], base[4096];
  getcwd(cwd, sizeof cwd);
  realpath(dir, base);
  printf("  cwd ends in /a: %s\n", strcmp(cwd + strlen(base), "/a") ? "no" : "yes");
  show("stat b/file from there", stat("b/file", &st));
  show("fchdir to a file", fchdir(file));

  // getdents64 with room for about one entry at a time.
  for (int i = 0; i < 20; ++i) {
    char n[32];
    snprintf(n, sizeof n, "a/b/f%02d", i);
    close(open(at(dir, n), O_CREAT | O_WRONLY, 0644));
  }
  int bfd = open(at(dir, "a/b"), O_RDONLY | O_DIRECTORY);
  char buf[40];
  int entries = 0, calls = 0;
  for (long n; (n = syscall(SYS_getdents64, bfd, buf, sizeof buf)) > 0; ++calls)
    for (long off = 0; off < n; off += ((struct dirent64 *)(buf + off))->d_reclen)
      ++entries;
  printf("getdents64 in 40 bytes: %d entries\n", entries);
  char tiny[8];
  lseek(bfd, 0, SEEK_SET);
  show("getdents64 in 8 bytes", syscall(SYS_getdents64, bfd, tiny, sizeof tiny));
  show("read a folder", read(bfd, buf, sizeof buf));
  return 0;
}
