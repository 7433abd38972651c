// VolumeServerTest: each 9P2000.L message of the volume server against a host folder,
// checked on the host side as well as in the replies.
#include "NinePClient.h"

#include <ctime>
#include <map>
#include <set>
#include <sys/resource.h>
#include <sys/statfs.h>
#include <sys/sysmacros.h>

using namespace ukcxx;
using namespace ukcxx::test9p;

namespace {

class VolumeServerTest : public VolumeFixture {};

TEST_F(VolumeServerTest, VersionNegotiatesMsizeAndStartsASession) {
  volume::ServerOptions O;
  O.MaxMessage = 65536;
  auto S = serve(O);
  Client C(*S);
  Reply R = C.call(Message(p9::Tversion, p9::NoTag).u32(8192).str("9P2000.L"));
  EXPECT_EQ(R.u32(), 8192u);
  EXPECT_EQ(R.str(), "9P2000.L");
  EXPECT_EQ(R.Tag, p9::NoTag);
  // The old session's fids are gone.
  EXPECT_EQ(C.clunk(0), uint32_t(EBADF));
  R = C.call(Message(p9::Tversion, p9::NoTag).u32(1u << 30).str("9P2000.L"));
  EXPECT_EQ(R.u32(), 65536u);
  R = C.call(Message(p9::Tversion, p9::NoTag).u32(8192).str("9P2000.u"));
  R.u32();
  EXPECT_EQ(R.str(), "unknown");
  EXPECT_EQ(C.version(100), uint32_t(EINVAL));
}

TEST_F(VolumeServerTest, AttachGivesTheRoot) {
  auto S = serve();
  Client C(*S);
  Reply R = C.call(Message(p9::Tattach).u32(1).u32(p9::NoFid).str("u").str("").u32(0));
  ASSERT_EQ(R.error(), 0u);
  p9::Qid Q = R.qid();
  EXPECT_EQ(Q.Type, p9::QidDirectory);
  EXPECT_EQ(Q.Path, inode(Vol));
  // Fid in use, a NOFID fid, and an authentication fid (there is no Tauth).
  EXPECT_EQ(C.attach(1), uint32_t(EINVAL));
  EXPECT_EQ(C.attach(p9::NoFid), uint32_t(EINVAL));
  EXPECT_EQ(C.status(Message(p9::Tattach).u32(2).u32(5).str("").str("").u32(0)),
            uint32_t(EINVAL));
}

TEST_F(VolumeServerTest, Walk) {
  auto S = serve();
  Client C(*S);
  std::vector<p9::Qid> Q;
  ASSERT_EQ(C.walk(0, 1, {"d", "g"}, &Q), 0u);
  ASSERT_EQ(Q.size(), 2u);
  EXPECT_EQ(Q[0].Type, p9::QidDirectory);
  EXPECT_EQ(Q[0].Path, inode(Vol + "/d"));
  EXPECT_EQ(Q[1].Type, p9::QidFile);
  EXPECT_EQ(Q[1].Path, inode(Vol + "/d/g"));
  // A clone, then a walk that replaces its own fid.
  ASSERT_EQ(C.walk(1, 2, {}, &Q), 0u);
  EXPECT_TRUE(Q.empty());
  ASSERT_EQ(C.walk(0, 3, {"d"}), 0u);
  ASSERT_EQ(C.walk(3, 3, {"g"}, &Q), 0u);
  EXPECT_EQ(Q[0].Path, inode(Vol + "/d/g"));
  // The first name missing: an error. A later one: the qids so far, newfid unused.
  EXPECT_EQ(C.walk(0, 4, {"nothing"}), uint32_t(ENOENT));
  ASSERT_EQ(C.walk(0, 4, {"d", "nothing", "g"}, &Q), 0u);
  EXPECT_EQ(Q.size(), 1u);
  EXPECT_EQ(C.clunk(4), uint32_t(EBADF));
  // From a file; too many names; an unknown fid; a newfid in use.
  EXPECT_EQ(C.walk(1, 4, {"x"}), uint32_t(ENOTDIR));
  Message Long(p9::Twalk);
  Long.u32(0).u32(4).u16(17);
  for (int I = 0; I < 17; ++I)
    Long.str("d");
  EXPECT_EQ(C.status(Long), uint32_t(EINVAL));
  EXPECT_EQ(C.walk(9, 4, {"d"}), uint32_t(EBADF));
  EXPECT_EQ(C.walk(0, 1, {"d"}), uint32_t(EINVAL));
}

TEST_F(VolumeServerTest, OpenReadWrite) {
  auto S = serve();
  Client C(*S);
  ASSERT_EQ(C.reach(1, {"f"}), 0u);
  ASSERT_EQ(C.lopen(1, O_RDONLY), 0u);
  std::string Data;
  ASSERT_EQ(C.read(1, 0, 100, Data), 0u);
  EXPECT_EQ(Data, "hello");
  ASSERT_EQ(C.read(1, 3, 100, Data), 0u);
  EXPECT_EQ(Data, "lo");
  ASSERT_EQ(C.read(1, 99, 100, Data), 0u);
  EXPECT_EQ(Data, "");
  EXPECT_EQ(C.write(1, 0, "x"), uint32_t(EBADF));    // opened for reading
  EXPECT_EQ(C.lopen(1, O_RDONLY), uint32_t(EINVAL)); // already open
  ASSERT_EQ(C.reach(2, {"f"}), 0u);
  EXPECT_EQ(C.read(2, 0, 10, Data), uint32_t(EBADF)); // not open
  ASSERT_EQ(C.lopen(2, O_WRONLY), 0u);
  uint32_t Written = 0;
  ASSERT_EQ(C.write(2, 0, "HE", &Written), 0u);
  EXPECT_EQ(Written, 2u);
  EXPECT_EQ(get(Vol + "/f"), "HEllo");
  EXPECT_EQ(C.read(2, 0, 10, Data), uint32_t(EBADF)); // opened for writing
  // O_TRUNC and O_APPEND.
  ASSERT_EQ(C.reach(3, {"f"}), 0u);
  ASSERT_EQ(C.lopen(3, O_WRONLY | O_TRUNC | O_APPEND), 0u);
  EXPECT_EQ(get(Vol + "/f"), "");
  ASSERT_EQ(C.write(3, 0, "ab"), 0u);
  ASSERT_EQ(C.write(3, 0, "cd"), 0u);
  EXPECT_EQ(get(Vol + "/f"), "abcd");
  // Folders: read-only, and read with Treaddir, not Tread.
  ASSERT_EQ(C.reach(4, {"d"}), 0u);
  EXPECT_EQ(C.lopen(4, O_RDWR), uint32_t(EISDIR));
  EXPECT_EQ(C.lopen(4, O_RDONLY | O_TRUNC), 0u); // O_TRUNC without writing: ignored
  EXPECT_EQ(C.read(4, 0, 10, Data), uint32_t(EISDIR));
  ASSERT_EQ(C.reach(5, {"f"}), 0u);
  EXPECT_EQ(C.lopen(5, O_RDONLY | O_DIRECTORY), uint32_t(ENOTDIR));
  EXPECT_EQ(C.lopen(5, 3), uint32_t(EINVAL));
  EXPECT_EQ(C.read(1, 1ull << 63, 10, Data), uint32_t(EINVAL));
}

TEST_F(VolumeServerTest, ReadsAreBoundedByMsizeAndTheReplyBuffer) {
  put(Vol + "/big", std::string(100000, 'z'));
  volume::ServerOptions O;
  O.MaxMessage = 8192;
  auto S = serve(O);
  Client C(*S);
  ASSERT_EQ(C.reach(1, {"big"}), 0u);
  ASSERT_EQ(C.lopen(1, O_RDONLY), 0u);
  std::string Data;
  ASSERT_EQ(C.read(1, 0, 1 << 20, Data), 0u);
  EXPECT_EQ(Data.size(), 8192u - 11);
  ASSERT_EQ(C.read(1, 0, 1 << 20, Data, 100), 0u);
  EXPECT_EQ(Data.size(), 100u - 11);
  // A reply that cannot fit is an error reply, not a cut one.
  ASSERT_EQ(C.symlink(0, "l", std::string(200, 'a')), 0u);
  ASSERT_EQ(C.reach(2, {"l"}), 0u);
  EXPECT_EQ(C.call(Message(p9::Treadlink).u32(2), 64).error(), uint32_t(EMSGSIZE));
}

TEST_F(VolumeServerTest, Lcreate) {
  auto S = serve();
  Client C(*S);
  ASSERT_EQ(C.walk(0, 1, {}), 0u);
  Reply R =
      C.call(Message(p9::Tlcreate).u32(1).str("new").u32(O_RDWR | O_CREAT).u32(0640).u32(0));
  ASSERT_EQ(R.error(), 0u);
  EXPECT_EQ(R.qid().Path, inode(Vol + "/new"));
  struct stat St;
  ASSERT_EQ(lstat((Vol + "/new").c_str(), &St), 0);
  EXPECT_EQ(St.st_mode, S_IFREG | 0640u);
  // The fid is now the new file, open.
  ASSERT_EQ(C.write(1, 0, "data"), 0u);
  EXPECT_EQ(get(Vol + "/new"), "data");
  std::string Data;
  ASSERT_EQ(C.read(1, 0, 10, Data), 0u);
  EXPECT_EQ(Data, "data");
  // Existing: opened (and truncated if asked) unless O_EXCL.
  ASSERT_EQ(C.walk(0, 2, {}), 0u);
  EXPECT_EQ(C.lcreate(2, "new", O_WRONLY | O_CREAT | O_EXCL, 0600), uint32_t(EEXIST));
  ASSERT_EQ(C.lcreate(2, "new", O_WRONLY | O_CREAT | O_TRUNC, 0600), 0u);
  EXPECT_EQ(get(Vol + "/new"), "");
  ASSERT_EQ(C.walk(0, 3, {}), 0u);
  EXPECT_EQ(C.lcreate(3, "d", O_RDONLY | O_CREAT, 0600), uint32_t(EISDIR));
  // Only in a folder, only a name.
  ASSERT_EQ(C.reach(4, {"f"}), 0u);
  EXPECT_EQ(C.lcreate(4, "x", O_RDWR, 0600), uint32_t(ENOTDIR));
  EXPECT_EQ(C.lcreate(3, "a/b", O_RDWR, 0600), uint32_t(EINVAL));
}

/// The names in folder Fid, by Treaddir with Count bytes a call.
std::set<std::string> listing(Client &C, uint32_t Fid, uint32_t Count, int &Calls,
                              uint32_t &Error, std::map<std::string, p9::Qid> *Qids = nullptr) {
  std::set<std::string> Names;
  uint64_t Offset = 0;
  Error = 0;
  for (Calls = 0; Calls < 1000; ++Calls) {
    Reply R = C.call(Message(p9::Treaddir).u32(Fid).u64(Offset).u32(Count));
    if ((Error = R.error()))
      break;
    uint32_t Size = R.u32();
    EXPECT_LE(Size, Count);
    if (!Size)
      break;
    size_t End = R.Pos + Size;
    while (R.Pos < End) {
      p9::Qid Q = R.qid();
      Offset = R.u64();
      R.u8();
      std::string Name = R.str();
      EXPECT_TRUE(Names.insert(Name).second) << Name << " listed twice";
      if (Qids)
        (*Qids)[Name] = Q;
    }
  }
  return Names;
}

TEST_F(VolumeServerTest, Readdir) {
  for (int I = 0; I < 40; ++I)
    put(Vol + "/file-with-a-longer-name-" + std::to_string(I), "");
  auto S = serve();
  Client C(*S);
  ASSERT_EQ(C.walk(0, 1, {}), 0u);
  int Calls;
  uint32_t Error;
  EXPECT_EQ(C.status(Message(p9::Treaddir).u32(1).u64(0).u32(4096)), uint32_t(EBADF));
  ASSERT_EQ(C.lopen(1, O_RDONLY | O_DIRECTORY), 0u);
  std::map<std::string, p9::Qid> Qids;
  auto All = listing(C, 1, 65536, Calls, Error, &Qids);
  EXPECT_EQ(Error, 0u);
  EXPECT_EQ(All.size(), 44u); // . .. f d and 40
  EXPECT_TRUE(All.count("f") && All.count("d") && All.count("..") && All.count("."));
  EXPECT_EQ(Qids["d"].Type, p9::QidDirectory);
  EXPECT_EQ(Qids["f"].Path, inode(Vol + "/f"));
  // The root's ".." is the root: no inode from outside the volume.
  EXPECT_EQ(Qids[".."].Path, inode(Vol));
  // In small pieces, resuming from each last entry's offset: the same names.
  auto Pieces = listing(C, 1, 100, Calls, Error);
  EXPECT_EQ(Error, 0u);
  EXPECT_EQ(Pieces, All);
  EXPECT_GT(Calls, 10);
  // Too small for one entry.
  listing(C, 1, 20, Calls, Error);
  EXPECT_EQ(Error, uint32_t(EINVAL));
  // Not a folder.
  ASSERT_EQ(C.reach(2, {"f"}), 0u);
  ASSERT_EQ(C.lopen(2, O_RDONLY), 0u);
  EXPECT_EQ(C.status(Message(p9::Treaddir).u32(2).u64(0).u32(4096)), uint32_t(ENOTDIR));
}

TEST_F(VolumeServerTest, Getattr) {
  auto S = serve();
  Client C(*S);
  ASSERT_EQ(C.reach(1, {"f"}), 0u);
  Reply R = C.call(Message(p9::Tgetattr).u32(1).u64(0x3fff));
  ASSERT_EQ(R.error(), 0u);
  struct stat St;
  ASSERT_EQ(lstat((Vol + "/f").c_str(), &St), 0);
  uint64_t Valid = R.u64();
  EXPECT_EQ(Valid & 0x7ff, 0x7ffu);
  p9::Qid Q = R.qid();
  EXPECT_EQ(Q.Path, St.st_ino);
  EXPECT_EQ(R.u32(), St.st_mode);
  EXPECT_EQ(R.u32(), St.st_uid);
  EXPECT_EQ(R.u32(), St.st_gid);
  EXPECT_EQ(R.u64(), St.st_nlink);
  EXPECT_EQ(R.u64(), St.st_rdev);
  EXPECT_EQ(R.u64(), 5u);
  EXPECT_EQ(R.u64(), uint64_t(St.st_blksize));
  EXPECT_EQ(R.u64(), uint64_t(St.st_blocks));
  EXPECT_EQ(R.u64(), uint64_t(St.st_atim.tv_sec));
  EXPECT_EQ(R.u64(), uint64_t(St.st_atim.tv_nsec));
  EXPECT_EQ(R.u64(), uint64_t(St.st_mtim.tv_sec));
  EXPECT_EQ(R.u64(), uint64_t(St.st_mtim.tv_nsec));
  EXPECT_EQ(R.u64(), uint64_t(St.st_ctim.tv_sec));
  EXPECT_EQ(R.u64(), uint64_t(St.st_ctim.tv_nsec));
  EXPECT_EQ(R.Body.size(), 153u);
  // A symbolic link's own attributes, not its target's.
  ASSERT_EQ(symlink("f", (Vol + "/l").c_str()), 0);
  ASSERT_EQ(C.reach(2, {"l"}), 0u);
  R = C.call(Message(p9::Tgetattr).u32(2).u64(0x7ff));
  R.u64();
  EXPECT_EQ(R.qid().Type, p9::QidSymlink);
  EXPECT_TRUE(S_ISLNK(R.u32()));
  EXPECT_EQ(C.status(Message(p9::Tgetattr).u32(9).u64(0)), uint32_t(EBADF));
}

TEST_F(VolumeServerTest, Setattr) {
  auto S = serve();
  Client C(*S);
  ASSERT_EQ(C.reach(1, {"f"}), 0u);
  struct stat St;
  ASSERT_EQ(C.setattr(1, p9::SetMode | p9::SetCtime, 0600), 0u);
  ASSERT_EQ(lstat((Vol + "/f").c_str(), &St), 0);
  EXPECT_EQ(St.st_mode, S_IFREG | 0600u);
  ASSERT_EQ(C.setattr(1, p9::SetSize, 0, 2), 0u);
  EXPECT_EQ(get(Vol + "/f"), "he");
  ASSERT_EQ(C.setattr(1, p9::SetSize, 0, 1 << 20), 0u);
  EXPECT_EQ(get(Vol + "/f").size(), 1u << 20);
  // Given times, and "now".
  ASSERT_EQ(C.setattr(1, p9::SetMtime | p9::SetMtimeSet | p9::SetAtime | p9::SetAtimeSet, 0, 0,
                      1000000000, 7, 1200000000, 5),
            0u);
  ASSERT_EQ(lstat((Vol + "/f").c_str(), &St), 0);
  EXPECT_EQ(St.st_atim.tv_sec, 1000000000);
  EXPECT_EQ(St.st_atim.tv_nsec, 7);
  EXPECT_EQ(St.st_mtim.tv_sec, 1200000000);
  EXPECT_EQ(St.st_mtim.tv_nsec, 5);
  ASSERT_EQ(C.setattr(1, p9::SetMtime, 0, 0, 0, 0, 1, 1), 0u); // no _SET: the host's now
  ASSERT_EQ(lstat((Vol + "/f").c_str(), &St), 0);
  EXPECT_EQ(St.st_atim.tv_sec, 1000000000); // untouched
  EXPECT_LT(std::abs(St.st_mtim.tv_sec - time(nullptr)), 5);
  // A directory's mode and times through its O_PATH handle; a symlink's own times.
  ASSERT_EQ(C.reach(2, {"d"}), 0u);
  ASSERT_EQ(C.setattr(2, p9::SetMode, 0700), 0u);
  ASSERT_EQ(lstat((Vol + "/d").c_str(), &St), 0);
  EXPECT_EQ(St.st_mode, S_IFDIR | 0700u);
  EXPECT_EQ(C.setattr(2, p9::SetSize, 0, 0), uint32_t(EISDIR));
  ASSERT_EQ(symlink("f", (Vol + "/l").c_str()), 0);
  ASSERT_EQ(C.reach(3, {"l"}), 0u);
  ASSERT_EQ(C.setattr(3, p9::SetMtime | p9::SetMtimeSet, 0, 0, 0, 0, 1100000000, 0), 0u);
  ASSERT_EQ(lstat((Vol + "/l").c_str(), &St), 0);
  EXPECT_EQ(St.st_mtim.tv_sec, 1100000000);
  EXPECT_EQ(C.setattr(3, p9::SetMode, 0600), uint32_t(EOPNOTSUPP));
  // Ownership cannot change; unknown bits and bad times are refused.
  ASSERT_EQ(lstat((Vol + "/f").c_str(), &St), 0);
  EXPECT_EQ(C.setattr(1, p9::SetUid, 0, 0, 0, 0, 0, 0, St.st_uid + 1), uint32_t(EPERM));
  EXPECT_EQ(C.setattr(1, p9::SetUid | p9::SetGid, 0, 0, 0, 0, 0, 0, St.st_uid, St.st_gid), 0u);
  EXPECT_EQ(C.setattr(1, 0x400), uint32_t(EINVAL));
  EXPECT_EQ(C.setattr(1, p9::SetMtime | p9::SetMtimeSet, 0, 0, 0, 0, 1, 1000000000),
            uint32_t(EINVAL));
  EXPECT_EQ(C.setattr(1, p9::SetSize, 0, 1ull << 63), uint32_t(EINVAL));
  // An open fid truncates through its descriptor.
  ASSERT_EQ(C.reach(4, {"f"}), 0u);
  ASSERT_EQ(C.lopen(4, O_RDWR), 0u);
  ASSERT_EQ(C.setattr(4, p9::SetSize, 0, 3), 0u);
  EXPECT_EQ(get(Vol + "/f").size(), 3u);
}

TEST_F(VolumeServerTest, MkdirSymlinkReadlink) {
  auto S = serve();
  Client C(*S);
  Reply R = C.call(Message(p9::Tmkdir).u32(0).str("new").u32(0750).u32(0));
  ASSERT_EQ(R.error(), 0u);
  p9::Qid Q = R.qid();
  EXPECT_EQ(Q.Type, p9::QidDirectory);
  EXPECT_EQ(Q.Path, inode(Vol + "/new"));
  struct stat St;
  ASSERT_EQ(lstat((Vol + "/new").c_str(), &St), 0);
  EXPECT_EQ(St.st_mode, S_IFDIR | 0750u);
  EXPECT_EQ(C.mkdir(0, "new"), uint32_t(EEXIST));
  R = C.call(Message(p9::Tsymlink).u32(0).str("link").str("/etc/passwd").u32(0));
  ASSERT_EQ(R.error(), 0u);
  EXPECT_EQ(R.qid().Type, p9::QidSymlink);
  char Target[64] = {};
  ASSERT_GT(::readlink((Vol + "/link").c_str(), Target, sizeof Target), 0);
  EXPECT_STREQ(Target, "/etc/passwd");
  ASSERT_EQ(C.reach(1, {"link"}), 0u);
  std::string Read;
  ASSERT_EQ(C.readlink(1, Read), 0u);
  EXPECT_EQ(Read, "/etc/passwd");
  EXPECT_EQ(C.readlink(0, Read), uint32_t(EINVAL)); // not a link
  EXPECT_EQ(C.symlink(0, "empty", ""), uint32_t(EINVAL));
  EXPECT_EQ(C.symlink(0, "nul", std::string("a\0b", 3)), uint32_t(EINVAL));
  EXPECT_EQ(C.symlink(0, "long", std::string(5000, 'a')), uint32_t(ENAMETOOLONG));
}

TEST_F(VolumeServerTest, LinkUnlinkRemove) {
  auto S = serve();
  Client C(*S);
  ASSERT_EQ(C.reach(1, {"f"}), 0u);
  ASSERT_EQ(C.reach(2, {"d"}), 0u);
  ASSERT_EQ(C.link(2, 1, "hard"), 0u);
  EXPECT_EQ(inode(Vol + "/d/hard"), inode(Vol + "/f"));
  EXPECT_EQ(C.link(0, 2, "dirlink"), uint32_t(EPERM));
  ASSERT_EQ(C.unlinkat(2, "hard"), 0u);
  EXPECT_FALSE(std::filesystem::exists(Vol + "/d/hard"));
  EXPECT_EQ(C.unlinkat(0, "d"), uint32_t(EISDIR));
  EXPECT_EQ(C.unlinkat(0, "d", p9::UnlinkDirectory), uint32_t(ENOTEMPTY));
  EXPECT_EQ(C.unlinkat(0, "f", 1), uint32_t(EINVAL));
  ASSERT_EQ(C.mkdir(0, "empty"), 0u);
  ASSERT_EQ(C.unlinkat(0, "empty", p9::UnlinkDirectory), 0u);
  // Tremove: the fid's own file; the fid goes even when the removal fails.
  ASSERT_EQ(C.remove(1), 0u);
  EXPECT_FALSE(std::filesystem::exists(Vol + "/f"));
  EXPECT_EQ(C.clunk(1), uint32_t(EBADF));
  EXPECT_EQ(C.remove(2), uint32_t(ENOTEMPTY));
  EXPECT_EQ(C.clunk(2), uint32_t(EBADF));
  EXPECT_EQ(C.remove(0), uint32_t(EBUSY)); // the root
}

TEST_F(VolumeServerTest, RenameKeepsFidsOnTheirFiles) {
  auto S = serve();
  Client C(*S);
  ASSERT_EQ(C.reach(1, {"f"}), 0u);
  ASSERT_EQ(C.reach(2, {"d"}), 0u);
  ASSERT_EQ(C.renameat(0, "f", 2, "moved"), 0u);
  EXPECT_EQ(get(Vol + "/d/moved"), "hello");
  // Fid 1, walked before, still opens its file under its new name.
  ASSERT_EQ(C.lopen(1, O_RDONLY), 0u);
  std::string Data;
  ASSERT_EQ(C.read(1, 0, 10, Data), 0u);
  EXPECT_EQ(Data, "hello");
  // Trename moves a fid's file; the fid follows it.
  ASSERT_EQ(C.reach(3, {"d", "g"}), 0u);
  ASSERT_EQ(C.rename(3, 0, "top"), 0u);
  EXPECT_EQ(get(Vol + "/top"), "inner");
  ASSERT_EQ(C.lopen(3, O_RDWR), 0u);
  ASSERT_EQ(C.write(3, 0, "I"), 0u);
  EXPECT_EQ(get(Vol + "/top"), "Inner");
  EXPECT_EQ(C.renameat(0, "nothing", 0, "x"), uint32_t(ENOENT));
  EXPECT_EQ(C.renameat(0, "top", 0, "../x"), uint32_t(EINVAL));
  EXPECT_EQ(C.rename(0, 2, "root"), uint32_t(EBUSY));
}

TEST_F(VolumeServerTest, RenameWhenTheFolderWasReachedTwice) {
  for (int I = 0; I < 50; ++I)
    put(Vol + "/d/file" + std::to_string(I), std::to_string(I));
  auto S = serve();
  Client C(*S);
  // Each file reached through a walk of its own (its own node for d, held by it alone),
  // then renamed through another fid on d: every old d node is released on the way.
  for (uint32_t I = 0; I < 50; ++I)
    ASSERT_EQ(C.reach(10 + I, {"d", "file" + std::to_string(I)}), 0u);
  ASSERT_EQ(C.reach(1, {"d"}), 0u);
  size_t Before = S->nodeCount();
  for (uint32_t I = 0; I < 50; ++I)
    ASSERT_EQ(C.renameat(1, "file" + std::to_string(I), 0, "top" + std::to_string(I)), 0u);
  EXPECT_EQ(S->nodeCount(), Before - 50);
  for (uint32_t I = 0; I < 50; ++I) {
    ASSERT_EQ(C.lopen(10 + I, O_RDONLY), 0u);
    std::string Data;
    ASSERT_EQ(C.read(10 + I, 0, 10, Data), 0u);
    EXPECT_EQ(Data, std::to_string(I));
  }
}

TEST_F(VolumeServerTest, StatfsFlushFsyncAndUnsupported) {
  auto S = serve();
  Client C(*S);
  Reply R = C.call(Message(p9::Tstatfs).u32(0));
  ASSERT_EQ(R.error(), 0u);
  struct statfs Host;
  ASSERT_EQ(::statfs(Vol.c_str(), &Host), 0);
  EXPECT_EQ(R.u32(), uint32_t(Host.f_type));
  EXPECT_EQ(R.u32(), uint32_t(Host.f_bsize));
  EXPECT_EQ(R.u64(), Host.f_blocks);
  R.Pos = R.Body.size() - 4;
  EXPECT_EQ(R.u32(), uint32_t(Host.f_namelen));
  EXPECT_EQ(C.status(Message(p9::Tflush).u16(1)), 0u);
  EXPECT_EQ(C.status(Message(p9::Tflush)), uint32_t(EINVAL));
  // fsync on an open file, and on a folder by its handle alone.
  ASSERT_EQ(C.reach(1, {"f"}), 0u);
  ASSERT_EQ(C.lopen(1, O_RDWR), 0u);
  EXPECT_EQ(C.fsync(1, false), 0u);
  EXPECT_EQ(C.fsync(1, true), 0u);
  EXPECT_EQ(C.fsync(0, true), 0u);
  for (int Type : {int(p9::Tauth), int(p9::Tmknod), int(p9::Txattrwalk), int(p9::Txattrcreate),
                   int(p9::Tlock), int(p9::Tgetlock), 0, 101, 255})
    EXPECT_EQ(C.status(Message(uint8_t(Type)).u32(0)), uint32_t(EOPNOTSUPP)) << Type;
}

TEST_F(VolumeServerTest, FidsAndHandlesAreBounded) {
  volume::ServerOptions O;
  O.MaxFids = 8;
  O.MaxNodes = 6;
  auto S = serve(O);
  Client C(*S);
  for (uint32_t Fid = 1; Fid < 8; ++Fid)
    ASSERT_EQ(C.walk(0, Fid, {}), 0u);
  EXPECT_EQ(C.walk(0, 8, {}), uint32_t(ENFILE));
  EXPECT_EQ(C.attach(8), uint32_t(ENFILE));
  for (uint32_t Fid = 1; Fid < 8; ++Fid)
    ASSERT_EQ(C.clunk(Fid), 0u);
  // Handles: the root, then d and g for each walk. A walk that needs more than are
  // allowed stops where they ran out.
  ASSERT_EQ(C.walk(0, 1, {"d", "g"}), 0u);
  ASSERT_EQ(C.walk(0, 2, {"d", "g"}), 0u);
  EXPECT_EQ(S->nodeCount(), 5u);
  std::vector<p9::Qid> Q;
  ASSERT_EQ(C.walk(0, 3, {"d", "g"}, &Q), 0u);
  EXPECT_EQ(Q.size(), 1u);
  EXPECT_EQ(C.clunk(3), uint32_t(EBADF));
  ASSERT_EQ(C.walk(0, 3, {"f"}), 0u);
  EXPECT_EQ(C.walk(0, 4, {"f"}), uint32_t(ENFILE));
  EXPECT_EQ(S->nodeCount(), 6u);
  ASSERT_EQ(C.clunk(1), 0u);
  EXPECT_EQ(C.walk(0, 4, {"f"}), 0u);
}

TEST_F(VolumeServerTest, RunningOutOfDescriptorsIsAnError) {
  auto S = serve();
  Client C(*S);
  // In a child with a descriptor limit of 64: walks fail with EMFILE once the limit is
  // reached, and work again once fids are clunked.
  auto Exhaust = [&] {
    rlimit Limit = {64, 64};
    if (setrlimit(RLIMIT_NOFILE, &Limit) < 0)
      _exit(2);
    uint32_t Fid = 1, Error = 0;
    for (; Fid < 200 && !(Error = C.walk(0, Fid, {"f"})); ++Fid)
      ;
    if (Error != EMFILE)
      _exit(3);
    for (uint32_t Each = 1; Each < Fid; ++Each)
      C.clunk(Each);
    if (C.walk(0, 1, {"f"}) || C.lopen(1, O_RDONLY))
      _exit(4);
    fprintf(stderr, "EMFILE after %u walks\n", Fid - 1);
    _exit(0);
  };
  EXPECT_EXIT(Exhaust(), ::testing::ExitedWithCode(0), "EMFILE after [0-9]+ walks");
}

TEST_F(VolumeServerTest, CrashPointDiesBeforeTheChosenMutation) {
  // Mutations: create (1), pwrite (2), pwrite (3): dies before the third.
  volume::CrashPoint Crash(3);
  volume::ServerOptions O;
  O.Crash = &Crash;
  auto S = serve(O);
  Client C(*S);
  ASSERT_EQ(C.walk(0, 1, {}), 0u);
  ASSERT_EQ(C.lcreate(1, "log", O_WRONLY, 0600), 0u);
  ASSERT_EQ(C.write(1, 0, "first"), 0u);
  EXPECT_EQ(Crash.count(), 2u);
  EXPECT_EXIT(C.write(1, 5, "second"), ::testing::ExitedWithCode(volume::CrashPointStatus),
              "crash point: dying before mutating host operation 3 \\(pwrite\\)");
  // The child died before writing; this process goes on.
  EXPECT_EQ(get(Vol + "/log"), "first");
  // Reads are not mutations.
  std::string Data;
  ASSERT_EQ(C.reach(2, {"log"}), 0u);
  ASSERT_EQ(C.lopen(2, O_RDONLY), 0u);
  ASSERT_EQ(C.read(2, 0, 100, Data), 0u);
  EXPECT_EQ(Crash.count(), 2u);
}

} // namespace
