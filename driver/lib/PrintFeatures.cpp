// PrintFeatures: clang plans the compile jobs, CallSites reads each source,
// FeatureCheck the objects; the uses become JSON or a first manifest.
#include "PrintFeatures.h"

#include "CallSites.h"
#include "DebugCallSites.h"
#include "FeatureCheck.h"
#include "ImageLink.h"

#include "clang/Driver/Job.h"
#include "clang/Driver/Tool.h"
#include "llvm/ADT/STLExtras.h"
#include "llvm/ADT/StringExtras.h"
#include "llvm/Support/FileSystem.h"
#include "llvm/Support/FormatVariadic.h"
#include "llvm/Support/JSON.h"

#include <set>

namespace ukcxx {
namespace {

/// One use of a feature, located in a source, an object, or both.
struct LocatedUse {
  std::string Feature;
  std::string Symbol;
  std::string Name;   // as the source writes it: "std::thread::_M_start_thread"
  std::string Object; // empty for a source's use
  SourceLocation Location;
};

/// The uses in the source that Job compiles; adds the functions it needs from
/// elsewhere to External.
llvm::Error addSourceUses(const clang::driver::Command &Job, const FeatureMatcher &Matcher,
                          std::vector<LocatedUse> &Uses, std::vector<std::string> &External) {
  const auto &Args = Job.getArguments();
  std::vector<const char *> Cc1(Args.begin() + 1, Args.end());
  SourceReferences Found;
  TRY_ASSIGN(Found, findCallSites(Cc1, ParseMode::FirstParse,
                                  [&](llvm::StringRef S) { return Matcher.match(S); }));
  for (auto &Site : Found.Sites)
    Uses.push_back(
        {Matcher.match(Site.Symbol)->Name, Site.Symbol, Site.Name, "", Site.Location});
  External.insert(External.end(), Found.External.begin(), Found.External.end());
  return llvm::Error::success();
}

/// The uses in the objects and archives given to the link, with their DWARF lines
/// where the object has them.
llvm::Error addObjectUses(const Catalog &Cat, const std::vector<ProgramInput> &Inputs,
                          llvm::ArrayRef<std::string> External, std::vector<LocatedUse> &Uses) {
  std::vector<FeatureUse> Found;
  TRY_ASSIGN(Found, findFeatureUses(Cat, Inputs, External));
  for (const auto &Use : Found) {
    std::vector<CallSite> Sites;
    if (!Use.Path.empty()) {
      auto Located = findDebugCallSites(
          Use.Path, Use.InArchive ? std::optional<uint64_t>(Use.MemberOffset) : std::nullopt,
          {Use.Symbol});
      if (!Located)
        return Located.takeError();
      Sites = std::move(*Located);
    }
    if (Sites.empty())
      Uses.push_back({Use.Feature, Use.Symbol, sourceName(Use.Symbol), Use.User, {}});
    for (auto &Site : Sites)
      Uses.push_back({Use.Feature, Use.Symbol, Site.Name, Use.User, Site.Location});
  }
  return llvm::Error::success();
}

/// Every use of a feature in the program that C would build; warnings say Tool.
llvm::Expected<std::vector<LocatedUse>>
findUses(const Catalog &Cat, clang::driver::Compilation &C, llvm::StringRef Tool) {
  FeatureMatcher Matcher;
  TRY_ASSIGN(Matcher, FeatureMatcher::create(Cat));
  std::vector<LocatedUse> Uses;
  std::vector<std::string> External;
  std::set<std::string> Produced;
  const clang::driver::Command *Link = nullptr;
  for (const auto &Job : C.getJobs()) {
    // A job that reads another's output (with -save-temps, all after -E) brings
    // nothing new: the first job, which reads the source, is analysed.
    bool ReadsSource = llvm::none_of(Job.getInputInfos(), [&](const auto &Input) {
      return Input.isFilename() && Produced.count(Input.getFilename());
    });
    for (const auto &Out : Job.getOutputFilenames())
      Produced.insert(Out);
    const auto &Args = Job.getArguments();
    if (Job.getCreator().isLinkJob())
      Link = &Job;
    else if (!ReadsSource)
      continue;
    else if (!Args.empty() && llvm::StringRef(Args.front()) == "-cc1") {
      if (auto E = addSourceUses(Job, Matcher, Uses, External))
        return std::move(E);
    } else {
      // An assembly source, for one: no parser here reads it, and silence would let
      // a CI gate pass a program that needs more than it says.
      for (const auto &Input : Job.getInputInfos())
        if (Input.isFilename())
          llvm::errs() << Tool << ": warning: '" << Input.getFilename()
                       << "' is not analyzed (only C and C++ sources, objects and "
                          "archives are)\n";
    }
  }
  if (Link)
    if (auto E = addObjectUses(Cat, programInputs(*Link, Produced), External, Uses))
      return std::move(E);
  return Uses;
}

llvm::json::Value toJSON(const std::vector<LocatedUse> &Uses) {
  std::set<std::string> Features;
  llvm::json::Array Array;
  for (const auto &Use : Uses) {
    Features.insert(Use.Feature);
    llvm::json::Object O{{"feature", Use.Feature}, {"symbol", Use.Symbol}, {"name", Use.Name}};
    if (!Use.Object.empty())
      O["object"] = Use.Object;
    if (!Use.Location.File.empty()) {
      O["file"] = Use.Location.File;
      O["line"] = Use.Location.Line;
      O["column"] = Use.Location.Column;
    }
    Array.push_back(std::move(O));
  }
  return llvm::json::Object{{"features", llvm::json::Array(std::vector<std::string>(
                                             Features.begin(), Features.end()))},
                            {"uses", std::move(Array)}};
}

/// The target a first manifest names: the one asked for; none when the default target
/// provides Features; else the first image target that provides them all (net, for
/// one, is QEMU's only), so that the manifest links as written.
std::string chooseTarget(const Catalog &Cat, const std::set<std::string> &Features,
                         const std::string &Requested) {
  if (!Requested.empty())
    return Requested;
  const TargetInfo *Default = Cat.target(DefaultTarget);
  if (!Default || providesAll(*Default, Features))
    return {};
  const TargetInfo *Other = imageTargetProviding(Cat, Features);
  return Other ? Other->Name : std::string();
}

/// Writes a first manifest at Path enabling the features of Uses, for the target
/// Requested (or one that provides them); never replaces one.
llvm::Error writeManifest(const std::string &Path, const Catalog &Cat,
                          const std::vector<LocatedUse> &Uses, const std::string &Requested) {
  if (!Requested.empty() && !Cat.target(Requested))
    return makeError("unknown target '" + Requested + "' in --target" +
                     suggest(Requested, Cat.targetNames()));
  std::set<std::string> Features;
  for (const auto &Use : Uses)
    Features.insert(Use.Feature);
  std::string Target = chooseTarget(Cat, Features, Requested);
  std::error_code EC;
  llvm::raw_fd_ostream OS(Path, EC, llvm::sys::fs::CD_CreateNew);
  if (EC == std::errc::file_exists)
    return makeError("'" + Path + "' already exists; edit it, or remove it to start again (" +
                     "--print-features lists what the program needs)");
  if (EC)
    return makeError("cannot write '" + Path + "': " + EC.message());
  OS << "# The unikernel's manifest (docs/manifest.md), written by ukc++ --init from the\n"
     << "# features the program uses.\n"
     << "version: 1\n";
  if (!Target.empty())
    OS << "target: " << Target << "\n";
  if (Features.empty())
    OS << "features: {}\n";
  else
    OS << "features:\n";
  for (const auto &Name : Features)
    for (llvm::StringRef Line : llvm::split(Cat.feature(Name)->Snippet, '\n'))
      if (!Line.empty())
        OS << "  " << Line << "\n";
  return llvm::Error::success();
}

} // namespace

int printFeatures(const Invocation &Inv, clang::driver::Driver &D) {
  auto Cat = loadCatalog(Inv);
  if (!Cat) {
    printError(Inv.Tool, Cat.takeError());
    return 1;
  }
  auto Argv = clangArgv(Inv, {});
  std::unique_ptr<clang::driver::Compilation> C(D.BuildCompilation(Argv));
  if (!C || C->containsError() || D.getDiags().hasErrorOccurred())
    return 1;
  auto Uses = findUses(*Cat, *C, Inv.Tool);
  if (!Uses) {
    printError(Inv.Tool, Uses.takeError());
    return 1;
  }
  if (Inv.Opts.Init) {
    std::string Path = Inv.Opts.Manifest.empty() ? "unikernel.yaml" : Inv.Opts.Manifest;
    if (auto E = writeManifest(Path, *Cat, *Uses, Inv.Opts.Target)) {
      printError(Inv.Tool, std::move(E));
      return 1;
    }
    return 0;
  }
  llvm::outs() << llvm::formatv("{0:2}", toJSON(*Uses)) << "\n";
  return 0;
}

} // namespace ukcxx
