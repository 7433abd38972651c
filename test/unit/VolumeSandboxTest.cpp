// VolumeSandboxTest: the volume servers under the monitor's seccomp allow-list and
// Landlock (in child processes): a whole session passes the filter, what is outside the
// volumes stays closed, and fsync and fdatasync reach the host's own calls.
#include "NinePClient.h"
#include "Sandbox.h"
#include "VolumeSet.h"

#include <linux/openat2.h>
#include <seccomp.h>
#include <sys/socket.h>
#include <sys/syscall.h>

using namespace ukcxx;
using namespace ukcxx::test9p;

namespace {

class VolumeSandboxTest : public VolumeFixture {};

/// In a confined child: fails it, saying which step went wrong.
#define STEP(...)                                                                              \
  do {                                                                                         \
    if (!(__VA_ARGS__)) {                                                                      \
      fprintf(stderr, "step failed: %s\n", #__VA_ARGS__);                                      \
      _exit(1);                                                                                \
    }                                                                                          \
  } while (0)

/// openat2 as the servers call it but from the root of the host: what Landlock decides.
int openOnHost(const std::string &Path, int Flags) {
  open_how How = {};
  How.flags = uint64_t(Flags) | O_CLOEXEC;
  long Fd = syscall(SYS_openat2, AT_FDCWD, Path.c_str(), &How, sizeof How);
  if (Fd >= 0)
    close(int(Fd));
  return Fd >= 0 ? 0 : errno;
}

TEST_F(VolumeSandboxTest, AWholeSessionPassesTheFilter) {
  auto Session = [&] {
    VolumeSet Volumes({{Vol, "/data", false}, {Vol + "/d", "/ro", true}});
    std::string Note = confineToRunLoop(-1, &Volumes);
    fprintf(stderr, "%s\n", Note.c_str());
    Client C(Volumes.server(0));
    STEP(C.version(65536) == 0 && C.attach(0) == 0);
    STEP(C.reach(1, {"f"}) == 0 && C.lopen(1, O_RDWR) == 0);
    std::string Data, Target;
    STEP(C.read(1, 0, 100, Data) == 0 && Data == "hello");
    STEP(C.write(1, 5, " world") == 0);
    STEP(C.fsync(1, true) == 0 && C.fsync(1, false) == 0 && C.fsync(0, true) == 0);
    STEP(C.walk(0, 2, {}) == 0 && C.lcreate(2, "new", O_RDWR, 0600) == 0);
    STEP(C.write(2, 0, "x") == 0);
    STEP(C.walk(0, 3, {}) == 0 && C.lopen(3, O_RDONLY) == 0);
    STEP(C.call(Message(p9::Treaddir).u32(3).u64(0).u32(4096)).error() == 0);
    STEP(C.call(Message(p9::Tgetattr).u32(1).u64(0x3fff)).error() == 0);
    STEP(C.setattr(1, p9::SetMode, 0600) == 0);
    STEP(C.reach(4, {"d"}) == 0 && C.setattr(4, p9::SetMode, 0700) == 0);
    STEP(C.reach(5, {"d", "g"}) == 0 && C.setattr(5, p9::SetSize, 0, 2) == 0);
    STEP(C.setattr(5, p9::SetAtime | p9::SetMtime | p9::SetMtimeSet, 0, 0, 0, 0, 5, 0) == 0);
    STEP(C.status(Message(p9::Tstatfs).u32(0)) == 0);
    STEP(C.mkdir(0, "dir") == 0 && C.symlink(0, "link", "/etc/passwd") == 0);
    STEP(C.reach(6, {"link"}) == 0 && C.readlink(6, Target) == 0);
    STEP(C.link(4, 1, "hard") == 0 && C.renameat(4, "hard", 0, "moved") == 0);
    STEP(C.rename(2, 4, "new2") == 0 && C.lopen(5, O_RDONLY) == 0);
    STEP(C.unlinkat(0, "moved") == 0 && C.unlinkat(0, "dir", p9::UnlinkDirectory) == 0);
    STEP(C.remove(6) == 0 && C.clunk(1) == 0 && C.status(Message(p9::Tflush).u16(1)) == 0);
    // The read-only volume: reading passes the filter too.
    Client R(Volumes.server(1));
    STEP(R.version() == 0 && R.attach(0) == 0 && R.reach(1, {"g"}) == 0);
    STEP(R.lopen(1, O_RDONLY) == 0 && R.read(1, 0, 10, Data) == 0 && Data == "in");
    STEP(R.lopen(1, O_RDONLY) == EINVAL && R.walk(0, 2, {}) == 0);
    STEP(R.lcreate(2, "x", O_RDWR, 0600) == EROFS);
    // Landlock, where the kernel has it: inside the volumes as the rules say,
    // nothing outside them.
    if (Note.find("Landlock (ABI") == 0) {
      STEP(openOnHost(Vol + "/f", O_RDWR) == 0);
      STEP(openOnHost(Vol + "/d/g", O_RDONLY) == 0);
      STEP(openOnHost(Outside + "/secret", O_RDONLY) == EACCES);
      STEP(openOnHost("/etc/passwd", O_RDONLY) == EACCES);
    }
    fprintf(stderr, "session passed\n");
    _exit(0);
  };
  EXPECT_EXIT(Session(), ::testing::ExitedWithCode(0), "session passed");
}

TEST_F(VolumeSandboxTest, LandlockKeepsReadOnlyVolumesReadOnly) {
  auto Confined = [&] {
    VolumeSet Volumes({{Vol, "/ro", true}});
    std::string Note = confineToRunLoop(-1, &Volumes);
    if (Note.find("Landlock (ABI") != 0) {
      fprintf(stderr, "no Landlock here: %s\n", Note.c_str());
      _exit(0);
    }
    STEP(openOnHost(Vol + "/f", O_RDONLY) == 0);
    STEP(openOnHost(Vol + "/f", O_WRONLY) == EACCES);
    STEP(openOnHost(Vol + "/new", O_WRONLY | O_CREAT) == EACCES);
    STEP(::mkdirat(AT_FDCWD, (Vol + "/dir").c_str(), 0700) < 0 && errno == EACCES);
    fprintf(stderr, "read-only under Landlock\n");
    _exit(0);
  };
  EXPECT_EXIT(Confined(), ::testing::ExitedWithCode(0),
              "read-only under Landlock|no Landlock here");
}

TEST_F(VolumeSandboxTest, OtherCallsStayForbidden) {
  auto Forbidden = [&] {
    VolumeSet Volumes({{Vol, "/data", false}});
    confineToRunLoop(-1, &Volumes);
    // glibc's open is openat, which the servers never need: it fails (EACCES, for
    // malloc's one probe; Sandbox.cpp), and what else is not allowed stops the run.
    if (open("/etc/passwd", O_RDONLY) >= 0 || errno != EACCES)
      _exit(1);
    socket(AF_INET, SOCK_STREAM, 0);
    _exit(0);
  };
  EXPECT_EXIT(Forbidden(), ::testing::ExitedWithCode(125),
              "the monitor made a forbidden system call");
}

TEST_F(VolumeSandboxTest, FsyncAndFdatasyncReachTheHost) {
  auto S = serve();
  Client C(*S);
  ASSERT_EQ(C.reach(1, {"f"}), 0u);
  ASSERT_EQ(C.lopen(1, O_RDWR), 0u);
  // Each call made to fail with an errno of its own: the reply tells which one ran.
  auto Syncs = [&] {
    scmp_filter_ctx Filter = seccomp_init(SCMP_ACT_ALLOW);
    seccomp_rule_add(Filter, SCMP_ACT_ERRNO(EXDEV), SCMP_SYS(fsync), 0);
    seccomp_rule_add(Filter, SCMP_ACT_ERRNO(EDOM), SCMP_SYS(fdatasync), 0);
    STEP(seccomp_load(Filter) == 0);
    STEP(C.fsync(1, false) == EXDEV);
    STEP(C.fsync(1, true) == EDOM);
    STEP(C.fsync(0, false) == EXDEV); // a folder's handle, opened for the call
    fprintf(stderr, "fsync and fdatasync reached\n");
    _exit(0);
  };
  EXPECT_EXIT(Syncs(), ::testing::ExitedWithCode(0), "fsync and fdatasync reached");
  // Read-only volumes wrote nothing: no call at all.
  volume::ServerOptions O;
  O.ReadOnly = true;
  auto R = serve(O);
  Client CR(*R);
  auto ReadOnlySync = [&] {
    scmp_filter_ctx Filter = seccomp_init(SCMP_ACT_ALLOW);
    seccomp_rule_add(Filter, SCMP_ACT_ERRNO(EXDEV), SCMP_SYS(fsync), 0);
    STEP(seccomp_load(Filter) == 0);
    STEP(CR.fsync(0, false) == 0);
    fprintf(stderr, "no fsync\n");
    _exit(0);
  };
  EXPECT_EXIT(ReadOnlySync(), ::testing::ExitedWithCode(0), "no fsync");
}

} // namespace
