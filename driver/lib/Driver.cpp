// Driver: ukc++ and ukcc, clang's driver plus manifest, components and image link.
// Clang's own driver plans and runs every compile job; ImageLink adds the rest.
#include "Driver.h"

#include "Diagnostic.h"
#include "ImageLink.h"
#include "Invocation.h"
#include "PrintFeatures.h"
#include "PrintResolved.h"
#include "TreePack.h"

#include "clang/Basic/Diagnostic.h"
#include "clang/Basic/DiagnosticOptions.h"
#include "clang/Driver/Options.h"
#include "clang/Frontend/TextDiagnosticPrinter.h"
#include "llvm/Option/ArgList.h"
#include "llvm/Support/FileSystem.h"
#include "llvm/Support/VirtualFileSystem.h"
#include "llvm/TargetParser/Host.h"
#include "llvm/TargetParser/Triple.h"

namespace ukcxx {
namespace {

namespace opts = clang::driver::options;

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
    else if (Arg == "--print-features")
      Inv.Opts.PrintFeatures = true;
    else if (Arg == "--init")
      Inv.Opts.Init = true;
    else if (Arg == "--list-files")
      Inv.Opts.ListFiles = true;
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
      return makeError("option '" + Arg + "' takes its value after '=', like " + Arg + "=PATH");
    else
      Inv.ClangArgs.push_back(Arg.str());
  }
  return llvm::Error::success();
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
               << "  --print-features    print the features the inputs (sources, objects) "
                  "need, as JSON\n"
               << "  --init              write ./unikernel.yaml enabling the features the "
                  "inputs need\n"
               << "  --list-files IMAGE  list the files packed into an image (fs: root)\n"
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
  if (Inv.Opts.ListFiles) {
    if (Inv.ClangArgs.size() != 1) {
      printError(Inv.Tool, makeError("--list-files takes one image: ukc++ --list-files app.img"));
      return 1;
    }
    return listImageFiles(Inv.Tool, Inv.ClangArgs[0]);
  }

  ClangDiagnostics Diags;
  clang::driver::Driver D(UKCXX_CLANG, llvm::sys::getDefaultTargetTriple(), Diags.Engine,
                          "ukc++", llvm::vfs::getRealFileSystem());
  if (Inv.Opts.PrintFeatures || Inv.Opts.Init)
    return printFeatures(Inv, D);
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
  return linkImage(Inv, D);
}

} // namespace ukcxx
