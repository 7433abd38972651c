// FeatureErrors: locating each missing feature's uses, then one error per place.
#include "FeatureErrors.h"

#include "CallSites.h"
#include "DebugCallSites.h"
#include "Diagnostic.h"

#include "clang/Driver/Job.h"
#include "clang/Driver/Tool.h"
#include "llvm/ADT/StringExtras.h"

#include <set>
#include <tuple>

namespace ukcxx {
namespace {

struct Diagnosis {
  SourceLocation Location;
  std::string Message;
  std::vector<std::string> Notes;
};

/// The places in the program that make User's object need the symbols of Uses, or
/// nothing when neither its source nor its debug information says.
std::vector<CallSite> locate(const std::vector<const FeatureUse *> &Uses,
                             const CompileJobs &Jobs) {
  std::set<std::string> Symbols;
  for (const auto *Use : Uses)
    Symbols.insert(Use->Symbol);
  const std::string &Path = Uses.front()->Path;
  llvm::Expected<std::vector<CallSite>> Sites = std::vector<CallSite>();
  if (auto Job = Jobs.find(Path); Job != Jobs.end()) {
    auto Found = findCallSites(Job->second, ParseMode::Reparse,
                               [&](llvm::StringRef S) { return Symbols.count(S.str()); });
    if (Found)
      Sites = std::move(Found->Sites);
    else
      Sites = Found.takeError();
  } else if (!Path.empty())
    Sites = findDebugCallSites(Path,
                               Uses.front()->InArchive
                                   ? std::optional<uint64_t>(Uses.front()->MemberOffset)
                                   : std::nullopt,
                               Symbols);
  if (!Sites) {
    // Locating is a courtesy: without it the error still names object and symbol.
    llvm::consumeError(Sites.takeError());
    return {};
  }
  return std::move(*Sites);
}

/// Adds to Out the errors for one object's Uses: one per place in the program, or one
/// per symbol when no place is known.
void diagnoseObject(const std::vector<const FeatureUse *> &Uses, const CompileJobs &Jobs,
                    llvm::StringRef ManifestName, std::vector<Diagnosis> &Out) {
  std::map<std::string, std::string> FeatureOf;
  for (const auto *Use : Uses)
    FeatureOf[Use->Symbol] = Use->Feature;
  std::set<std::string> Located;
  for (const auto &Site : locate(Uses, Jobs)) {
    Diagnosis D{Site.Location,
                "'" + Site.Name + "' needs feature '" + FeatureOf[Site.Symbol] + "', which " +
                    ManifestName.str() + " does not enable",
                {}};
    if (!Site.MainFile.File.empty())
      D.Notes.push_back(formatLocation(Site.MainFile) + ": note: '" + Site.Through +
                        "' is called here");
    Out.push_back(std::move(D));
    Located.insert(Site.Symbol);
  }
  for (const auto *Use : Uses)
    if (!Located.count(Use->Symbol))
      Out.push_back({{},
                     Use->User + " uses '" + Use->Symbol + "' (feature '" + Use->Feature +
                         "'), which " + ManifestName.str() + " does not enable",
                     {}});
}

bool isClangFrontend(const clang::driver::Command &Job) {
  const auto &Args = Job.getArguments();
  return !Args.empty() && llvm::StringRef(Args.front()) == "-cc1";
}

/// The lines to add to the manifest for Features, and, when Target cannot provide
/// them, a target that can: enabling them alone would only move the error.
void addManifestNotes(const Catalog &Cat, const TargetInfo &Target,
                      const std::set<std::string> &Features, llvm::StringRef ManifestName,
                      std::vector<std::string> &Notes) {
  Notes.push_back("note: enable " + std::string(Features.size() == 1 ? "it" : "them") + " in " +
                  ManifestName.str() + ":");
  Notes.push_back("  features:");
  for (const auto &Name : Features)
    for (llvm::StringRef Line : llvm::split(Cat.feature(Name)->Snippet, '\n'))
      if (!Line.empty())
        Notes.push_back("    " + Line.str());
  std::vector<std::string> Lacking;
  for (const auto &Name : Features)
    if (!llvm::is_contained(Target.Features, Name))
      Lacking.push_back("'" + Name + "'");
  if (Lacking.empty())
    return;
  std::string Note =
      "note: target '" + Target.Name + "' does not provide " + llvm::join(Lacking, ", ");
  if (const TargetInfo *Other = imageTargetProviding(Cat, Features))
    Note += "; target '" + Other->Name + "' does (target: " + Other->Name + ")";
  Notes.push_back(Note);
}

} // namespace

CompileJobs compileJobs(const clang::driver::Compilation &C) {
  std::map<std::string, const clang::driver::Command *> Producer;
  for (const auto &Job : C.getJobs())
    if (!Job.getCreator().isLinkJob())
      for (const auto &Out : Job.getOutputFilenames())
        Producer[Out] = &Job;
  CompileJobs Jobs;
  for (const auto &[Object, Last] : Producer) {
    // Back through the jobs that made the object, to the frontend nearest the source.
    const clang::driver::Command *Source = nullptr;
    const clang::driver::Command *Job = Last;
    for (int Steps = 0; Job && Steps < 8; ++Steps) {
      if (isClangFrontend(*Job))
        Source = Job;
      const auto &Inputs = Job->getInputInfos();
      auto Up = Producer.end();
      if (Inputs.size() == 1 && Inputs.front().isFilename())
        Up = Producer.find(Inputs.front().getFilename());
      Job = Up == Producer.end() ? nullptr : Up->second;
    }
    if (Source)
      Jobs[Object].assign(Source->getArguments().begin() + 1, Source->getArguments().end());
  }
  return Jobs;
}

llvm::Error missingFeatureError(const std::vector<FeatureUse> &Missing, const CompileJobs &Jobs,
                                const Catalog &Cat, const TargetInfo &Target,
                                llvm::StringRef ManifestName) {
  // One object at a time, in link order, so that each source is parsed once. Two
  // objects may have one name (a/main.c, b/main.c): the file tells them apart.
  using ObjectKey = std::tuple<std::string, uint64_t, std::string>;
  std::vector<ObjectKey> Objects;
  std::map<ObjectKey, std::vector<const FeatureUse *>> ByObject;
  std::set<std::string> Features;
  for (const auto &Use : Missing) {
    ObjectKey Key{Use.Path, Use.MemberOffset, Use.User};
    if (!ByObject.count(Key))
      Objects.push_back(Key);
    ByObject[Key].push_back(&Use);
    Features.insert(Use.Feature);
  }
  std::vector<Diagnosis> Diagnoses;
  for (const auto &Key : Objects)
    diagnoseObject(ByObject[Key], Jobs, ManifestName, Diagnoses);

  addManifestNotes(Cat, Target, Features, ManifestName, Diagnoses.back().Notes);
  llvm::Error Result = llvm::Error::success();
  for (auto &D : Diagnoses)
    Result = llvm::joinErrors(std::move(Result),
                              makeError(std::move(D.Location), D.Message, std::move(D.Notes)));
  return Result;
}

} // namespace ukcxx
