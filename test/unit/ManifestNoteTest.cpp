// ManifestNoteTest: the binary manifest round-trips, and corrupt notes are refused.
#include "ManifestNote.h"
#include "TestSupport.h"

#include "Error.h"

#include <cstring>

using namespace ukcxx;

namespace {

Manifest sample() {
  Manifest M;
  M.Name = "web";
  M.Target = "qemu";
  M.Memory = 96ull << 20;
  M.Args = {"--port", "8080", ""};
  M.Env = {{"A", "1"}, {"B", "x=y"}};
  M.Features = {{"threads", {}}, {"net", {}}, {"console", {}}};
  M.ThreadsMax = 12;
  NetDevice Static, Dynamic;
  Static.Name = "eth0", Static.IPv4 = 0x0a00020f, Static.Prefix = 24;
  Static.Gateway = 0x0a000202, Static.DNS = {0x0a000203, 0x01010101}, Static.MTU = 1400;
  Static.MAC = {0x52, 0x54, 0x00, 0x12, 0x34, 0x56};
  Dynamic.Name = "eth1", Dynamic.DHCP = true;
  M.Nets = {Static, Dynamic};
  M.FSRoot = "/srv/rootfs";
  M.FSWorkdir = "/app";
  M.FSTmpSize = 8ull << 20;
  return M;
}

TEST(ManifestNote, RoundTrip) {
  const Catalog &C = fakeCatalog();
  auto Bytes = encodeManifest(sample(), *C.target("qemu"), C, {"kernel", "plat-a"});
  ManifestView V = ManifestView::decode(Bytes);
  EXPECT_EQ(V.Target, uint32_t(UK_TARGET_QEMU));
  EXPECT_EQ(V.Name, "web");
  EXPECT_EQ(V.Memory, 96ull << 20);
  EXPECT_EQ(V.Args, (std::vector<std::string>{"--port", "8080", ""}));
  EXPECT_EQ(V.Env, (std::vector<std::string>{"A=1", "B=x=y"}));
  EXPECT_EQ(V.Features, uint64_t(UK_FEATURE_THREADS | UK_FEATURE_NET | UK_FEATURE_CONSOLE));
  EXPECT_EQ(V.ThreadsMax, 12u);
  ASSERT_EQ(V.Nets.size(), 2u);
  EXPECT_EQ(V.Nets[0].Name, "eth0");
  EXPECT_EQ(V.Nets[0].IPv4, __builtin_bswap32(0x0a00020f));
  EXPECT_EQ(V.Nets[0].DNS, (std::vector<uint32_t>{__builtin_bswap32(0x0a000203),
                                                  __builtin_bswap32(0x01010101)}));
  EXPECT_EQ(V.Nets[0].MTU, 1400);
  EXPECT_EQ(V.Nets[0].MAC, (std::array<uint8_t, 6>{0x52, 0x54, 0x00, 0x12, 0x34, 0x56}));
  EXPECT_TRUE(V.Nets[1].DHCP);
  EXPECT_TRUE(V.Nets[1].DNS.empty());
  EXPECT_EQ(V.Components, (std::vector<std::string>{"kernel", "plat-a"}));
  EXPECT_EQ(V.FSRoot, "/srv/rootfs");
  EXPECT_EQ(V.FSWorkdir, "/app");
  EXPECT_EQ(V.FSTmpSize, 8ull << 20);

  Manifest Back = manifestFromView(V);
  EXPECT_EQ(Back.Env, sample().Env);
  EXPECT_EQ(Back.Nets[0].IPv4, 0x0a00020fu);
  EXPECT_EQ(Back.Nets[0].DNS, sample().Nets[0].DNS);
  EXPECT_EQ(Back.Nets[0].MAC, sample().Nets[0].MAC);
}

std::string decodeError(std::vector<uint8_t> Bytes) {
  try {
    ManifestView::decode(Bytes);
    return "(no error)";
  } catch (const Error &E) {
    return E.what();
  }
}

TEST(ManifestNote, CorruptNotesAreRefused) {
  const Catalog &C = fakeCatalog();
  auto Good = encodeManifest(sample(), *C.target("qemu"), C, {});
  EXPECT_EQ(decodeError({}), "manifest header lies outside the note");

  auto Truncated = Good;
  Truncated.resize(Good.size() - 9);
  EXPECT_EQ(decodeError(Truncated), "manifest note is truncated");

  auto BadMagic = Good;
  BadMagic[0] ^= 1;
  EXPECT_EQ(decodeError(BadMagic), "manifest note has a bad magic number");

  auto BadVersion = Good;
  BadVersion[4] = 9;
  EXPECT_EQ(decodeError(BadVersion), "manifest version 9 is not supported (this tool reads "
                                     "version " +
                                         std::to_string(UK_MANIFEST_VERSION) + ")");

  // Point the name past the end, then make the argument count absurd.
  auto BadName = Good;
  uint32_t Far = 0xfffffff0;
  std::memcpy(BadName.data() + offsetof(uk_manifest, name), &Far, 4);
  EXPECT_EQ(decodeError(BadName), "manifest name lies outside the note");

  auto BadCount = Good;
  uint32_t Huge = 0x40000000;
  std::memcpy(BadCount.data() + offsetof(uk_manifest, argc), &Huge, 4);
  EXPECT_EQ(decodeError(BadCount), "manifest args count is too large");

  // A string without its terminating NUL at the very end of the note.
  auto Unterminated = Good;
  Unterminated.back() = 'x';
  uint32_t Last = Unterminated.size() - 1;
  std::memcpy(Unterminated.data() + offsetof(uk_manifest, name), &Last, 4);
  EXPECT_EQ(decodeError(Unterminated), "manifest name is not NUL-terminated");
}

} // namespace
