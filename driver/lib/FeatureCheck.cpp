// FeatureCheck: a linker-like walk over objects and archives to find feature uses.
#include "FeatureCheck.h"

#include "Diagnostic.h"

#include "llvm/ADT/STLExtras.h"
#include "llvm/ADT/StringSet.h"
#include "llvm/IR/LLVMContext.h"
#include "llvm/Object/Archive.h"
#include "llvm/Object/Binary.h"
#include "llvm/Object/IRObjectFile.h"
#include "llvm/Object/SymbolicFile.h"
#include "llvm/Support/MemoryBuffer.h"

#include <map>
#include <set>

namespace ukcxx {
namespace {

struct LoadedObject {
  std::string User;
  bool InArchive;
  std::string Path;
  uint64_t MemberOffset;
  std::vector<std::string> Undefined;
};

class SymbolWalk {
public:
  llvm::Error addObject(llvm::MemoryBufferRef Buffer, const std::string &User, bool InArchive,
                        const std::string &Path, uint64_t MemberOffset = 0) {
    auto File = llvm::object::SymbolicFile::createSymbolicFile(
        Buffer, llvm::file_magic::unknown, &Context);
    if (!File)
      return makeError("cannot read '" + User + "': " + llvm::toString(File.takeError()));
    LoadedObject Object{User, InArchive, Path, MemberOffset, {}};
    for (const auto &Sym : (*File)->symbols()) {
      auto Flags = Sym.getFlags();
      if (!Flags) {
        llvm::consumeError(Flags.takeError());
        continue;
      }
      std::string Name;
      llvm::raw_string_ostream OS(Name);
      if (auto E = Sym.printName(OS)) {
        llvm::consumeError(std::move(E));
        continue;
      }
      if (*Flags & llvm::object::BasicSymbolRef::SF_FormatSpecific)
        continue;
      if (*Flags & llvm::object::BasicSymbolRef::SF_Undefined) {
        // A weak reference neither pulls in an archive member nor needs a feature:
        // the program checks for the symbol before calling it.
        if (*Flags & llvm::object::BasicSymbolRef::SF_Weak)
          continue;
        Object.Undefined.push_back(Name);
        if (!Defined.contains(Name))
          Undefined.insert(Name);
      } else {
        Defined.insert(Name);
        Undefined.erase(Name);
      }
    }
    Objects.push_back(std::move(Object));
    return llvm::Error::success();
  }

  /// Symbols that code outside the objects refers to: undefined until defined.
  void addReferences(llvm::ArrayRef<std::string> Names) {
    for (const auto &Name : Names)
      if (!Defined.contains(Name))
        Undefined.insert(Name);
  }

  bool isUndefined(llvm::StringRef Name) const { return Undefined.contains(Name); }

  llvm::LLVMContext Context;
  llvm::StringSet<> Defined;
  llvm::StringSet<> Undefined;
  std::vector<LoadedObject> Objects;
};

std::string memberName(const llvm::object::Archive::Child &Member) {
  auto Name = Member.getName();
  if (!Name) {
    llvm::consumeError(Name.takeError());
    return "?";
  }
  return Name->str();
}

} // namespace

llvm::Expected<FeatureMatcher> FeatureMatcher::create(const Catalog &Cat) {
  FeatureMatcher Matcher;
  for (const auto &F : Cat.features())
    for (const auto &Symbol : F.Symbols) {
      auto Pattern = llvm::GlobPattern::create(Symbol);
      if (!Pattern)
        return makeError("features.yaml: bad symbol pattern '" + Symbol +
                         "': " + llvm::toString(Pattern.takeError()));
      Matcher.Patterns.emplace_back(&F, std::move(*Pattern));
    }
  return Matcher;
}

const FeatureInfo *FeatureMatcher::match(llvm::StringRef Symbol) const {
  for (const auto &[Feature, Pattern] : Patterns)
    if (Pattern.match(Symbol))
      return Feature;
  return nullptr;
}

bool providesAll(const TargetInfo &T, const std::set<std::string> &Features) {
  return llvm::all_of(Features,
                      [&](const std::string &F) { return llvm::is_contained(T.Features, F); });
}

const TargetInfo *imageTargetProviding(const Catalog &Cat,
                                       const std::set<std::string> &Features) {
  for (const auto &T : Cat.targets())
    if (!T.LinkerScript.empty() && providesAll(T, Features))
      return &T;
  return nullptr;
}

llvm::Expected<std::vector<FeatureUse>>
findFeatureUses(const Catalog &Cat, const std::vector<ProgramInput> &Inputs,
                llvm::ArrayRef<std::string> SourceReferences) {
  SymbolWalk Walk;
  std::vector<std::unique_ptr<llvm::MemoryBuffer>> Buffers;
  struct OpenArchive {
    std::unique_ptr<llvm::object::Archive> Archive;
    std::string DisplayName, Path;
  };
  std::vector<OpenArchive> Archives;

  for (const auto &Input : Inputs) {
    auto Buffer = llvm::MemoryBuffer::getFile(Input.Path);
    if (!Buffer)
      return makeError("cannot read '" + Input.DisplayName +
                       "': " + Buffer.getError().message());
    auto Ref = (*Buffer)->getMemBufferRef();
    Buffers.push_back(std::move(*Buffer));
    if (llvm::identify_magic(Ref.getBuffer()) == llvm::file_magic::archive) {
      auto Archive = llvm::object::Archive::create(Ref);
      if (!Archive)
        return makeError("cannot read archive '" + Input.DisplayName +
                         "': " + llvm::toString(Archive.takeError()));
      Archives.push_back({std::move(*Archive), Input.DisplayName, Input.Path});
      continue;
    }
    if (auto E = Walk.addObject(Ref, Input.DisplayName, false, Input.Path))
      return std::move(E);
  }

  Walk.addReferences(SourceReferences);

  // Pull in archive members that define a still-undefined symbol, as a linker with
  // every archive in one --start-group would, until nothing more is pulled in.
  std::set<std::pair<size_t, uint64_t>> Loaded;
  for (bool Changed = true; Changed;) {
    Changed = false;
    for (size_t A = 0; A < Archives.size(); ++A) {
      for (const auto &Sym : Archives[A].Archive->symbols()) {
        if (!Walk.isUndefined(Sym.getName()))
          continue;
        auto Member = Sym.getMember();
        if (!Member)
          return makeError("corrupt archive '" + Archives[A].DisplayName +
                           "': " + llvm::toString(Member.takeError()));
        if (!Loaded.insert({A, Member->getChildOffset()}).second)
          continue;
        auto Ref = Member->getMemoryBufferRef();
        if (!Ref)
          return makeError("corrupt archive '" + Archives[A].DisplayName +
                           "': " + llvm::toString(Ref.takeError()));
        std::string User = Archives[A].DisplayName + "(" + memberName(*Member) + ")";
        if (auto E =
                Walk.addObject(*Ref, User, true, Archives[A].Path, Member->getChildOffset()))
          return std::move(E);
        Changed = true;
      }
    }
  }

  FeatureMatcher Matcher;
  TRY_ASSIGN(Matcher, FeatureMatcher::create(Cat));
  std::vector<FeatureUse> Uses;
  for (const auto &Object : Walk.Objects) {
    std::set<std::string> Seen;
    for (const auto &Symbol : Object.Undefined) {
      if (Walk.Defined.contains(Symbol) || !Seen.insert(Symbol).second)
        continue;
      if (const FeatureInfo *Feature = Matcher.match(Symbol))
        Uses.push_back({Feature->Name, Symbol, Object.User, Object.InArchive, Object.Path,
                        Object.MemberOffset});
    }
  }
  return Uses;
}

} // namespace ukcxx
