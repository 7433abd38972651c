// walk-tree.cpp ROOT [--changes]: prints what a program sees of the tree at ROOT, with paths
// relative to it, so that a run inside an image (ROOT "/") and a native run in the
// packed folder print the same: std::filesystem's walk, stat, contents through read,
// pread, lseek and mmap, statx, symlinks, realpath, the working directory.
#include <algorithm>
#include <cerrno>
#include <climits>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <fcntl.h>
#include <filesystem>
#include <string>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>
#include <vector>

namespace fs = std::filesystem;

static unsigned long checksum(const std::string &path) {
  int fd = open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0)
    return 0;
  unsigned long sum = 0;
  char buf[65536];
  for (ssize_t n; (n = read(fd, buf, sizeof buf)) > 0;)
    for (ssize_t i = 0; i < n; ++i)
      sum = sum * 31 + (unsigned char)buf[i];
  close(fd);
  return sum;
}

static std::string relative(const std::string &path, const std::string &root) {
  std::string r = path.substr(root.size());
  return r.empty() ? "/" : r[0] == '/' ? r : "/" + r;
}

int main(int argc, char **argv) {
  std::string root = argc > 1 ? argv[1] : "/";
  if (root.size() > 1 && root.back() == '/')
    root.pop_back();
  std::vector<fs::directory_entry> entries;
  for (auto it = fs::recursive_directory_iterator(root);
       it != fs::recursive_directory_iterator(); ++it) {
    std::string name = it->path().filename();
    if (it.depth() == 0 && (name == "dev" || name == "proc" || name == "tmp")) {
      it.disable_recursion_pending(); // the kernel's own mounts, not the packed folder's
      continue;
    }
    entries.push_back(*it);
  }
  std::sort(entries.begin(), entries.end());
  for (const auto &e : entries) {
    std::string path = e.path().string(), rel = relative(path, root == "/" ? "" : root);
    struct stat st;
    lstat(path.c_str(), &st);
    if (S_ISLNK(st.st_mode)) {
      printf("link %s -> %s (%s)\n", rel.c_str(), fs::read_symlink(e.path()).c_str(),
             fs::exists(e.path()) ? "resolves" : "dangling");
    } else if (S_ISDIR(st.st_mode)) {
      printf("dir  %s %o\n", rel.c_str(), st.st_mode & 07777);
    } else {
      printf("file %s %o %lld bytes, sum %lx\n", rel.c_str(), st.st_mode & 07777,
             (long long)st.st_size, checksum(path));
    }
  }

  // Offsets: pread leaves the offset alone, lseek moves it, dup shares it.
  std::string big = root + (root == "/" ? "" : "/") + "big.bin";
  int fd = open(big.c_str(), O_RDONLY);
  unsigned char a[4], b[4];
  printf("pread at 1 MiB: %zd\n", pread(fd, a, 4, 1 << 20));
  printf("lseek end: %lld\n", (long long)lseek(fd, 0, SEEK_END));
  printf("lseek back: %lld\n", (long long)lseek(fd, 1 << 20, SEEK_SET));
  int copy = dup(fd);
  printf("read via dup: %zd, same bytes: %s\n", read(copy, b, 4),
         memcmp(a, b, 4) ? "no" : "yes");
  printf("offset shared: %lld\n", (long long)lseek(fd, 0, SEEK_CUR));
  printf("read past end: %zd\n", pread(fd, b, 4, 100 << 20));
  printf("write to it: %s\n", write(fd, "x", 1) < 0 ? strerror(errno) : "written");
  close(copy);
  close(fd);

  // Mappings: private and shared, at an offset, written privately; statx.
  fd = open(big.c_str(), O_RDONLY);
  struct stat big_st;
  fstat(fd, &big_st);
  auto *whole = (unsigned char *)mmap(nullptr, big_st.st_size, PROT_READ, MAP_PRIVATE, fd, 0);
  auto *shared = (unsigned char *)mmap(nullptr, 8192, PROT_READ, MAP_SHARED, fd, 1 << 20);
  auto *mine = (unsigned char *)mmap(nullptr, 4096, PROT_READ | PROT_WRITE, MAP_PRIVATE, fd, 0);
  unsigned long sum = 0;
  for (off_t i = 0; i < big_st.st_size; ++i)
    sum = sum * 31 + whole[i];
  printf("mmap sum %lx, at 1 MiB same as pread: %s\n", sum,
         memcmp(shared, a, 4) ? "no" : "yes");
  mine[0] ^= 0xff;
  printf("private write stays private: %s\n", mine[0] != whole[0] ? "yes" : "no");
  printf("shared writable mapping: %s\n",
         mmap(nullptr, 4096, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0) == MAP_FAILED
             ? strerror(errno)
             : "mapped");
  // A private read-only mapping made writable: its pages become the program's own
  // (the file and the other mappings keep theirs); a shared one cannot be.
  auto *later = (unsigned char *)mmap(nullptr, 8192, PROT_READ, MAP_PRIVATE, fd, 1 << 20);
  int made_writable = mprotect(later, 8192, PROT_READ | PROT_WRITE);
  if (!made_writable)
    later[4100] ^= 0xff;
  unsigned char again[8192];
  pread(fd, again, sizeof again, 1 << 20);
  printf("private mapping made writable: %s, file and shared mapping unchanged: %s, "
         "copy kept the data: %s\n",
         made_writable ? strerror(errno) : "ok",
         !memcmp(again, shared, 8192) && again[4100] != later[4100] ? "yes" : "no",
         !memcmp(later, again, 4100) && !memcmp(later + 4101, again + 4101, 8192 - 4101)
             ? "yes"
             : "no");
  printf("shared read-only mapping made writable: %s\n",
         mprotect(shared, 8192, PROT_READ | PROT_WRITE) ? strerror(errno) : "ok");
  printf("unaligned offset: %s\n",
         mmap(nullptr, 4096, PROT_READ, MAP_PRIVATE, fd, 100) == MAP_FAILED ? strerror(errno)
                                                                            : "mapped");
  close(fd);
  struct statx x;
  std::string conf = root + (root == "/" ? "" : "/") + "config";
  statx(AT_FDCWD, conf.c_str(), 0, STATX_BASIC_STATS, &x);
  printf("statx config: %llu bytes, mode %o\n", (unsigned long long)x.stx_size,
         x.stx_mode & 07777);
  statx(AT_FDCWD, conf.c_str(), AT_SYMLINK_NOFOLLOW, STATX_BASIC_STATS, &x);
  printf("statx config, no follow: %llu bytes, link: %s\n", (unsigned long long)x.stx_size,
         S_ISLNK(x.stx_mode) ? "yes" : "no");

  // Paths: symlinks, realpath, errors, the working directory.
  auto show = [&](const char *what, int result) {
    printf("%-24s %s\n", what, result == 0 ? "ok" : strerror(errno));
  };
  chdir(root.c_str());
  char resolved[PATH_MAX], cwd[PATH_MAX];
  if (realpath("données/etc-link/../config", resolved)) {
    char base[PATH_MAX];
    realpath(".", base);
    printf("realpath: %s\n", relative(resolved, strcmp(base, "/") ? base : "").c_str());
  }
  show("open missing", open("etc/missing", O_RDONLY) < 0 ? -1 : 0);
  show("open file as dir", open("etc/app.conf/x", O_RDONLY) < 0 ? -1 : 0);
  show("chdir nested", chdir("etc/nested"));
  show("chdir via link", chdir("../../données/etc-link/nested/deeper"));
  getcwd(cwd, sizeof cwd);
  char base[PATH_MAX];
  realpath(root.c_str(), base);
  printf("cwd: %s\n", relative(cwd, strcmp(base, "/") ? base : "").c_str());
  printf("leaf from cwd: %lx\n", checksum("leaf.txt"));

  // Changes: the packed tree is read-only (natively the folder would change).
  if (argc > 2 && !strcmp(argv[2], "--changes")) {
    chdir(root.c_str());
    show("create", open("new.txt", O_CREAT | O_WRONLY, 0644) < 0 ? -1 : 0);
    show("create exclusive", open("empty", O_CREAT | O_EXCL | O_WRONLY, 0644) < 0 ? -1 : 0);
    show("open for writing", open("empty", O_WRONLY) < 0 ? -1 : 0);
    show("mkdir", mkdir("etc/newdir", 0755));
    show("mkdir existing", mkdir("etc", 0755));
    show("unlink", unlink("empty"));
    show("rename", rename("empty", "full"));
    show("access for writing", access("empty", W_OK));
    show("access for reading", access("empty", R_OK));
  }
  return 0;
}
