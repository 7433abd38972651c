// tmp-files.c DIR: what programs do with temporary files, in DIR (/tmp in an image, a
// fresh folder natively): mkstemp, unlink while open, O_TMPFILE, rename over, sparse
// files, O_APPEND, folders, symlinks, sync calls, ownership, times and modes.
#define _GNU_SOURCE
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/file.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

static char path[4096], cwd_buf[4096];
static const char *at(const char *dir, const char *name) {
  snprintf(path, sizeof path, "%s/%s", dir, name);
  return path;
}

#define SHOW(what, call) printf("%-34s %s\n", what, (call) >= 0 ? "ok" : strerror(errno))

static int compare(const void *a, const void *b) {
  return strcmp(*(char *const *)a, *(char *const *)b);
}

static void list(const char *dir) {
  DIR *d = opendir(dir);
  char *names[64];
  int n = 0;
  for (struct dirent *e; (e = readdir(d)) && n < 64;)
    names[n++] = strdup(e->d_name);
  closedir(d);
  qsort(names, n, sizeof names[0], compare);
  printf("entries:");
  for (int i = 0; i < n; ++i)
    printf(" %s", names[i]);
  printf("\n");
}

int main(int argc, char **argv) {
  const char *dir = argc > 1 ? argv[1] : "/tmp";
  char buf[64];

  // mkstemp, then unlink while open: the data stays until the close.
  char templ[4096];
  snprintf(templ, sizeof templ, "%s/scratchXXXXXX", dir);
  int fd = mkstemp(templ);
  SHOW("mkstemp", fd);
  SHOW("write", write(fd, "hello, temporary world", 22));
  SHOW("unlink while open", unlink(templ));
  SHOW("stat after unlink", stat(templ, &(struct stat){0}));
  memset(buf, 0, sizeof buf);
  printf("read back: %zd '%s'\n", pread(fd, buf, sizeof buf, 7), buf);
  close(fd);

  // O_TMPFILE: a file that never had a name.
  fd = open(dir, O_TMPFILE | O_RDWR, 0600);
  SHOW("O_TMPFILE", fd);
  SHOW("O_TMPFILE write", write(fd, "abc", 3));
  struct stat st;
  fstat(fd, &st);
  printf("O_TMPFILE: %lld bytes, %lu links\n", (long long)st.st_size,
         (unsigned long)st.st_nlink);
  close(fd);
  SHOW("O_TMPFILE read-only", open(dir, O_TMPFILE | O_RDONLY, 0600));

  // Rename over an existing file, as editors and databases save.
  fd = open(at(dir, "config"), O_CREAT | O_WRONLY | O_TRUNC, 0644);
  write(fd, "old", 3);
  close(fd);
  fd = open(at(dir, "config.new"), O_CREAT | O_EXCL | O_WRONLY, 0644);
  write(fd, "new contents", 12);
  SHOW("fsync", fsync(fd));
  SHOW("fdatasync", fdatasync(fd));
  close(fd);
  char from[4096];
  snprintf(from, sizeof from, "%s/config.new", dir);
  SHOW("rename over", rename(from, at(dir, "config")));
  fd = open(at(dir, "config"), O_RDONLY);
  memset(buf, 0, sizeof buf);
  printf("config: '%.*s'\n", (int)read(fd, buf, sizeof buf), buf);
  close(fd);
  SHOW("create exclusive existing", open(at(dir, "config"), O_CREAT | O_EXCL | O_RDWR, 0644));

  // Sparse files: a hole reads as zeros and takes no space.
  fd = open(at(dir, "sparse"), O_CREAT | O_RDWR, 0644);
  SHOW("ftruncate 10 MiB", ftruncate(fd, 10 << 20));
  SHOW("pwrite at 5 MiB", pwrite(fd, "X", 1, 5 << 20));
  fstat(fd, &st);
  printf("sparse: %lld bytes, %s\n", (long long)st.st_size,
         st.st_blocks * 512 < (1 << 20) ? "mostly holes" : "allocated");
  unsigned char c = 1;
  pread(fd, &c, 1, 3 << 20);
  printf("hole reads %d, data reads %c\n", c, (pread(fd, buf, 1, 5 << 20), buf[0]));
  SHOW("ftruncate shorter", ftruncate(fd, 100));
  fstat(fd, &st);
  printf("after shrinking: %lld bytes\n", (long long)st.st_size);
  SHOW("fallocate", fallocate(fd, 0, 0, 8192));
  fstat(fd, &st);
  printf("after fallocate: %lld bytes\n", (long long)st.st_size);
  close(fd);
  SHOW("truncate by path", truncate(at(dir, "sparse"), 10));

  // O_APPEND writes at the end whatever the offset.
  fd = open(at(dir, "log"), O_CREAT | O_WRONLY | O_APPEND, 0644);
  write(fd, "one\n", 4);
  lseek(fd, 0, SEEK_SET);
  write(fd, "two\n", 4);
  close(fd);
  fd = open(at(dir, "log"), O_RDONLY);
  memset(buf, 0, sizeof buf);
  read(fd, buf, sizeof buf);
  printf("log: %s", buf);
  close(fd);

  // Mappings: a shared one and the file see each other's writes; a private one is a
  // copy; a shared writable one needs the file open for reading and writing.
  fd = open(at(dir, "config"), O_RDWR);
  char *shared = mmap(NULL, 8192, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
  char *private = mmap(NULL, 4096, PROT_READ | PROT_WRITE, MAP_PRIVATE, fd, 0);
  printf("shared mapping: %.12s, private: %.12s\n", shared == MAP_FAILED ? "failed" : shared,
         private == MAP_FAILED ? "failed" : private);
  memcpy(shared, "NEW", 3);
  memset(buf, 0, sizeof buf);
  pread(fd, buf, 12, 0);
  printf("read after a store: %s\n", buf);
  pwrite(fd, "w", 1, 4);
  // (What a private mapping shows of later changes to the file is unspecified.)
  printf("mapping after a write: %.12s\n", shared);
  private[0] = 'p';
  pread(fd, buf, 1, 0);
  printf("private store reaches the file: %s\n", buf[0] == 'p' ? "yes" : "no");
  munmap(shared, 8192);
  munmap(private, 4096);
  close(fd);
  fd = open(at(dir, "config"), O_RDONLY);
  printf("shared writable on a read-only descriptor: %s\n",
         mmap(NULL, 4096, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0) == MAP_FAILED
             ? strerror(errno)
             : "mapped");
  close(fd);

  // A shared mapping's pages go with the file when both are gone (SQLite's -shm file,
  // made and dropped again and again), and stay the file's across a truncation.
  int cycles = 0;
  for (int i = 0; i < 2000; ++i) {
    fd = open(at(dir, "shm"), O_CREAT | O_RDWR, 0644);
    if (fd < 0 || ftruncate(fd, 32768))
      break;
    char *m = mmap(NULL, 32768, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
    if (m == MAP_FAILED)
      break;
    m[40000 % 32768] = 1;
    munmap(m, 32768);
    close(fd);
    unlink(at(dir, "shm"));
    ++cycles;
  }
  printf("map, unmap, close, unlink: %d times\n", cycles);
  fd = open(at(dir, "shm"), O_CREAT | O_RDWR, 0644);
  ftruncate(fd, 4096);
  char *m = mmap(NULL, 4096, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
  m[0] = 'A';
  ftruncate(fd, 0);
  ftruncate(fd, 4096);
  char back = 1;
  pread(fd, &back, 1, 0);
  printf("after shrinking and growing: mapping %d, file %d\n", m[0], back);
  m[0] = 'B';
  pread(fd, &back, 1, 0);
  printf("a store reaches the file again: %s\n", back == 'B' ? "yes" : "no");
  munmap(m, 4096);
  close(fd);
  unlink(at(dir, "shm"));

  // Removed folders go (test/FS/workdir.test makes more than /tmp holds), and one
  // removed while it is the working directory has no path and takes no new entries.
  int folders = 0;
  for (int i = 0; i < 300 && mkdir(at(dir, "again"), 0755) == 0; ++i)
    folders += rmdir(at(dir, "again")) == 0;
  printf("mkdir, rmdir: %d times\n", folders);
  char here[4096];
  getcwd(here, sizeof here);
  mkdir(at(dir, "gone"), 0755);
  chdir(at(dir, "gone"));
  SHOW("rmdir the working directory", rmdir(at(dir, "gone")));
  SHOW("getcwd in a removed folder", getcwd(cwd_buf, sizeof cwd_buf) ? 0 : -1);
  SHOW("create in a removed folder", open("x", O_CREAT | O_WRONLY, 0644));
  chdir(here);

  // Locks: flock belongs to an open description, so two opens conflict; fcntl's record
  // locks belong to the process, so its own never stand in its way (F_GETLK).
  int first = open(at(dir, "config"), O_RDWR), second = open(at(dir, "config"), O_RDWR);
  SHOW("flock exclusive", flock(first, LOCK_EX));
  SHOW("flock it again, second open", flock(second, LOCK_EX | LOCK_NB));
  SHOW("flock shared, second open", flock(second, LOCK_SH | LOCK_NB));
  SHOW("flock through a dup", flock(dup(first), LOCK_EX | LOCK_NB));
  SHOW("unlock", flock(first, LOCK_UN));
  SHOW("flock shared, second open", flock(second, LOCK_SH | LOCK_NB));
  SHOW("flock shared, first open", flock(first, LOCK_SH | LOCK_NB));
  struct flock record = {
      .l_type = F_WRLCK, .l_whence = SEEK_SET, .l_start = 1 << 30, .l_len = 1};
  SHOW("F_SETLK write lock", fcntl(first, F_SETLK, &record));
  record.l_type = F_WRLCK;
  SHOW("F_GETLK from another open", fcntl(second, F_GETLK, &record));
  printf("F_GETLK finds: %s\n", record.l_type == F_UNLCK ? "nothing in the way" : "a lock");
  int reader = open(at(dir, "config"), O_RDONLY);
  record.l_type = F_WRLCK;
  SHOW("F_SETLK write lock, read-only", fcntl(reader, F_SETLK, &record));
  close(reader);
  close(first);
  close(second);

  // Folders and symlinks.
  SHOW("mkdir", mkdir(at(dir, "sub"), 0755));
  SHOW("mkdir again", mkdir(at(dir, "sub"), 0755));
  SHOW("file in sub", open(at(dir, "sub/inner"), O_CREAT | O_WRONLY, 0600));
  SHOW("rmdir non-empty", rmdir(at(dir, "sub")));
  SHOW("unlink a folder", unlink(at(dir, "sub")));
  snprintf(from, sizeof from, "%s/sub", dir);
  SHOW("rename folder into itself", rename(from, at(dir, "sub/deeper")));
  char link_path[4096];
  snprintf(link_path, sizeof link_path, "%s/link", dir);
  SHOW("symlink", symlink("sub/inner", link_path));
  memset(buf, 0, sizeof buf);
  printf("readlink: %.*s\n", (int)readlink(link_path, buf, sizeof buf), buf);
  SHOW("stat through link", stat(link_path, &st));
  SHOW("unlink inner", unlink(at(dir, "sub/inner")));
  SHOW("rmdir", rmdir(at(dir, "sub")));
  SHOW("stat dangling link", stat(link_path, &st));
  list(dir);

  // Removing entries while listing a folder skips none (rm -rf); /tmp is writable to
  // access(); an empty write writes nothing; a regular file has no place in epoll.
  mkdir(at(dir, "many"), 0755);
  for (int i = 0; i < 300; ++i) {
    char n[64];
    snprintf(n, sizeof n, "many/f%03d", i);
    close(open(at(dir, n), O_CREAT | O_WRONLY, 0644));
  }
  char many[4096];
  snprintf(many, sizeof many, "%s/many", dir);
  DIR *listing = opendir(many);
  int removed = 0;
  for (struct dirent *e; (e = readdir(listing));)
    if (e->d_name[0] != '.')
      removed += unlinkat(dirfd(listing), e->d_name, 0) == 0;
  closedir(listing);
  printf("removed while listing: %d\n", removed);
  SHOW("rmdir the emptied folder", rmdir(many));
  SHOW("access W_OK", access(dir, W_OK));
  fd = open(at(dir, "log"), O_WRONLY);
  printf("empty write: %zd\n", write(fd, "", 0));
  int ep = epoll_create1(0);
  struct epoll_event ev = {.events = EPOLLIN};
  SHOW("epoll a regular file", epoll_ctl(ep, EPOLL_CTL_ADD, fd, &ev));
  close(ep);
  close(fd);
  SHOW("open a folder O_CREAT", open(dir, O_RDONLY | O_CREAT, 0644));
  struct timespec bad[2] = {{0, 2000000000}, {0, UTIME_OMIT}};
  SHOW("utimensat bad atime", utimensat(AT_FDCWD, at(dir, "log"), bad, 0));

  // /proc/self/fd/N opens the file anew: an offset of its own.
  fd = open(at(dir, "config"), O_RDONLY);
  lseek(fd, 3, SEEK_SET);
  char again[64];
  snprintf(again, sizeof again, "/proc/self/fd/%d", fd);
  int reopened = open(again, O_RDONLY);
  char c1 = 0;
  read(reopened, &c1, 1);
  printf("reopened reads from the start: %s\n", c1 == 'N' ? "yes" : "no");
  close(reopened);
  close(fd);

  // Owners, modes, times, and syncing a folder opened read-only (SQLite does).
  fd = open(at(dir, "log"), O_RDWR);
  SHOW("fchown to root", fchown(fd, 0, 0));
  SHOW("fchmod 600", fchmod(fd, 0600));
  fstat(fd, &st);
  printf("mode: %o\n", st.st_mode & 07777);
  struct timespec times[2] = {{0, UTIME_OMIT}, {1000000000, 0}};
  SHOW("futimens", futimens(fd, times));
  fstat(fd, &st);
  printf("mtime: %lld\n", (long long)st.st_mtime);
  close(fd);
  int dfd = open(dir, O_RDONLY | O_DIRECTORY);
  SHOW("fsync folder", fsync(dfd));
  SHOW("openat in folder", openat(dfd, "log", O_RDONLY));
  SHOW("unlinkat in folder", unlinkat(dfd, "log", 0));
  close(dfd);
  return 0;
}
