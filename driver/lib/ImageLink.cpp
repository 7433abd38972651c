// ImageLink: clang plans and compiles; ukc++ checks, resolves and links the image.
#include "ImageLink.h"

#include "Diagnostic.h"
#include "FeatureCheck.h"
#include "FeatureErrors.h"
#include "ManifestNote.h"
#include "Resolver.h"
#include "SectionObject.h"
#include "TreePack.h"
#include "uk/abi/tree.h"

#include "clang/Driver/Job.h"
#include "clang/Driver/Options.h"
#include "clang/Driver/Tool.h"
#include "llvm/ADT/StringExtras.h"
#include "llvm/Option/ArgList.h"
#include "llvm/Support/FileSystem.h"
#include "llvm/Support/Path.h"

#include <elf.h>
#include <optional>
#include <set>

namespace ukcxx {
namespace {

namespace opts = clang::driver::options;

/// Static libraries of the C and C++ toolchain: they are the platform, not the
/// program, so the feature check does not look inside them.
const std::set<std::string> ToolchainLibraries = {
    "c",  "m",    "stdc++", "supc++", "gcc",    "gcc_eh", "pthread", "dl",
    "rt", "util", "resolv", "crypt",  "atomic", "anl",    "mvec",    "c_nonshared"};

/// Locates -lNAME the way the linker will: the first DIR/libNAME.a in -L order.
std::string findLibrary(llvm::StringRef Name, const std::vector<std::string> &Dirs) {
  std::string File =
      Name.starts_with(":") ? Name.drop_front().str() : ("lib" + Name + ".a").str();
  for (const auto &Dir : Dirs) {
    llvm::SmallString<256> Path(Dir);
    llvm::sys::path::append(Path, File);
    if (llvm::sys::fs::is_regular_file(Path))
      return std::string(Path);
  }
  return {};
}

} // namespace

std::vector<ProgramInput> programInputs(const clang::driver::Command &Link,
                                        const std::set<std::string> &Pending) {
  std::vector<std::string> SearchDirs, Libraries;
  const auto &Args = Link.getArguments();
  for (size_t I = 0; I < Args.size(); ++I) {
    llvm::StringRef A = Args[I];
    if ((A == "-L" || A == "-l") && I + 1 < Args.size())
      (A == "-L" ? SearchDirs : Libraries).push_back(Args[++I]);
    else if (A.starts_with("-L"))
      SearchDirs.push_back(A.drop_front(2).str());
    else if (A.starts_with("-l"))
      Libraries.push_back(A.drop_front(2).str());
  }
  std::vector<ProgramInput> Inputs;
  for (const auto &II : Link.getInputInfos())
    if (II.isFilename() && !Pending.count(II.getFilename()))
      Inputs.push_back({II.getFilename(), II.getBaseInput()});
  for (const auto &Name : Libraries) {
    if (ToolchainLibraries.count(Name))
      continue;
    std::string Path = findLibrary(Name, SearchDirs);
    if (!Path.empty())
      Inputs.push_back({Path, llvm::sys::path::filename(Path).str()});
  }
  return Inputs;
}

namespace {

class ImageLink {
public:
  ImageLink(const Invocation &Inv, clang::driver::Driver &D) : Inv(Inv), D(D) {}

  int run();

private:
  const Invocation &Inv;
  clang::driver::Driver &D;
  std::optional<Catalog> Cat;
  Manifest M;
  const TargetInfo *Target = nullptr;
  bool Verbose = false, DryRun = false;

  llvm::Error checkFeatures(const std::vector<FeatureUse> &Uses, const CompileJobs &Jobs);
  int fail(llvm::Error E) {
    printError(Inv.Tool, std::move(E));
    return 1;
  }
};

llvm::Error ImageLink::checkFeatures(const std::vector<FeatureUse> &Uses,
                                     const CompileJobs &Jobs) {
  std::set<std::string> Warned;
  std::vector<FeatureUse> Missing;
  for (const auto &Use : Uses) {
    if (M.has(Use.Feature))
      continue;
    // Only a library refers to a feature this target does not have yet: it may never
    // be called (gtest's result streaming over a socket), and enabling it is no way
    // out, so the link goes on with a warning.
    if (Use.InArchive && !llvm::is_contained(Target->Features, Use.Feature)) {
      if (Warned.insert(Use.Feature).second)
        llvm::errs() << Inv.Tool << ": warning: " << Use.User << " uses '" << Use.Symbol
                     << "' (feature '" << Use.Feature << "'), which target '" << Target->Name
                     << "' does not provide yet; if the program calls it, the call fails "
                        "with ENOSYS\n";
      continue;
    }
    if (M.Path.empty()) {
      // No manifest: the program's own use decides, as for a native build.
      M.Features[Use.Feature] = {};
      if (Verbose)
        llvm::errs() << Inv.Tool << ": enabling feature '" << Use.Feature << "' (" << Use.User
                     << " uses '" << Use.Symbol << "')\n";
      continue;
    }
    Missing.push_back(Use);
  }
  if (Missing.empty())
    return llvm::Error::success();
  return missingFeatureError(Missing, Jobs, *Cat, *Target, llvm::sys::path::filename(M.Path));
}

int ImageLink::run() {
  auto CatOr = loadCatalog(Inv);
  if (!CatOr)
    return fail(CatOr.takeError());
  Cat = std::move(*CatOr);
  auto ManifestOr = loadManifest(Inv, *Cat);
  if (!ManifestOr)
    return fail(ManifestOr.takeError());
  M = std::move(*ManifestOr);
  Target = Cat->target(M.Target);

  std::vector<std::string> Extra = {"-static", "-fuse-ld=lld"};
  if (!Target->LinkerScript.empty())
    Extra.push_back("-Wl,-T," + Target->LinkerScript);
  auto Argv = clangArgv(Inv, Extra);
  std::unique_ptr<clang::driver::Compilation> C(D.BuildCompilation(Argv));
  // Clang reports some mistakes (a missing input) while planning, as diagnostics.
  if (!C || C->containsError() || D.getDiags().hasErrorOccurred())
    return 1;
  const auto &Args = C->getArgs();
  Verbose = Args.hasArg(opts::OPT_v);
  DryRun = Args.hasArg(opts::OPT__HASH_HASH_HASH);
  if (Args.hasArg(opts::OPT_shared) || Args.hasArg(opts::OPT_static_pie))
    return fail(
        makeError("'" + std::string(Args.hasArg(opts::OPT_shared) ? "-shared" : "-static-pie") +
                  "' is not supported: an image is one static, position-"
                  "dependent program"));

  clang::driver::Command *Link = nullptr;
  for (auto &Job : C->getJobs())
    if (Job.getCreator().isLinkJob())
      Link = &Job;
  if (!Link)
    return executeAll(D, *C);
  std::string Output =
      Link->getOutputFilenames().empty() ? "a.out" : Link->getOutputFilenames().front();
  if (M.Name.empty())
    M.Name = llvm::sys::path::stem(Output).str();

  if (Verbose || DryRun)
    llvm::errs() << "ukc++ version " << UKCXX_VERSION << "\n"
                 << "ukc++ target: " << M.Target << "\n"
                 << "ukc++ manifest: " << (M.Path.empty() ? "(none)" : M.Path) << "\n";

  // Compile everything first: the feature check reads the objects.
  if (!DryRun)
    for (auto &Job : C->getJobs()) {
      if (&Job == Link)
        break;
      const clang::driver::Command *Failed = nullptr;
      if (int Status = C->ExecuteCommand(Job, Failed))
        return Status < 0 ? 1 : Status;
    }

  std::set<std::string> Pending;
  if (DryRun)
    for (auto &Job : C->getJobs())
      for (const auto &Out : Job.getOutputFilenames())
        Pending.insert(Out);
  auto Uses = findFeatureUses(*Cat, programInputs(*Link, Pending));
  if (!Uses)
    return fail(Uses.takeError());
  if (auto E = checkFeatures(*Uses, compileJobs(*C)))
    return fail(std::move(E));

  std::vector<const ComponentInfo *> Components;
  if (!Target->LinkerScript.empty()) {
    auto Resolved = resolveComponents(*Cat, *Target, M);
    if (!Resolved)
      return fail(Resolved.takeError());
    Components = *Resolved;
  }
  std::vector<std::string> Names;
  for (const auto *Component : Components)
    Names.push_back(Component->Name);
  if (Verbose || DryRun) {
    std::vector<std::string> Features;
    for (const auto &[Name, Where] : M.Features)
      Features.push_back(Name);
    llvm::errs() << "ukc++ features: " << llvm::join(Features, " ") << "\n"
                 << "ukc++ components: " << llvm::join(Names, " ") << "\n";
  }

  std::string NotePath = D.GetTemporaryPath("ukc++-manifest", "o");
  C->addTempFile(C->getArgs().MakeArgString(NotePath));
  llvm::opt::ArgStringList LinkArgs = Link->getArguments();
  for (const auto *Component : Components)
    LinkArgs.push_back(C->getArgs().MakeArgString(Component->Object));
  LinkArgs.push_back(C->getArgs().MakeArgString(NotePath));
  std::string TreePath;
  if (!M.FSRoot.empty() && !Target->LinkerScript.empty()) {
    TreePath = D.GetTemporaryPath("ukc++-tree", "o");
    C->addTempFile(C->getArgs().MakeArgString(TreePath));
    LinkArgs.push_back(C->getArgs().MakeArgString(TreePath));
  }
  Link->replaceArguments(LinkArgs);

  if (DryRun) {
    C->getJobs().Print(llvm::errs(), "\n", /*Quote=*/true);
    return 0;
  }
  if (auto E = writeNoteObject(NotePath, encodeManifest(M, *Target, *Cat, Names)))
    return fail(std::move(E));
  if (!TreePath.empty()) {
    auto Tree = packTree(M.FSRoot, M.FSRootLocation);
    if (!Tree)
      return fail(Tree.takeError());
    if (auto E = writeSectionObject(TreePath, UK_TREE_SECTION, SHT_PROGBITS, UK_TREE_DATA_ALIGN,
                                    *Tree))
      return fail(std::move(E));
  }
  const clang::driver::Command *Failed = nullptr;
  int Status = C->ExecuteCommand(*Link, Failed);
  return Status < 0 ? 1 : Status;
}

} // namespace

int linkImage(const Invocation &Inv, clang::driver::Driver &D) {
  return ImageLink(Inv, D).run();
}

} // namespace ukcxx
