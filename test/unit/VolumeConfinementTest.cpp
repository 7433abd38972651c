// VolumeConfinementTest: a volume's guest stays inside its folder (".." walks, symbolic
// links pointing out, links swapped during use, /proc magic links, mounts, FIFOs and
// device nodes), read-only volumes change nothing, and malformed messages get errors
// or faults, never a crash.
#include "NinePClient.h"

#include <csignal>
#include <functional>
#include <sched.h>
#include <sys/mount.h>
#include <sys/socket.h>
#include <sys/sysmacros.h>
#include <sys/un.h>
#include <sys/wait.h>

using namespace ukcxx;
using namespace ukcxx::test9p;

namespace {

class VolumeConfinementTest : public VolumeFixture {
protected:
  std::string outsideSnapshot() const {
    std::string Out;
    for (auto &E : std::filesystem::recursive_directory_iterator(Outside))
      Out += E.path().string() + "\n";
    return Out + get(Outside + "/secret");
  }
};

TEST_F(VolumeConfinementTest, DotDotStopsAtTheRoot) {
  auto S = serve();
  Client C(*S);
  std::vector<p9::Qid> Q;
  ASSERT_EQ(C.walk(0, 1, {"..", "..", ".."}, &Q), 0u);
  for (auto &Each : Q)
    EXPECT_EQ(Each.Path, inode(Vol));
  ASSERT_EQ(C.walk(0, 2, {"d", "..", "..", "d", "g"}, &Q), 0u);
  EXPECT_EQ(Q[1].Path, inode(Vol));
  EXPECT_EQ(Q[2].Path, inode(Vol));
  EXPECT_EQ(Q[4].Path, inode(Vol + "/d/g"));
  // "outside" is beside the volume: above the root there is nothing.
  ASSERT_EQ(C.walk(0, 3, {"..", "outside"}, &Q), 0u);
  EXPECT_EQ(Q.size(), 1u);
  for (const char *Name : {"../outside", "d/g", "/etc", ""})
    EXPECT_EQ(C.walk(0, 4, {Name}), uint32_t(EINVAL)) << Name;
  EXPECT_EQ(C.walk(0, 4, {std::string("d\0g", 3)}), uint32_t(EINVAL));
  EXPECT_EQ(C.walk(0, 4, {std::string(256, 'a')}), uint32_t(ENAMETOOLONG));
  std::string Before = outsideSnapshot();
  ASSERT_EQ(C.walk(0, 5, {}), 0u);
  EXPECT_EQ(C.lcreate(5, "../outside/new", O_RDWR, 0600), uint32_t(EINVAL));
  EXPECT_EQ(C.mkdir(0, ".."), uint32_t(EINVAL));
  EXPECT_EQ(C.symlink(0, "../x", "y"), uint32_t(EINVAL));
  EXPECT_EQ(C.renameat(0, "f", 0, "../outside/f"), uint32_t(EINVAL));
  EXPECT_EQ(C.unlinkat(0, "../outside/secret"), uint32_t(EINVAL));
  EXPECT_EQ(outsideSnapshot(), Before);
}

TEST_F(VolumeConfinementTest, SymbolicLinksOutAreReadNeverFollowed) {
  ASSERT_EQ(symlink((Outside + "/secret").c_str(), (Vol + "/abs").c_str()), 0);
  ASSERT_EQ(symlink("../outside/secret", (Vol + "/rel").c_str()), 0);
  ASSERT_EQ(symlink(Outside.c_str(), (Vol + "/absdir").c_str()), 0);
  ASSERT_EQ(symlink("../outside", (Vol + "/reldir").c_str()), 0);
  ASSERT_EQ(symlink("d", (Vol + "/inside").c_str()), 0);
  std::string Before = outsideSnapshot();
  auto S = serve();
  Client C(*S);
  std::vector<p9::Qid> Q;
  std::string Target;
  uint32_t Fid = 1;
  for (const char *Link : {"abs", "rel"}) {
    ASSERT_EQ(C.reach(Fid, {Link}), 0u);
    ASSERT_EQ(C.readlink(Fid, Target), 0u);
    EXPECT_EQ(Target, std::string(Link) == "abs" ? Outside + "/secret" : "../outside/secret");
    EXPECT_EQ(C.lopen(Fid, O_RDONLY), uint32_t(ELOOP)) << Link;
    EXPECT_EQ(C.lopen(Fid, O_WRONLY | O_TRUNC), uint32_t(ELOOP)) << Link;
    EXPECT_EQ(C.setattr(Fid, p9::SetSize, 0, 0), uint32_t(EINVAL)) << Link;
    ++Fid;
  }
  // Walks stop at a symbolic link, even one to a folder inside: the guest resolves it.
  for (const char *Link : {"absdir", "reldir", "inside"}) {
    ASSERT_EQ(C.walk(0, Fid, {Link, "secret"}, &Q), 0u);
    ASSERT_EQ(Q.size(), 1u) << Link;
    EXPECT_EQ(Q[0].Type, p9::QidSymlink);
    ASSERT_EQ(C.reach(Fid, {Link}), 0u);
    EXPECT_EQ(C.lcreate(Fid, "new", O_RDWR, 0600), uint32_t(ENOTDIR)) << Link;
    EXPECT_EQ(C.mkdir(Fid, "new"), uint32_t(ENOTDIR)) << Link;
    EXPECT_EQ(C.lopen(Fid, O_RDONLY | O_DIRECTORY), uint32_t(ENOTDIR)) << Link;
    ++Fid;
  }
  EXPECT_EQ(outsideSnapshot(), Before);
}

TEST_F(VolumeConfinementTest, CreatingThroughADanglingLinkCreatesNothing) {
  ASSERT_EQ(symlink((Outside + "/created").c_str(), (Vol + "/dangle").c_str()), 0);
  ASSERT_EQ(symlink("../outside/created", (Vol + "/rdangle").c_str()), 0);
  std::string Before = outsideSnapshot();
  auto S = serve();
  Client C(*S);
  for (const char *Link : {"dangle", "rdangle"}) {
    ASSERT_EQ(C.walk(0, 1, {}), 0u);
    EXPECT_NE(C.lcreate(1, Link, O_WRONLY | O_CREAT, 0600), 0u) << Link;
    EXPECT_EQ(C.lcreate(1, Link, O_WRONLY | O_CREAT | O_EXCL, 0600), uint32_t(EEXIST));
    EXPECT_EQ(C.mkdir(0, Link), uint32_t(EEXIST));
    ASSERT_EQ(C.clunk(1), 0u);
  }
  // Renaming over a link replaces the link, not what it names.
  ASSERT_EQ(C.renameat(0, "f", 0, "dangle"), 0u);
  EXPECT_EQ(get(Vol + "/dangle"), "hello");
  EXPECT_EQ(outsideSnapshot(), Before);
  EXPECT_FALSE(std::filesystem::exists(Outside + "/created"));
}

TEST_F(VolumeConfinementTest, LinksSwappedDuringUse) {
  auto S = serve();
  Client C(*S);
  std::string Before = outsideSnapshot();
  // A folder the guest holds is renamed away and a link out put in its place: the
  // guest's fid stays on the folder itself; a new walk stops at the link.
  ASSERT_EQ(C.reach(1, {"d"}), 0u);
  ASSERT_EQ(rename((Vol + "/d").c_str(), (Vol + "/d.old").c_str()), 0);
  ASSERT_EQ(symlink(Outside.c_str(), (Vol + "/d").c_str()), 0);
  std::vector<p9::Qid> Q;
  ASSERT_EQ(C.walk(1, 2, {"g"}, &Q), 0u);
  EXPECT_EQ(Q[0].Path, inode(Vol + "/d.old/g"));
  EXPECT_EQ(C.walk(1, 3, {"secret"}), uint32_t(ENOENT));
  ASSERT_EQ(C.walk(0, 3, {"d", "secret"}, &Q), 0u);
  EXPECT_EQ(Q.size(), 1u);
  // A file the guest walked to is replaced by a link out: opening, truncating and
  // removing it by that fid refuse, and change nothing outside.
  ASSERT_EQ(C.reach(4, {"f"}), 0u);
  ASSERT_EQ(C.reach(5, {"f"}), 0u);
  ASSERT_EQ(unlink((Vol + "/f").c_str()), 0);
  ASSERT_EQ(symlink((Outside + "/secret").c_str(), (Vol + "/f").c_str()), 0);
  EXPECT_EQ(C.lopen(4, O_RDONLY), uint32_t(ELOOP));
  EXPECT_EQ(C.lopen(4, O_RDWR | O_TRUNC), uint32_t(ELOOP));
  EXPECT_EQ(C.setattr(4, p9::SetSize, 0, 0), uint32_t(ELOOP));
  EXPECT_EQ(C.fsync(4, false), uint32_t(ELOOP));
  EXPECT_EQ(C.remove(5), uint32_t(ESTALE));
  EXPECT_TRUE(std::filesystem::is_symlink(Vol + "/f"));
  // Mode and times act on the fid's own file (its handle), not on the new name.
  EXPECT_EQ(C.setattr(4, p9::SetMode, 0), 0u);
  EXPECT_EQ(C.setattr(4, p9::SetMtime | p9::SetMtimeSet, 0, 0, 0, 0, 1, 0), 0u);
  // The name now a different regular file: ESTALE rather than the other file.
  ASSERT_EQ(unlink((Vol + "/f").c_str()), 0);
  put(Vol + "/f", "other");
  EXPECT_EQ(C.lopen(4, O_RDONLY), uint32_t(ESTALE));
  ASSERT_EQ(C.walk(0, 5, {}), 0u);
  ASSERT_EQ(C.reach(6, {"f"}), 0u);
  ASSERT_EQ(C.lopen(6, O_RDONLY), 0u); // a fresh walk reaches it, of course
  EXPECT_EQ(get(Vol + "/f"), "other");
  EXPECT_EQ(outsideSnapshot(), Before);
  struct stat St;
  ASSERT_EQ(stat((Outside + "/secret").c_str(), &St), 0);
  EXPECT_EQ(St.st_mode & 07777, 0644u);
  EXPECT_NE(St.st_mtim.tv_sec, 1);
}

TEST_F(VolumeConfinementTest, MagicLinksAreInert) {
  auto S = serve();
  Client C(*S);
  std::string Fd = "/proc/self/fd/" + std::to_string(S->rootFd());
  ASSERT_EQ(symlink(Fd.c_str(), (Vol + "/fd").c_str()), 0);
  ASSERT_EQ(symlink("/proc/self/root", (Vol + "/root").c_str()), 0);
  ASSERT_EQ(symlink("/proc/self/cwd", (Vol + "/cwd").c_str()), 0);
  std::vector<p9::Qid> Q;
  uint32_t Fid = 1;
  for (const char *Link : {"fd", "root", "cwd"}) {
    ASSERT_EQ(C.walk(0, Fid, {Link, "etc"}, &Q), 0u);
    EXPECT_EQ(Q.size(), 1u) << Link;
    ASSERT_EQ(C.reach(Fid, {Link}), 0u);
    EXPECT_EQ(C.lopen(Fid, O_RDONLY), uint32_t(ELOOP)) << Link;
    std::string Target;
    ASSERT_EQ(C.readlink(Fid, Target), 0u);
    EXPECT_EQ(Target.substr(0, 11), "/proc/self/");
    ++Fid;
  }
}

/// Runs Body in a child process; returns its exit status (or 128 + signal).
int inChild(const std::function<int()> &Body) {
  pid_t Pid = fork();
  if (Pid == 0)
    _exit(Body());
  int Status = 0;
  waitpid(Pid, &Status, 0);
  return WIFEXITED(Status) ? WEXITSTATUS(Status) : 128 + WTERMSIG(Status);
}

TEST_F(VolumeConfinementTest, MountsInsideAreNotCrossed) {
  ASSERT_EQ(::mkdir((Vol + "/mnt").c_str(), 0755), 0);
  // A bind mount of the outside folder inside the volume, in a mount namespace of
  // its own (CAP_SYS_ADMIN); where that is not permitted the case is skipped.
  int Status = inChild([&] {
    if (unshare(CLONE_NEWNS) < 0 ||
        mount(nullptr, "/", nullptr, MS_REC | MS_PRIVATE, nullptr) ||
        mount(Outside.c_str(), (Vol + "/mnt").c_str(), nullptr, MS_BIND, nullptr))
      return 77;
    auto S = serve();
    Client C(*S);
    std::vector<p9::Qid> Q;
    if (C.walk(0, 1, {"mnt"}) != EXDEV)
      return 1;
    if (C.walk(0, 1, {"mnt", "secret"}) != EXDEV)
      return 2;
    return 0;
  });
  if (Status == 77)
    GTEST_SKIP() << "cannot bind-mount in a new mount namespace here: the RESOLVE_NO_XDEV case "
                    "is skipped";
  EXPECT_EQ(Status, 0);
}

TEST_F(VolumeConfinementTest, FifosNeverBlockTheServer) {
  ASSERT_EQ(mkfifo((Vol + "/fifo").c_str(), 0600), 0);
  auto S = serve();
  Client C(*S);
  // A server that blocked opening the FIFO would be ended by the alarm.
  alarm(20);
  ASSERT_EQ(C.reach(1, {"fifo"}), 0u);
  Reply R = C.call(Message(p9::Tgetattr).u32(1).u64(0x7ff));
  R.u64();
  R.qid();
  EXPECT_TRUE(S_ISFIFO(R.u32()));
  EXPECT_EQ(C.lopen(1, O_RDONLY), uint32_t(EACCES));
  EXPECT_EQ(C.lopen(1, O_WRONLY), uint32_t(EACCES));
  EXPECT_EQ(C.lopen(1, O_RDWR), uint32_t(EACCES));
  EXPECT_EQ(C.setattr(1, p9::SetSize, 0, 0), uint32_t(EINVAL));
  EXPECT_EQ(C.fsync(1, true), uint32_t(EACCES));
  ASSERT_EQ(C.walk(0, 2, {}), 0u);
  EXPECT_EQ(C.lcreate(2, "fifo", O_WRONLY, 0600), uint32_t(EACCES));
  EXPECT_EQ(C.lcreate(2, "fifo", O_RDONLY, 0600), uint32_t(EACCES));
  // A regular file the guest walked to, swapped for a FIFO: still no blocking.
  ASSERT_EQ(C.reach(3, {"f"}), 0u);
  ASSERT_EQ(unlink((Vol + "/f").c_str()), 0);
  ASSERT_EQ(mkfifo((Vol + "/f").c_str(), 0600), 0);
  EXPECT_NE(C.lopen(3, O_RDONLY), 0u);
  EXPECT_NE(C.lopen(3, O_WRONLY), 0u);
  alarm(0);
}

TEST_F(VolumeConfinementTest, SocketsAndDeviceNodesAreNeverOpened) {
  int Socket = socket(AF_UNIX, SOCK_STREAM, 0);
  sockaddr_un Address = {};
  Address.sun_family = AF_UNIX;
  std::string SocketPath = Vol + "/sock";
  ASSERT_LT(SocketPath.size(), sizeof Address.sun_path);
  strcpy(Address.sun_path, SocketPath.c_str());
  ASSERT_EQ(bind(Socket, reinterpret_cast<sockaddr *>(&Address), sizeof Address), 0);
  auto S = serve();
  Client C(*S);
  ASSERT_EQ(C.reach(1, {"sock"}), 0u);
  EXPECT_EQ(C.lopen(1, O_RDWR), uint32_t(EACCES));
  close(Socket);
  if (mknod((Vol + "/null").c_str(), S_IFCHR | 0666, makedev(1, 3)) < 0)
    GTEST_SKIP() << "mknod is not permitted here (" << strerror(errno)
                 << "): the device node case is skipped";
  ASSERT_EQ(mknod((Vol + "/loop").c_str(), S_IFBLK | 0600, makedev(7, 0)), 0);
  for (const char *Device : {"null", "loop"}) {
    ASSERT_EQ(C.reach(2, {Device}), 0u);
    EXPECT_EQ(C.lopen(2, O_RDONLY), uint32_t(EACCES)) << Device;
    EXPECT_EQ(C.lopen(2, O_RDWR), uint32_t(EACCES)) << Device;
    ASSERT_EQ(C.walk(0, 3, {}), 0u);
    EXPECT_EQ(C.lcreate(3, Device, O_RDWR, 0600), uint32_t(EACCES)) << Device;
    ASSERT_EQ(C.clunk(2), 0u);
    ASSERT_EQ(C.clunk(3), 0u);
  }
}

TEST_F(VolumeConfinementTest, ReadOnlyVolumesChangeNothing) {
  ASSERT_EQ(symlink("f", (Vol + "/link").c_str()), 0);
  volume::ServerOptions O;
  O.ReadOnly = true;
  auto S = serve(O);
  Client C(*S);
  std::string Before = snapshot();
  ASSERT_EQ(C.reach(1, {"f"}), 0u);
  ASSERT_EQ(C.reach(2, {"d"}), 0u);
  ASSERT_EQ(C.reach(3, {"link"}), 0u);
  EXPECT_EQ(C.lopen(1, O_WRONLY), uint32_t(EROFS));
  EXPECT_EQ(C.lopen(1, O_RDWR), uint32_t(EROFS));
  EXPECT_EQ(C.lopen(1, O_WRONLY | O_TRUNC), uint32_t(EROFS));
  ASSERT_EQ(C.walk(0, 4, {}), 0u);
  EXPECT_EQ(C.lcreate(4, "new", O_RDWR, 0600), uint32_t(EROFS));
  EXPECT_EQ(C.lcreate(4, "f", O_RDONLY, 0600), uint32_t(EROFS));
  for (uint32_t Valid :
       {p9::SetMode, p9::SetSize, p9::SetAtime, p9::SetMtime | p9::SetMtimeSet, p9::SetCtime})
    EXPECT_EQ(C.setattr(1, Valid, 0777, 0), uint32_t(EROFS)) << Valid;
  EXPECT_EQ(C.mkdir(0, "new"), uint32_t(EROFS));
  EXPECT_EQ(C.symlink(0, "new", "f"), uint32_t(EROFS));
  EXPECT_EQ(C.link(0, 1, "new"), uint32_t(EROFS));
  EXPECT_EQ(C.unlinkat(0, "f"), uint32_t(EROFS));
  EXPECT_EQ(C.unlinkat(2, "g"), uint32_t(EROFS));
  EXPECT_EQ(C.renameat(0, "f", 2, "f"), uint32_t(EROFS));
  EXPECT_EQ(C.rename(1, 0, "g"), uint32_t(EROFS));
  EXPECT_EQ(C.remove(3), uint32_t(EROFS));
  EXPECT_EQ(C.clunk(3), uint32_t(EBADF)); // removed from the fids all the same
  // Reading works.
  ASSERT_EQ(C.lopen(1, O_RDONLY), 0u);
  std::string Data;
  ASSERT_EQ(C.read(1, 0, 100, Data), 0u);
  EXPECT_EQ(Data, "hello");
  EXPECT_EQ(C.write(1, 0, "x"), uint32_t(EROFS));
  EXPECT_EQ(C.fsync(1, false), 0u);
  ASSERT_EQ(C.lopen(2, O_RDONLY), 0u);
  EXPECT_EQ(C.call(Message(p9::Treaddir).u32(2).u64(0).u32(4096)).error(), 0u);
  EXPECT_EQ(C.status(Message(p9::Tstatfs).u32(0)), 0u);
  EXPECT_EQ(snapshot(), Before);
}

/// Sends raw bytes; returns the outcome and the reply bytes.
volume::Outcome raw(volume::VolumeServer &S, std::vector<uint8_t> Request, size_t Capacity,
                    std::vector<uint8_t> *Reply = nullptr) {
  std::vector<uint8_t> Buffer(Capacity);
  auto O = S.handle(Request.data(), Request.size(), Buffer.data(), Capacity);
  if (Reply)
    *Reply = Buffer;
  return O;
}

TEST_F(VolumeConfinementTest, FramingErrorsAreFaults) {
  volume::ServerOptions Options;
  Options.MaxMessage = 4096;
  auto S = serve(Options);
  std::vector<uint8_t> Clunk = Message(p9::Tclunk).u32(5).bytes();
  EXPECT_EQ(raw(*S, {1, 2, 3}, 64).Fault, "a 9P request of 3 bytes has no header");
  auto Lying = Clunk;
  Lying[0] = 100;
  EXPECT_EQ(raw(*S, Lying, 64).Fault, "a 9P request says it has 100 bytes but has 11");
  EXPECT_EQ(raw(*S, Clunk, 10).Fault, "a reply buffer of 10 bytes cannot hold a 9P reply");
  auto Big = Message(p9::Twrite).u32(0).u64(0).u32(5000).raw(std::string(5000, 'x')).bytes();
  EXPECT_EQ(raw(*S, Big, 64).Fault, "a 9P request of 5023 bytes exceeds the msize of 4096");
  // A smallest reply buffer still gets a whole error reply.
  std::vector<uint8_t> Reply;
  auto O = raw(*S, Clunk, 11, &Reply);
  EXPECT_EQ(O.Fault, "");
  EXPECT_EQ(O.Length, 11u);
  EXPECT_EQ(Reply[4], p9::Rlerror);
  EXPECT_EQ(Reply[7], EBADF);
}

TEST_F(VolumeConfinementTest, MalformedBodiesGetErrors) {
  auto S = serve();
  Client C(*S);
  // A string running past the end; a count of names larger than given; trailing
  // bytes; a write whose count is not its data.
  EXPECT_EQ(C.status(Message(p9::Tattach).u32(1).u32(p9::NoFid).u16(500).raw("ab")),
            uint32_t(EINVAL));
  EXPECT_EQ(C.status(Message(p9::Twalk).u32(0).u32(1).u16(2).str("d")), uint32_t(EINVAL));
  EXPECT_EQ(C.status(Message(p9::Tclunk).u32(0).u8(0)), uint32_t(EINVAL));
  EXPECT_EQ(C.status(Message(p9::Tclunk)), uint32_t(EINVAL));
  ASSERT_EQ(C.reach(1, {"f"}), 0u);
  ASSERT_EQ(C.lopen(1, O_RDWR), 0u);
  EXPECT_EQ(C.status(Message(p9::Twrite).u32(1).u64(0).u32(10).raw("short")), uint32_t(EINVAL));
  EXPECT_EQ(C.status(Message(p9::Twrite).u32(1).u64(0).u32(2).raw("long!")), uint32_t(EINVAL));
  EXPECT_EQ(get(Vol + "/f"), "hello");
  // Unknown fids, for every message that takes one.
  const uint32_t Unknown = 77;
  for (Message M : {Message(p9::Tlopen).u32(Unknown).u32(0),
                    Message(p9::Tread).u32(Unknown).u64(0).u32(1),
                    Message(p9::Twrite).u32(Unknown).u64(0).u32(1).raw("x"),
                    Message(p9::Tclunk).u32(Unknown),
                    Message(p9::Tremove).u32(Unknown),
                    Message(p9::Tgetattr).u32(Unknown).u64(0),
                    Message(p9::Tsetattr)
                        .u32(Unknown)
                        .u32(1)
                        .u32(0)
                        .u32(0)
                        .u32(0)
                        .u64(0)
                        .u64(0)
                        .u64(0)
                        .u64(0)
                        .u64(0),
                    Message(p9::Treaddir).u32(Unknown).u64(0).u32(100),
                    Message(p9::Tfsync).u32(Unknown).u32(0),
                    Message(p9::Tstatfs).u32(Unknown),
                    Message(p9::Treadlink).u32(Unknown),
                    Message(p9::Tmkdir).u32(Unknown).str("x").u32(0).u32(0),
                    Message(p9::Tlcreate).u32(Unknown).str("x").u32(0).u32(0).u32(0),
                    Message(p9::Tsymlink).u32(Unknown).str("x").str("y").u32(0),
                    Message(p9::Tunlinkat).u32(Unknown).str("x").u32(0),
                    Message(p9::Trenameat).u32(Unknown).str("x").u32(0).str("y"),
                    Message(p9::Trenameat).u32(0).str("x").u32(Unknown).str("y"),
                    Message(p9::Tlink).u32(Unknown).u32(0).str("x"),
                    Message(p9::Tlink).u32(0).u32(Unknown).str("x"),
                    Message(p9::Trename).u32(Unknown).u32(0).str("x"),
                    Message(p9::Twalk).u32(Unknown).u32(9).u16(0)})
    EXPECT_EQ(C.status(M), uint32_t(EBADF)) << int(M.bytes()[4]);
  // A tag is echoed.
  EXPECT_EQ(C.call(Message(p9::Tclunk, 4242).u32(Unknown)).Tag, 4242);
}

TEST_F(VolumeConfinementTest, RepliesMayOverlapRequests) {
  auto S = serve();
  // The reply written over the request itself, and over its body only.
  for (size_t Shift : {size_t(0), p9::HeaderSize}) {
    std::vector<uint8_t> Walk =
        Message(p9::Twalk).u32(0).u32(1).u16(2).str("d").str("g").bytes();
    std::vector<uint8_t> Buffer(Shift + 4096);
    std::copy(Walk.begin(), Walk.end(), Buffer.begin());
    auto O = S->handle(Buffer.data(), Walk.size(), Buffer.data() + Shift, 4096);
    ASSERT_EQ(O.Fault, "");
    Reply R;
    R.Type = Buffer[Shift + 4];
    R.Body.assign(Buffer.begin() + long(Shift + 7), Buffer.begin() + long(Shift + O.Length));
    ASSERT_EQ(R.Type, p9::Twalk + 1);
    ASSERT_EQ(R.u16(), 2u);
    EXPECT_EQ(R.qid().Path, inode(Vol + "/d"));
    EXPECT_EQ(R.qid().Path, inode(Vol + "/d/g"));
    Client(*S).clunk(1);
  }
}

} // namespace
