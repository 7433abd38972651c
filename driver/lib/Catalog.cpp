// Catalog: loading and validating target, feature and component descriptions.
#include "Catalog.h"

#include "ManifestView.h"
#include "YAMLUtil.h"

#include "llvm/Support/FileSystem.h"
#include "llvm/Support/Path.h"

#include <algorithm>

namespace ukcxx {
namespace {

template <typename T> const T *findByName(const std::vector<T> &Items, llvm::StringRef Name) {
  for (const auto &Item : Items)
    if (Item.Name == Name)
      return &Item;
  return nullptr;
}

/// Files with Extension in Dir, sorted so that loading is deterministic.
std::vector<std::string> listFiles(llvm::StringRef Dir, llvm::StringRef Extension) {
  std::vector<std::string> Paths;
  std::error_code EC;
  for (llvm::sys::fs::directory_iterator It(Dir, EC), End; It != End && !EC; It.increment(EC))
    if (llvm::sys::path::extension(It->path()) == Extension)
      Paths.push_back(It->path());
  std::sort(Paths.begin(), Paths.end());
  return Paths;
}

llvm::Expected<std::pair<YAMLReader, YAML::Node>> loadYAML(const std::string &Path) {
  auto Text = readTextFile(Path);
  if (!Text)
    return Text.takeError();
  YAMLReader Reader(Path);
  auto Root = Reader.parse(*Text);
  if (!Root)
    return Root.takeError();
  return std::make_pair(Reader, *Root);
}

llvm::Expected<TargetInfo> loadTarget(const std::string &Path, llvm::StringRef Dir) {
  auto Loaded = loadYAML(Path);
  if (!Loaded)
    return Loaded.takeError();
  auto &[R, Root] = *Loaded;
  if (auto E = R.checkKeys(
          Root, "a target description",
          {"name", "summary", "linker-script", "components", "features", "hypervisors"}))
    return std::move(E);
  TargetInfo T;
  TRY_ASSIGN(T.Name, R.scalar(Root["name"], "'name'"));
  TRY_ASSIGN(T.Summary, R.scalar(Root["summary"], "'summary'"));
  for (uint32_t Id = 1; !targetName(Id).empty(); ++Id)
    if (targetName(Id) == T.Name)
      T.Id = Id;
  if (!T.Id)
    return R.error(Root["name"], "target '" + T.Name + "' has no ABI identifier");
  if (Root["linker-script"]) {
    std::string Script;
    TRY_ASSIGN(Script, R.scalar(Root["linker-script"], "'linker-script'"));
    llvm::SmallString<256> Full(Dir);
    llvm::sys::path::append(Full, "linker-scripts", Script);
    T.LinkerScript = std::string(Full);
  }
  TRY_ASSIGN(T.Components, R.scalars(Root["components"], "'components'"));
  TRY_ASSIGN(T.Features, R.scalars(Root["features"], "'features'"));
  TRY_ASSIGN(T.Hypervisors, R.scalars(Root["hypervisors"], "'hypervisors'"));
  return T;
}

llvm::Expected<ComponentInfo> loadComponent(const std::string &Path) {
  auto Loaded = loadYAML(Path);
  if (!Loaded)
    return Loaded.takeError();
  auto &[R, Root] = *Loaded;
  if (auto E = R.checkKeys(
          Root, "a component description",
          {"name", "summary", "requires", "provides", "conflicts", "targets", "syscalls"}))
    return std::move(E);
  ComponentInfo C;
  TRY_ASSIGN(C.Name, R.scalar(Root["name"], "'name'"));
  TRY_ASSIGN(C.Summary, R.scalar(Root["summary"], "'summary'"));
  TRY_ASSIGN(C.Requires, R.scalars(Root["requires"], "'requires'"));
  TRY_ASSIGN(C.Provides, R.scalars(Root["provides"], "'provides'"));
  TRY_ASSIGN(C.Conflicts, R.scalars(Root["conflicts"], "'conflicts'"));
  TRY_ASSIGN(C.Targets, R.scalars(Root["targets"], "'targets'"));
  TRY_ASSIGN(C.Syscalls, R.scalars(Root["syscalls"], "'syscalls'"));
  llvm::SmallString<256> Object(llvm::sys::path::parent_path(Path));
  llvm::sys::path::append(Object, "ukrt-" + C.Name + ".o");
  C.Object = std::string(Object);
  return C;
}

llvm::Expected<std::vector<FeatureInfo>> loadFeatures(const std::string &Path) {
  auto Loaded = loadYAML(Path);
  if (!Loaded)
    return Loaded.takeError();
  auto &[R, Root] = *Loaded;
  if (!Root.IsMap())
    return R.error(Root, "features.yaml must map feature names to descriptions");
  std::vector<FeatureInfo> Features;
  for (const auto &Entry : Root) {
    const YAML::Node &Body = Entry.second;
    if (auto E = R.checkKeys(Body, "a feature description",
                             {"summary", "always", "components", "symbols", "manifest"}))
      return std::move(E);
    FeatureInfo F;
    F.Name = Entry.first.Scalar();
    for (uint64_t Bit = 1; Bit; Bit <<= 1)
      if (featureName(Bit) == F.Name)
        F.Bit = Bit;
    if (!F.Bit)
      return R.error(Entry.first, "feature '" + F.Name + "' has no ABI bit");
    TRY_ASSIGN(F.Summary, R.scalar(Body["summary"], "'summary'"));
    if (Body["always"]) {
      std::string Always;
      TRY_ASSIGN(Always, R.scalar(Body["always"], "'always'"));
      F.Always = Always == "true";
    }
    TRY_ASSIGN(F.Components, R.scalars(Body["components"], "'components'"));
    TRY_ASSIGN(F.Symbols, R.scalars(Body["symbols"], "'symbols'"));
    if (Body["manifest"])
      TRY_ASSIGN(F.Snippet, R.scalar(Body["manifest"], "'manifest'"));
    if (F.Snippet.empty() && !F.Always)
      return R.error(Entry.first, "feature '" + F.Name + "' needs a 'manifest' snippet");
    Features.push_back(std::move(F));
  }
  return Features;
}

} // namespace

llvm::Expected<Catalog> Catalog::load(llvm::StringRef ResourceDir) {
  try {
    return loadUnchecked(ResourceDir);
  } catch (const YAML::Exception &E) {
    return makeError("invalid description in runtime directory '" + ResourceDir +
                     "': " + E.msg);
  }
}

llvm::Expected<Catalog> Catalog::loadUnchecked(llvm::StringRef ResourceDir) {
  if (!llvm::sys::fs::is_directory(ResourceDir))
    return makeError("runtime directory '" + ResourceDir +
                     "' does not exist (is ukc++ installed completely?)");
  Catalog C;
  C.ResourceDir = ResourceDir.str();
  llvm::SmallString<256> Dir(ResourceDir);

  llvm::SmallString<256> FeaturesPath(Dir);
  llvm::sys::path::append(FeaturesPath, "features.yaml");
  TRY_ASSIGN(C.Features, loadFeatures(std::string(FeaturesPath)));

  llvm::SmallString<256> TargetsDir(Dir);
  llvm::sys::path::append(TargetsDir, "targets");
  for (const auto &Path : listFiles(TargetsDir, ".yaml")) {
    TargetInfo T;
    TRY_ASSIGN(T, loadTarget(Path, ResourceDir));
    C.Targets.push_back(std::move(T));
  }
  if (C.Targets.empty())
    return makeError("no targets in '" + TargetsDir + "'");

  llvm::SmallString<256> ComponentsDir(Dir);
  llvm::sys::path::append(ComponentsDir, "components");
  for (const auto &Path : listFiles(ComponentsDir, ".yaml")) {
    ComponentInfo Component;
    TRY_ASSIGN(Component, loadComponent(Path));
    C.Components.push_back(std::move(Component));
  }
  return C;
}

const TargetInfo *Catalog::target(llvm::StringRef Name) const {
  return findByName(Targets, Name);
}
const FeatureInfo *Catalog::feature(llvm::StringRef Name) const {
  return findByName(Features, Name);
}
const ComponentInfo *Catalog::component(llvm::StringRef Name) const {
  return findByName(Components, Name);
}

std::vector<std::string> Catalog::targetNames() const {
  std::vector<std::string> Names;
  for (const auto &T : Targets)
    Names.push_back(T.Name);
  return Names;
}

std::vector<std::string> Catalog::featureNames() const {
  std::vector<std::string> Names;
  for (const auto &F : Features)
    Names.push_back(F.Name);
  return Names;
}

} // namespace ukcxx
