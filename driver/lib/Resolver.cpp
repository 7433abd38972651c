// Resolver: closure over component requirements, with conflict detection.
#include "Resolver.h"

#include "llvm/ADT/StringExtras.h"

#include <algorithm>

namespace ukcxx {
namespace {

bool contains(const std::vector<std::string> &List, llvm::StringRef Item) {
  return std::find(List.begin(), List.end(), Item) != List.end();
}

bool supports(const ComponentInfo &C, const TargetInfo &T) {
  return C.Targets.empty() || contains(C.Targets, T.Name);
}

bool satisfies(const ComponentInfo &C, llvm::StringRef Requirement) {
  return C.Name == Requirement || contains(C.Provides, Requirement);
}

class Resolution {
public:
  Resolution(const Catalog &Cat, const TargetInfo &T) : Cat(Cat), T(T) {}

  /// Adds component Name, chosen because of Why ("target 'qemu'", "feature 'net'").
  llvm::Error add(llvm::StringRef Name, const std::string &Why) {
    const ComponentInfo *C = Cat.component(Name);
    if (!C)
      return makeError(Why + " needs runtime component '" + Name +
                       "', which is not installed in '" + Cat.resourceDir() + "'");
    if (!supports(*C, T))
      return makeError("runtime component '" + Name + "' (needed by " + Why +
                       ") does not support target '" + T.Name + "'");
    if (std::find(Chosen.begin(), Chosen.end(), C) != Chosen.end())
      return llvm::Error::success();
    Chosen.push_back(C);
    Reasons.push_back(Why);
    return llvm::Error::success();
  }

  /// Adds a provider for every requirement until nothing is missing.
  llvm::Error close() {
    for (size_t I = 0; I < Chosen.size(); ++I) {
      for (const auto &Req : Chosen[I]->Requires) {
        if (std::any_of(Chosen.begin(), Chosen.end(),
                        [&](const ComponentInfo *C) { return satisfies(*C, Req); }))
          continue;
        std::vector<std::string> Candidates;
        for (const auto &C : Cat.components())
          if (satisfies(C, Req) && supports(C, T))
            Candidates.push_back(C.Name);
        if (Candidates.empty())
          return makeError("runtime component '" + Chosen[I]->Name + "' requires '" + Req +
                           "', which no component provides for target '" + T.Name + "'");
        if (Candidates.size() > 1)
          return makeError("runtime component '" + Chosen[I]->Name + "' requires '" + Req +
                           "', which several components provide (" +
                           llvm::join(Candidates, ", ") +
                           "); the target or a feature must choose one");
        if (auto E = add(Candidates.front(), "component '" + Chosen[I]->Name + "'"))
          return E;
      }
    }
    return llvm::Error::success();
  }

  llvm::Error checkConflicts() const {
    for (size_t I = 0; I < Chosen.size(); ++I)
      for (size_t J = I + 1; J < Chosen.size(); ++J) {
        const ComponentInfo &A = *Chosen[I], &B = *Chosen[J];
        std::string Why;
        if (contains(A.Conflicts, B.Name) || contains(B.Conflicts, A.Name))
          Why = "they cannot be linked together";
        for (const auto &P : A.Provides)
          if (contains(B.Provides, P))
            Why = "both provide '" + P + "'";
        if (!Why.empty())
          return makeError("runtime components '" + A.Name + "' (from " + Reasons[I] +
                           ") and '" + B.Name + "' (from " + Reasons[J] + ") conflict: " + Why);
      }
    return llvm::Error::success();
  }

  std::vector<const ComponentInfo *> Chosen;
  std::vector<std::string> Reasons;

private:
  const Catalog &Cat;
  const TargetInfo &T;
};

} // namespace

llvm::Expected<std::vector<const ComponentInfo *>>
resolveComponents(const Catalog &Cat, const TargetInfo &Target, const Manifest &M) {
  Resolution R(Cat, Target);
  for (const auto &Name : Target.Components)
    if (auto E = R.add(Name, "target '" + Target.Name + "'"))
      return std::move(E);
  for (const auto &[Name, Where] : M.Features) {
    const FeatureInfo *F = Cat.feature(Name);
    if (!contains(Target.Features, Name)) {
      std::string Message =
          "feature '" + Name + "' is not available on target '" + Target.Name + "'";
      if (F && F->Components.empty() && !F->Always)
        Message += " (not implemented yet)";
      return makeError(Where, Message);
    }
    for (const auto &Component : F->Components)
      if (auto E = R.add(Component, "feature '" + Name + "'"))
        return std::move(E);
  }
  if (auto E = R.close())
    return std::move(E);
  if (auto E = R.checkConflicts())
    return std::move(E);
  return R.Chosen;
}

} // namespace ukcxx
