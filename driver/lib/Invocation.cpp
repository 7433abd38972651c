// Invocation: the runtime directory, the manifest, and clang's view of the command line.
#include "Invocation.h"

#include "YAMLUtil.h"

#include "llvm/Support/FileSystem.h"
#include "llvm/Support/Path.h"

namespace ukcxx {
namespace {

std::string manifestPathFor(const Invocation &Inv) {
  if (!Inv.Opts.Manifest.empty())
    return Inv.Opts.Manifest;
  if (llvm::sys::fs::exists("unikernel.yaml"))
    return "unikernel.yaml";
  return {};
}

} // namespace

std::string defaultRuntimeDir(const std::string &Self) {
  llvm::SmallString<256> Dir(llvm::sys::path::parent_path(Self));
  llvm::sys::path::append(Dir, "..", "lib", "ukc++");
  llvm::sys::path::remove_dots(Dir, /*remove_dot_dot=*/true);
  return std::string(Dir);
}

llvm::Expected<Catalog> loadCatalog(const Invocation &Inv) {
  return Catalog::load(Inv.Opts.RuntimeDir.empty() ? defaultRuntimeDir(Inv.Self)
                                                   : Inv.Opts.RuntimeDir);
}

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
    return makeError("the runtime in '" + Cat.resourceDir() + "' has no target '" + M.Target +
                     "'");
  for (const auto &F : Cat.features())
    if (F.Always && !M.has(F.Name))
      M.Features[F.Name] = {};
  return M;
}

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

int executeAll(clang::driver::Driver &D, clang::driver::Compilation &C) {
  llvm::SmallVector<std::pair<int, const clang::driver::Command *>, 4> Failing;
  int Status = D.ExecuteCompilation(C, Failing);
  for (const auto &[Code, Cmd] : Failing)
    if (Code)
      Status = Code < 0 ? 1 : Code;
  return Status;
}

} // namespace ukcxx
