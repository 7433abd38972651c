// PrintResolved: the manifest and components of an image or of a manifest, printed.
#include "PrintResolved.h"

#include "Diagnostic.h"
#include "Error.h"
#include "ImageFile.h"
#include "ManifestNote.h"
#include "Resolver.h"

#include "llvm/BinaryFormat/Magic.h"
#include "llvm/Support/FormatVariadic.h"

namespace ukcxx {
namespace {

bool isLinkedELF(const std::string &Path) {
  llvm::file_magic Magic;
  return !llvm::identify_magic(Path, Magic) && (Magic == llvm::file_magic::elf_executable ||
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

} // namespace

int printResolved(const Invocation &Inv) {
  std::vector<std::string> Inputs;
  for (const auto &A : Inv.ClangArgs)
    if (!llvm::StringRef(A).starts_with("-"))
      Inputs.push_back(A);
  auto Resolved = Inputs.size() == 1 && isLinkedELF(Inputs[0]) ? resolvedFromImage(Inputs[0])
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

} // namespace ukcxx
