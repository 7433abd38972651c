// Driver: ukc++/ukcc. Clang's own driver plans and runs every compile job; ukc++ adds
// the manifest, the feature check, the runtime components and the image link.
#include "Driver.h"

#include "Catalog.h"
#include "Diagnostic.h"
#include "Error.h"
#include "YAMLUtil.h"
#include "FeatureCheck.h"
#include "ImageFile.h"
#include "Manifest.h"
#include "ManifestNote.h"
#include "Resolver.h"

#include "clang/Basic/Diagnostic.h"
#include "clang/Basic/DiagnosticOptions.h"
#include "clang/Driver/Compilation.h"
#include "clang/Driver/Driver.h"
#include "clang/Driver/Job.h"
#include "clang/Driver/Options.h"
#include "clang/Driver/Tool.h"
#include "clang/Frontend/TextDiagnosticPrinter.h"
#include "llvm/ADT/StringExtras.h"
#include "llvm/BinaryFormat/Magic.h"
#include "llvm/Option/ArgList.h"
#include "llvm/Support/FileSystem.h"
#include "llvm/Support/FormatVariadic.h"
#include "llvm/Support/Path.h"
#include "llvm/Support/VirtualFileSystem.h"
#include "llvm/TargetParser/Host.h"

#include <set>

namespace ukcxx {
namespace {

namespace opts = clang::driver::options;

constexpr const char *DefaultTarget = "x86_64";

/// Static libraries of the C and C++ toolchain: they are the platform, not the
/// program, so the feature check does not look inside them.
const std::set<std::string> ToolchainLibraries = {
    "c",    "m",       "stdc++", "supc++", "gcc",   "gcc_eh", "pthread", "dl",
    "rt",   "util",    "resolv", "crypt",  "atomic", "anl",   "mvec",    "c_nonshared"};

struct Invocation {
  const char *Tool;  // "ukc++" or "ukcc"
  bool CPlusPlus;
  std::string Self;  // path of this executable
  DriverOptions Opts;
  std::vector<std::string> ClangArgs; // everything that is not ukc++'s own
};

bool isTriple(llvm::StringRef Value) { return Value.contains('-'); }

llvm::Error splitArguments(llvm::ArrayRef<const char *> Args, Invocation &Inv) {
  for (llvm::StringRef Arg : Args.drop_front()) {
    auto Value = [&](llvm::StringRef Prefix) { return Arg.substr(Prefix.size()).str(); };
    if (Arg.starts_with("--manifest="))
      Inv.Opts.Manifest = Value("--manifest=");
    else if (Arg.starts_with("--runtime-dir="))
      Inv.Opts.RuntimeDir = Value("--runtime-dir=");
    else if (Arg == "--print-manifest")
      Inv.Opts.PrintManifest = true;
    else if (Arg == "--print-components")
      Inv.Opts.PrintComponents = true;
    else if (Arg == "--help")
      Inv.Opts.Help = true;
    else if (Arg == "--version")
      Inv.Opts.Version = true;
    else if (Arg.starts_with("--target=") && !isTriple(Value("--target=")))
      Inv.Opts.Target = Value("--target=");
    else if (Arg.starts_with("--target=")) {
      llvm::Triple T(llvm::Triple::normalize(Value("--target=")));
      if (T.getArch() != llvm::Triple::x86_64 || !T.isOSLinux())
        return makeError("target triple '" + Value("--target=") +
                         "' is not supported: ukc++ builds x86-64 Linux-ABI programs "
                         "(ukc++ targets are given by name, like --target=qemu)");
      Inv.ClangArgs.push_back(Arg.str());
    } else if (Arg == "--manifest" || Arg == "--runtime-dir")
      return makeError("option '" + Arg + "' takes its value after '=', like " + Arg +
                       "=PATH");
    else
      Inv.ClangArgs.push_back(Arg.str());
  }
  return llvm::Error::success();
}

std::string defaultRuntimeDir(const std::string &Self) {
  llvm::SmallString<256> Dir(llvm::sys::path::parent_path(Self));
  llvm::sys::path::append(Dir, "..", "lib", "ukc++");
  llvm::sys::path::remove_dots(Dir, /*remove_dot_dot=*/true);
  return std::string(Dir);
}

void printHelp(const Invocation &Inv) {
  llvm::outs() << "OVERVIEW: " << Inv.Tool
               << ", the ukc++ compiler driver: builds C and C++ programs into "
                  "unikernel images\n\n"
               << "USAGE: " << Inv.Tool << " [options] file...\n\n"
               << "Every clang option is accepted and means what it means to clang "
                  "(clang --help lists them).\n"
               << "Compiling (-c, -S, -E, -M...) is exactly clang's; linking "
                  "produces a bootable image.\n\n"
               << "UKC++ OPTIONS:\n"
               << "  --target=NAME       image target: x86_64 (default: built-in "
                  "monitor or QEMU), kvm, qemu, linux\n"
               << "  --manifest=PATH     manifest to use (default: ./unikernel.yaml if "
                  "present)\n"
               << "  --print-manifest    print the resolved manifest as JSON (of the "
                  "manifest, or of an image given as input)\n"
               << "  --print-components  print the runtime components an image gets\n"
               << "  --runtime-dir=DIR   use the runtime in DIR (default: "
               << defaultRuntimeDir(Inv.Self) << ")\n"
               << "  -###                print every planned job, run none\n"
               << "  -v                  print what is chosen and each job as it runs\n"
               << "  --version           print the version\n"
               << "  --help              print this help\n";
}

void printVersion() {
  llvm::outs() << "ukc++ version " << UKCXX_VERSION << "\n"
               << "compiler: " << UKCXX_CLANG << "\n";
}

/// Our own diagnostics engine printing clang's messages the way clang does.
struct ClangDiagnostics {
  llvm::IntrusiveRefCntPtr<clang::DiagnosticOptions> Options{new clang::DiagnosticOptions};
  clang::TextDiagnosticPrinter Printer{llvm::errs(), &*Options};
  llvm::IntrusiveRefCntPtr<clang::DiagnosticIDs> IDs{new clang::DiagnosticIDs};
  clang::DiagnosticsEngine Engine{IDs, &*Options, &Printer, /*ShouldOwnClient=*/false};
};

/// The argv clang's driver sees: its program path, the driver mode, our extras.
std::vector<const char *> clangArgv(const Invocation &Inv,
                                    const std::vector<std::string> &Extra) {
  std::vector<const char *> Argv = {UKCXX_CLANG,
                                    Inv.CPlusPlus ? "--driver-mode=g++" : "--driver-mode=gcc"};
  for (const auto &A : Inv.ClangArgs)
    Argv.push_back(A.c_str());
  for (const auto &A : Extra)
    Argv.push_back(A.c_str());
  return Argv;
}

/// Runs the jobs of C the way clang's own main() does and returns its exit status.
int executeAll(clang::driver::Driver &D, clang::driver::Compilation &C) {
  llvm::SmallVector<std::pair<int, const clang::driver::Command *>, 4> Failing;
  int Status = D.ExecuteCompilation(C, Failing);
  for (const auto &[Code, Cmd] : Failing)
    if (Code)
      Status = Code < 0 ? 1 : Code;
  return Status;
}

/// Locates -lNAME the way the linker will: the first DIR/libNAME.a in -L order.
std::string findLibrary(llvm::StringRef Name, const std::vector<std::string> &Dirs) {
  std::string File = Name.starts_with(":") ? Name.drop_front().str()
                                           : ("lib" + Name + ".a").str();
  for (const auto &Dir : Dirs) {
    llvm::SmallString<256> Path(Dir);
    llvm::sys::path::append(Path, File);
    if (llvm::sys::fs::is_regular_file(Path))
      return std::string(Path);
  }
  return {};
}

/// The program's own objects and archives among the link job's inputs, leaving out
/// the outputs of the jobs in Pending (not compiled yet). Libraries come from the
/// link's -l options (clang keeps only file inputs as InputInfos), searched as the
/// linker will search them.
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

  llvm::Error checkFeatures(const std::vector<FeatureUse> &Uses);
  int fail(llvm::Error E) {
    printError(Inv.Tool, std::move(E));
    return 1;
  }
};

std::string manifestPathFor(const Invocation &Inv) {
  if (!Inv.Opts.Manifest.empty())
    return Inv.Opts.Manifest;
  if (llvm::sys::fs::exists("unikernel.yaml"))
    return "unikernel.yaml";
  return {};
}

llvm::Expected<Catalog> loadCatalog(const Invocation &Inv) {
  return Catalog::load(Inv.Opts.RuntimeDir.empty() ? defaultRuntimeDir(Inv.Self)
                                                   : Inv.Opts.RuntimeDir);
}

/// Reads the manifest (or takes defaults) and applies --target.
llvm::Expected<Manifest> loadManifest(const Invocation &Inv, const Catalog &Cat) {
  Manifest M;
  std::string Path = manifestPathFor(Inv);
  if (!Path.empty()) {
    std::string Text;
    TRY_ASSIGN(Text, readTextFile(Path));
    TRY_ASSIGN(M, parseManifest(Text, Path, Cat));
  }
  if (!Inv.Opts.Target.empty()) {
    if (!Cat.target(Inv.Opts.Target))
      return makeError("unknown target '" + Inv.Opts.Target + "' in --target" +
                       suggest(Inv.Opts.Target, Cat.targetNames()));
    M.Target = Inv.Opts.Target;
    M.TargetLocation = {};
  }
  if (M.Target.empty())
    M.Target = DefaultTarget;
  if (!Cat.target(M.Target))
    return makeError("the runtime in '" + Cat.resourceDir() + "' has no target '" +
                     M.Target + "'");
  for (const auto &F : Cat.features())
    if (F.Always && !M.has(F.Name))
      M.Features[F.Name] = {};
  return M;
}

llvm::Error ImageLink::checkFeatures(const std::vector<FeatureUse> &Uses) {
  std::string ManifestName =
      M.Path.empty() ? "the manifest" : llvm::sys::path::filename(M.Path).str();
  for (const auto &Use : Uses) {
    if (M.has(Use.Feature))
      continue;
    if (M.Path.empty()) {
      // No manifest: the program's own use decides, as for a native build.
      M.Features[Use.Feature] = {};
      if (Verbose)
        llvm::errs() << Inv.Tool << ": enabling feature '" << Use.Feature << "' ("
                     << Use.User << " uses '" << Use.Symbol << "')\n";
      continue;
    }
    const FeatureInfo *F = Cat->feature(Use.Feature);
    std::vector<std::string> Notes = {"note: enable it in " + ManifestName + ":",
                                      "  features:"};
    for (llvm::StringRef Line : llvm::split(F->Snippet, '\n'))
      if (!Line.empty())
        Notes.push_back("    " + Line.str());
    return makeError(SourceLocation{}, Use.User + " uses '" + Use.Symbol + "' (feature '" +
                                           Use.Feature + "'), which " + ManifestName +
                                           " does not enable",
                     Notes);
  }
  return llvm::Error::success();
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
    return fail(makeError("'" +
                          std::string(Args.hasArg(opts::OPT_shared) ? "-shared"
                                                                    : "-static-pie") +
                          "' is not supported: an image is one static, position-"
                          "dependent program"));

  clang::driver::Command *Link = nullptr;
  for (auto &Job : C->getJobs())
    if (Job.getCreator().isLinkJob())
      Link = &Job;
  if (!Link)
    return executeAll(D, *C);
  std::string Output = Link->getOutputFilenames().empty()
                           ? "a.out"
                           : Link->getOutputFilenames().front();
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
  if (auto E = checkFeatures(*Uses))
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
  Link->replaceArguments(LinkArgs);

  if (DryRun) {
    C->getJobs().Print(llvm::errs(), "\n", /*Quote=*/true);
    return 0;
  }
  if (auto E = writeNoteObject(NotePath, encodeManifest(M, *Target, *Cat, Names)))
    return fail(std::move(E));
  const clang::driver::Command *Failed = nullptr;
  int Status = C->ExecuteCommand(*Link, Failed);
  return Status < 0 ? 1 : Status;
}

bool isLinkedELF(const std::string &Path) {
  llvm::file_magic Magic;
  return !llvm::identify_magic(Path, Magic) &&
         (Magic == llvm::file_magic::elf_executable ||
          Magic == llvm::file_magic::elf_shared_object);
}

/// The manifest and components recorded in an image.
llvm::Expected<std::pair<Manifest, std::vector<std::string>>>
resolvedFromImage(const std::string &Path) {
  try {
    auto Image = ImageFile::open(Path);
    if (Image.manifestNote().empty())
      return makeError("'" + Path + "' was not built by ukc++ (it has no manifest note)");
    auto View = ManifestView::decode(Image.manifestNote());
    return std::make_pair(manifestFromView(View), View.Components);
  } catch (const Error &E) {
    return makeError(E.what());
  }
}

/// The manifest and components an image built here and now would get.
llvm::Expected<std::pair<Manifest, std::vector<std::string>>>
resolvedFromManifest(const Invocation &Inv) {
  Catalog Cat;
  TRY_ASSIGN(Cat, loadCatalog(Inv));
  Manifest M;
  TRY_ASSIGN(M, loadManifest(Inv, Cat));
  if (M.Name.empty())
    M.Name = "a";
  std::vector<std::string> Components;
  const TargetInfo *T = Cat.target(M.Target);
  if (!T->LinkerScript.empty()) {
    std::vector<const ComponentInfo *> Resolved;
    TRY_ASSIGN(Resolved, resolveComponents(Cat, *T, M));
    for (const auto *C : Resolved)
      Components.push_back(C->Name);
  }
  return std::make_pair(std::move(M), std::move(Components));
}

/// --print-manifest / --print-components: of an image given as the only input, or of
/// the manifest (and defaults) otherwise.
int printResolved(const Invocation &Inv) {
  std::vector<std::string> Inputs;
  for (const auto &A : Inv.ClangArgs)
    if (!llvm::StringRef(A).starts_with("-"))
      Inputs.push_back(A);
  auto Resolved = Inputs.size() == 1 && isLinkedELF(Inputs[0])
                      ? resolvedFromImage(Inputs[0])
                      : resolvedFromManifest(Inv);
  if (!Resolved) {
    printError(Inv.Tool, Resolved.takeError());
    return 1;
  }
  const auto &[M, Components] = *Resolved;
  if (Inv.Opts.PrintManifest)
    llvm::outs() << llvm::formatv("{0:2}", toJSON(M, Components)) << "\n";
  if (Inv.Opts.PrintComponents)
    for (const auto &C : Components)
      llvm::outs() << C << "\n";
  return 0;
}

/// True when clang would run the link phase for these arguments.
bool isLink(const clang::driver::Driver &D, const llvm::opt::InputArgList &Args) {
  if (!Args.hasArg(opts::OPT_INPUT) && !Args.hasArg(opts::OPT_l))
    return false;
  if (Args.hasArg(opts::OPT_r))
    return false;
  llvm::opt::DerivedArgList Derived(Args);
  for (auto *A : Args)
    Derived.append(A);
  return D.getFinalPhase(Derived) == clang::driver::phases::Link;
}

} // namespace

int runDriver(llvm::ArrayRef<const char *> Args, bool CPlusPlus) {
  Invocation Inv;
  Inv.Tool = CPlusPlus ? "ukc++" : "ukcc";
  Inv.CPlusPlus = CPlusPlus;
  Inv.Self = llvm::sys::fs::getMainExecutable(Args[0], (void *)&runDriver);
  if (auto E = splitArguments(Args, Inv)) {
    printError(Inv.Tool, std::move(E));
    return 1;
  }
  if (Inv.Opts.Help) {
    printHelp(Inv);
    return 0;
  }
  if (Inv.Opts.Version) {
    printVersion();
    return 0;
  }
  if (Inv.Opts.PrintManifest || Inv.Opts.PrintComponents)
    return printResolved(Inv);

  ClangDiagnostics Diags;
  clang::driver::Driver D(UKCXX_CLANG, llvm::sys::getDefaultTargetTriple(), Diags.Engine,
                          "ukc++", llvm::vfs::getRealFileSystem());
  auto Argv = clangArgv(Inv, {});
  bool ContainsError = false;
  auto Parsed = D.ParseArgStrings(llvm::ArrayRef(Argv).drop_front(), /*UseDriverMode=*/true,
                                  ContainsError);
  if (ContainsError)
    return 1;
  if (!isLink(D, Parsed)) {
    std::unique_ptr<clang::driver::Compilation> C(D.BuildCompilation(Argv));
    if (!C || C->containsError())
      return 1;
    return executeAll(D, *C);
  }
  return ImageLink(Inv, D).run();
}

} // namespace ukcxx
