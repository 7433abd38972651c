// ResolverTest: components chosen from a target and features, and the errors.
#include "Resolver.h"
#include "TestSupport.h"

using namespace ukcxx;

namespace {

std::vector<std::string> resolve(const std::string &Target, std::vector<std::string> Features,
                                 std::string *Error) {
  Manifest M;
  for (auto &F : Features)
    M.Features[F] = {};
  auto R = resolveComponents(fakeCatalog(), *fakeCatalog().target(Target), M);
  if (!R) {
    *Error = describe(R.takeError());
    return {};
  }
  std::vector<std::string> Names;
  for (const auto *C : *R)
    Names.push_back(C->Name);
  return Names;
}

TEST(Resolver, TargetComponentsAndTheirRequirements) {
  std::string E;
  EXPECT_EQ(resolve("qemu", {}, &E), (std::vector<std::string>{"kernel", "plat-a", "arch"}));
  EXPECT_EQ(E, "");
}

TEST(Resolver, FeatureWithSingleProvider) {
  std::string E;
  EXPECT_EQ(resolve("qemu", {"net"}, &E),
            (std::vector<std::string>{"kernel", "plat-a", "net-stack", "arch", "virtio-net"}));
  EXPECT_EQ(E, "");
}

TEST(Resolver, AmbiguousRequirement) {
  std::string E;
  resolve("x86_64", {"net"}, &E);
  EXPECT_EQ(E, "runtime component 'net-stack' requires 'net-driver', which several components "
               "provide (tap-net, virtio-net); the target or a feature must choose one");
}

TEST(Resolver, ConflictingProviders) {
  std::string E;
  resolve("kvm", {"threads"}, &E);
  EXPECT_EQ(E, "runtime components 'sched-rr' (from target 'kvm') and 'sched-coop' (from "
               "component 'threads') conflict: both provide 'scheduler'");
}

TEST(Resolver, FeatureNotOnTarget) {
  std::string E;
  resolve("kvm", {"net"}, &E);
  EXPECT_EQ(E, "feature 'net' is not available on target 'kvm'");
  resolve("qemu", {"fs"}, &E);
  EXPECT_EQ(E, "feature 'fs' is not available on target 'qemu' (not implemented yet)");
}

} // namespace
