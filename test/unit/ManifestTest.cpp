// ManifestTest: manifest v1 parsing and validation, every error precise and located.
#include "Manifest.h"
#include "TestSupport.h"

using namespace ukcxx;

namespace {

Manifest parseOK(const std::string &Text) {
  auto M = parseManifest(Text, "unikernel.yaml", fakeCatalog());
  if (!M) {
    ADD_FAILURE() << describe(M.takeError());
    return {};
  }
  return std::move(*M);
}

std::string parseError(const std::string &Text) {
  auto M = parseManifest(Text, "unikernel.yaml", fakeCatalog());
  if (M)
    return "(no error)";
  return describe(M.takeError());
}

TEST(Manifest, EmptyFileTakesDefaults) {
  Manifest M = parseOK("");
  EXPECT_EQ(M.Memory, Manifest::DefaultMemory);
  EXPECT_TRUE(M.Target.empty());
  EXPECT_TRUE(M.Features.empty());
}

TEST(Manifest, EveryField) {
  Manifest M = parseOK(R"(
version: 1
name: web
target: qemu
memory: 128Mi
args: ["--port", "8080"]
env: { GREETING: hi, EMPTY: "" }
features:
  clock: {}
  threads: { max: 64, stack: 256Ki }
  net: [ { name: eth0, ipv4: 10.0.2.15/24, gateway: 10.0.2.2 }, { name: eth1, ipv4: dhcp } ]
  block: [ { name: data } ]
)");
  EXPECT_EQ(M.Name, "web");
  EXPECT_EQ(M.Target, "qemu");
  EXPECT_EQ(M.Memory, 128ull << 20);
  EXPECT_EQ(M.Args, (std::vector<std::string>{"--port", "8080"}));
  ASSERT_EQ(M.Env.size(), 2u);
  EXPECT_EQ(M.Env[0], (std::pair<std::string, std::string>{"GREETING", "hi"}));
  EXPECT_EQ(M.ThreadsMax, 64u);
  EXPECT_EQ(M.ThreadStack, 256ull << 10);
  ASSERT_EQ(M.Nets.size(), 2u);
  EXPECT_EQ(M.Nets[0].IPv4, 0x0a00020fu);
  EXPECT_EQ(M.Nets[0].Prefix, 24);
  EXPECT_EQ(M.Nets[0].Gateway, 0x0a000202u);
  EXPECT_TRUE(M.Nets[1].DHCP);
  EXPECT_EQ(M.Blocks, std::vector<std::string>{"data"});
  EXPECT_TRUE(M.has("threads") && M.has("net") && M.has("block") && M.has("clock"));
  EXPECT_EQ(M.Features["threads"].Line, 10u);
}

TEST(Manifest, FeatureWithoutSettings) {
  Manifest M = parseOK("features:\n  threads:\n");
  EXPECT_TRUE(M.has("threads"));
  EXPECT_EQ(M.ThreadsMax, Manifest::DefaultThreadsMax);
}

TEST(Manifest, UnknownKeySuggests) {
  EXPECT_EQ(parseError("memroy: 64Mi\n"),
            "unikernel.yaml:1:1: unknown key 'memroy' in the manifest; did you mean 'memory'?");
  EXPECT_EQ(parseError("colour: red\n"),
            "unikernel.yaml:1:1: unknown key 'colour' in the manifest (valid: version, name, "
            "target, memory, args, env, features)");
}

TEST(Manifest, UnknownTargetAndFeature) {
  EXPECT_EQ(parseError("target: qemmu\n"),
            "unikernel.yaml:1:9: unknown target 'qemmu'; did you mean 'qemu'?");
  EXPECT_EQ(parseError("features:\n  thread: {}\n"),
            "unikernel.yaml:2:3: unknown feature 'thread'; did you mean 'threads'?");
}

TEST(Manifest, Sizes) {
  EXPECT_EQ(parseError("memory: 64M\n"),
            "unikernel.yaml:1:9: malformed size '64M' for 'memory'; did you mean '64Mi'?");
  EXPECT_EQ(parseError("memory: lots\n"),
            "unikernel.yaml:1:9: malformed size 'lots' for 'memory' (write a number with a "
            "binary suffix, like 512Ki, 64Mi or 1Gi)");
  EXPECT_EQ(parseError("memory: 1Mi\n"),
            "unikernel.yaml:1:9: 'memory' 1Mi is out of range (4Mi to 64Gi)");
  EXPECT_EQ(parseError("memory: 99999999999999999Gi\n"),
            "unikernel.yaml:1:9: malformed size '99999999999999999Gi' for 'memory' (write a "
            "number with a binary suffix, like 512Ki, 64Mi or 1Gi)");
  EXPECT_EQ(parseError("memory: 4097Ki\n"),
            "unikernel.yaml:1:9: 'memory' 4097Ki is not a whole number of 4Ki pages");
  EXPECT_EQ(parseOK("memory: 1Gi\n").Memory, 1ull << 30);
  EXPECT_EQ(parseOK("memory: 16777216\n").Memory, 16ull << 20);
}

TEST(Manifest, WrongTypes) {
  EXPECT_EQ(parseError("args: --port\n"), "unikernel.yaml:1:7: 'args' must be a list");
  EXPECT_EQ(parseError("name: [a, b]\n"),
            "unikernel.yaml:1:7: 'name' must be a single value, not a list or map");
  EXPECT_EQ(parseError("env: [A=1]\n"),
            "unikernel.yaml:1:6: 'env' must map variable names to values");
  EXPECT_EQ(parseError("features: [threads]\n"),
            "unikernel.yaml:1:11: 'features' must map feature names to their settings, like "
            "'threads: {}'");
  EXPECT_EQ(parseError("- a\n- b\n"),
            "unikernel.yaml:1:1: the manifest must be a map of keys to values");
}

TEST(Manifest, OutOfRange) {
  EXPECT_EQ(
      parseError("features:\n  threads: { max: 0 }\n"),
      "unikernel.yaml:2:19: 'threads.max' must be a whole number from 1 to 4096, not '0'");
  EXPECT_EQ(parseError("features:\n  threads: { max: many }\n"),
            "unikernel.yaml:2:19: 'threads.max' must be a whole number from 1 to 4096, not "
            "'many'");
  EXPECT_EQ(parseError("features:\n  threads: { stack: 4Ki }\n"),
            "unikernel.yaml:2:21: 'threads.stack' 4Ki is out of range (16Ki to 1Gi)");
}

TEST(Manifest, Devices) {
  EXPECT_EQ(parseError("features:\n  net: [ { name: eth0, ipv4: dhcp }, { name: eth0, ipv4: "
                       "dhcp } ]\n"),
            "unikernel.yaml:2:46: duplicate net device name 'eth0'");
  EXPECT_EQ(parseError("features:\n  net: [ { name: eth0, ipv4: 10.0.2.300/24 } ]\n"),
            "unikernel.yaml:2:30: malformed 'ipv4' '10.0.2.300/24'; write an address with "
            "prefix like 10.0.2.15/24, or dhcp");
  EXPECT_EQ(parseError("features:\n  net: [ { name: eth0 } ]\n"),
            "unikernel.yaml:2:10: net device 'eth0' needs 'ipv4': an address with prefix like "
            "10.0.2.15/24, or dhcp");
  EXPECT_EQ(
      parseError("features:\n  net: {}\n"),
      "unikernel.yaml:2:8: feature 'net' takes a list of devices, like [ { name: eth0 } ]");
  EXPECT_EQ(parseError("features:\n  block: [ { name: a }, { name: a } ]\n"),
            "unikernel.yaml:2:33: duplicate block device name 'a'");
  EXPECT_EQ(parseError("features:\n  block: [ { nmae: a } ]\n"),
            "unikernel.yaml:2:14: unknown key 'nmae' in a block device; did you mean 'name'?");
}

TEST(Manifest, Duplicates) {
  EXPECT_EQ(parseError("name: a\nname: b\n"),
            "unikernel.yaml:2:1: duplicate key 'name' in the manifest");
  EXPECT_EQ(parseError("env: { A: 1, A: 2 }\n"),
            "unikernel.yaml:1:14: duplicate variable 'A' in 'env'");
}

TEST(Manifest, Syntax) {
  EXPECT_EQ(parseError("name: [unclosed\n"),
            "unikernel.yaml:2:1: invalid YAML: end of sequence flow not found");
  EXPECT_EQ(
      parseError("version: 2\n"),
      "unikernel.yaml:1:10: unsupported manifest version '2'; this ukc++ reads version 1");
}

TEST(Manifest, SizeParser) {
  EXPECT_EQ(*parseSize("512Ki"), 512ull << 10);
  EXPECT_FALSE(bool(parseSize("Ki")) ||
               (llvm::consumeError(parseSize("Ki").takeError()), false));
  auto Bad = parseSize("12Ti");
  EXPECT_FALSE(bool(Bad));
  llvm::consumeError(Bad.takeError());
}

} // namespace
