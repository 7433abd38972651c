// escapes.c: tries to reach files outside a volume (argv[1], its mount point) through
// "..", symlinks pointing out or swapped while in use, /proc/self/fd, a FIFO, and
// O_CREAT through a dangling symlink (volume-escapes.test).
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

static const char *root;

static const char *at(const char *name) {
  static char paths[8][512];
  static int next;
  char *p = paths[next++ % 8];
  snprintf(p, 512, "%s/%s", root, name);
  return p;
}

/// Opens Path and prints what it reads, or why it cannot.
static void try_read(const char *what, const char *path, int flags) {
  int fd = open(path, O_RDONLY | flags);
  char buf[64] = "";
  if (fd < 0) {
    printf("%-28s %s\n", what, strerror(errno));
    return;
  }
  ssize_t n = read(fd, buf, sizeof buf - 1);
  buf[n > 0 ? n : 0] = 0;
  buf[strcspn(buf, "\n")] = 0;
  printf("%-28s read '%s'\n", what, buf);
  close(fd);
}

int main(int argc, char **argv) {
  root = argv[1];
  char path[600];
  snprintf(path, sizeof path, "%s/../../../../outside/secret", root);
  try_read("dot-dot", path, 0);
  struct stat up, top;
  snprintf(path, sizeof path, "%s/..", root);
  stat(path, &up);
  stat("/", &top);
  printf("%-28s %s\n", "the volume's ..", up.st_ino == top.st_ino ? "is the guest's /" : "?");
  char target[256] = "";
  readlink(at("up"), target, sizeof target - 1);
  printf("%-28s -> %s\n", "relative link out", target);
  try_read("relative link out, opened", at("up"), 0);
  try_read("absolute host path link", at("host-path"), 0);
  try_read("link to the guest's /etc", at("etc"), 0);

  // A symlink swapped, while in use, for one pointing out.
  try_read("swap before", at("swap"), 0);
  symlink("../outside/secret", at("swap.new"));
  rename(at("swap.new"), at("swap"));
  try_read("swap after", at("swap"), 0);
  int dir = open(at("dirlink"), O_RDONLY | O_DIRECTORY);
  unlink(at("dirlink"));
  symlink("../outside", at("dirlink"));
  int fd = openat(dir, "secret", O_RDONLY);
  printf("%-28s %s\n", "folder opened before swap",
         fd < 0 ? strerror(errno) : "opened the folder's own 'secret'");
  try_read("folder after swap", at("dirlink/secret"), 0);

  // /proc/self/fd/N is the open folder itself, in the guest's tree.
  snprintf(path, sizeof path, "/proc/self/fd/%d/../../outside/secret", dir);
  try_read("/proc/self/fd/N/..", path, 0);
  snprintf(path, sizeof path, "/proc/self/fd/%d", dir);
  readlink(path, target, sizeof target - 1);
  printf("%-28s %s\n", "/proc/self/fd/N names",
         strncmp(target, root, strlen(root)) ? "?" : "the folder in the volume");

  // A FIFO in the volume is the host's: opening it fails at once, never blocks.
  try_read("fifo", at("fifo"), 0);
  try_read("fifo, non-blocking", at("fifo"), O_NONBLOCK);

  // O_CREAT through dangling symlinks: the file made is the one named, in the guest.
  fd = open(at("dangling-in"), O_WRONLY | O_CREAT, 0644);
  printf("%-28s %s\n", "O_CREAT, link inside", fd < 0 ? strerror(errno) : "made");
  if (fd >= 0)
    close(fd);
  try_read("what it made", at("made-through-link"), 0);
  fd = open(at("dangling-out"), O_WRONLY | O_CREAT, 0644);
  printf("%-28s %s\n", "O_CREAT, link out", fd < 0 ? strerror(errno) : "made");
  fd = open(at("dangling-in"), O_WRONLY | O_CREAT | O_EXCL, 0644);
  printf("%-28s %s\n", "O_CREAT|O_EXCL on a link", fd < 0 ? strerror(errno) : "made");
  return 0;
}
