// DebugCallSites: relocations give where code refers to a symbol, DWARF gives its line.
#include "DebugCallSites.h"

#include "llvm/ADT/StringMap.h"
#include "llvm/DebugInfo/DWARF/DWARFContext.h"
#include "llvm/Demangle/Demangle.h"
#include "llvm/Object/Archive.h"
#include "llvm/Object/ELFObjectFile.h"
#include "llvm/Object/ObjectFile.h"
#include "llvm/Support/Endian.h"
#include "llvm/Support/Path.h"

#include <deque>
#include <map>
#include <optional>

namespace ukcxx {
namespace {

using FileKind = llvm::DILineInfoSpecifier::FileLineInfoKind;

/// A place in the object's code: a section and an offset in it.
struct CodeRef {
  uint64_t Section;
  uint64_t Offset;
};

struct FunctionRange {
  uint64_t Section;
  uint64_t Start;
  uint64_t Size;
  std::string Name;
};

/// Headers of the C and C++ libraries: code there is the platform's, not the program's.
bool isSystemPath(llvm::StringRef Path) {
  return Path.starts_with("/usr/include/") || Path.starts_with("/usr/lib/") ||
         Path.starts_with("/usr/local/include/");
}

/// Which code refers to which symbol (the relocations of code sections), and which
/// function each piece of code belongs to (the function symbols).
class CodeIndex {
public:
  explicit CodeIndex(const llvm::object::ObjectFile &Object) {
    for (const auto &Section : Object.sections()) {
      auto Target = Section.getRelocatedSection();
      if (!Target) {
        llvm::consumeError(Target.takeError());
        continue;
      }
      if (*Target == Object.section_end() || !(*Target)->isText())
        continue;
      for (const auto &Reloc : Section.relocations()) {
        auto Symbol = Reloc.getSymbol();
        if (Symbol == Object.symbol_end())
          continue;
        if (auto Name = Symbol->getName())
          References[*Name].push_back({(*Target)->getIndex(), Reloc.getOffset()});
        else
          llvm::consumeError(Name.takeError());
      }
    }
    for (const auto &Symbol : Object.symbols())
      addFunction(Object, Symbol);
    for (const auto &Section : Object.sections()) {
      if (!Section.isText())
        continue;
      if (auto Contents = Section.getContents())
        CodeBytes[Section.getIndex()] = *Contents;
      else
        llvm::consumeError(Contents.takeError());
    }
  }

  /// The code that refers to Symbol: its relocations, and for a function defined in
  /// the object, the direct calls the assembler resolved without one.
  std::vector<CodeRef> referencesTo(llvm::StringRef Symbol) const {
    std::vector<CodeRef> Refs;
    if (auto It = References.find(Symbol); It != References.end())
      Refs = It->second;
    for (const auto &F : Functions)
      if (F.Name == Symbol)
        addResolvedCalls(F, Refs);
    return Refs;
  }

  /// The names of the function whose code contains At: several when it has aliases
  /// (a constructor's complete and base object symbols are one function).
  std::vector<std::string> functionsAt(CodeRef At) const {
    std::vector<std::string> Names;
    for (const auto &F : Functions)
      if (F.Section == At.Section && F.Start <= At.Offset && At.Offset < F.Start + F.Size)
        Names.push_back(F.Name);
    return Names;
  }

private:
  /// A call to a function in its own section needs no relocation (a lambda's
  /// instantiations are local): find the x86-64 `call rel32` instructions whose target
  /// is the function's start. Five bytes that only look like one are very unlikely to
  /// land exactly on a function's first byte.
  void addResolvedCalls(const FunctionRange &F, std::vector<CodeRef> &Refs) const {
    auto Contents = CodeBytes.find(F.Section);
    if (Contents == CodeBytes.end())
      return;
    llvm::StringRef Code = Contents->second;
    for (uint64_t I = 0; I + 5 <= Code.size(); ++I) {
      if (uint8_t(Code[I]) != 0xe8)
        continue;
      int32_t Rel = llvm::support::endian::read32le(Code.data() + I + 1);
      if (int64_t(I) + 5 + Rel == int64_t(F.Start))
        Refs.push_back({F.Section, I + 1});
    }
  }

  void addFunction(const llvm::object::ObjectFile &Object,
                   const llvm::object::SymbolRef &Symbol) {
    auto Type = Symbol.getType();
    auto Section = Symbol.getSection();
    auto Name = Symbol.getName();
    auto Value = Symbol.getValue();
    if (!Type || !Section || !Name || !Value) {
      llvm::consumeError(Type.takeError());
      llvm::consumeError(Section.takeError());
      llvm::consumeError(Name.takeError());
      llvm::consumeError(Value.takeError());
      return;
    }
    if (*Type != llvm::object::SymbolRef::ST_Function || *Section == Object.section_end())
      return;
    uint64_t Size = llvm::object::ELFSymbolRef(Symbol).getSize();
    Functions.push_back({(*Section)->getIndex(), *Value, Size, Name->str()});
  }

  llvm::StringMap<std::vector<CodeRef>> References;
  std::vector<FunctionRange> Functions;
  std::map<uint64_t, llvm::StringRef> CodeBytes; // code sections by index
};

/// A line of the program: as messages show it, and its file's absolute path.
struct ProgramLine {
  SourceLocation Shown;
  std::string AbsoluteFile;
};

/// The innermost line of At, through inlined calls, that is not in a system header.
std::optional<ProgramLine> programLine(llvm::DWARFContext &Context, CodeRef At) {
  llvm::object::SectionedAddress Address{At.Offset, At.Section};
  auto Absolute = Context.getInliningInfoForAddress(Address, {FileKind::AbsoluteFilePath});
  auto Relative = Context.getInliningInfoForAddress(Address, {FileKind::RelativeFilePath});
  for (uint32_t I = 0; I < Absolute.getNumberOfFrames(); ++I) {
    const auto &Frame = Absolute.getFrame(I);
    if (Frame.Line == 0 || isSystemPath(Frame.FileName))
      continue;
    const auto &Shown = I < Relative.getNumberOfFrames() ? Relative.getFrame(I) : Frame;
    return ProgramLine{{Shown.FileName, Frame.Line, Frame.Column}, Frame.FileName};
  }
  return std::nullopt;
}

/// The absolute path of the source the object was compiled from (its first compile
/// unit's name, against its compilation directory), or "".
std::string mainFileOf(llvm::DWARFContext &Context) {
  for (const auto &Unit : Context.compile_units()) {
    auto Name = llvm::dwarf::toString(Unit->getUnitDIE().find(llvm::dwarf::DW_AT_name));
    if (!Name)
      return {};
    llvm::SmallString<256> Path(*Name);
    if (llvm::sys::path::is_relative(Path)) {
      Path = Unit->getCompilationDir();
      llvm::sys::path::append(Path, *Name);
    }
    llvm::sys::path::remove_dots(Path, /*remove_dot_dot=*/true);
    return std::string(Path);
  }
  return {};
}

/// Finds the places in one object's code that lead to a symbol.
class DebugLocator {
public:
  DebugLocator(llvm::DWARFContext &Context, const CodeIndex &Index)
      : Context(Context), Index(Index), MainFile(mainFileOf(Context)) {}

  /// Adds to Sites each program line that refers to Symbol, walking up from code in
  /// system headers through the functions that contain it.
  void find(const std::string &Symbol, std::vector<CallSite> &Sites) const {
    std::set<std::string> Seen = {Symbol};
    std::deque<std::string> Work = {Symbol};
    while (!Work.empty()) {
      std::string Name = std::move(Work.front());
      Work.pop_front();
      for (const CodeRef &At : Index.referencesTo(Name)) {
        if (auto Line = programLine(Context, At)) {
          CallSite Site{Symbol, sourceName(Symbol), std::move(Line->Shown), {}, {}};
          if (Line->AbsoluteFile != MainFile)
            findMainFile(At, Site);
          Sites.push_back(std::move(Site));
          continue;
        }
        for (auto &Caller : Index.functionsAt(At))
          if (Seen.insert(Caller).second)
            Work.push_back(std::move(Caller));
      }
    }
  }

private:
  /// For a site in the program's own header: the first main-file line that calls the
  /// function holding At, directly or through others.
  void findMainFile(CodeRef At, CallSite &Site) const {
    std::vector<std::string> Start = Index.functionsAt(At);
    std::set<std::string> Seen(Start.begin(), Start.end());
    std::deque<std::string> Work(Start.begin(), Start.end());
    while (!Work.empty()) {
      std::string Name = std::move(Work.front());
      Work.pop_front();
      for (const CodeRef &Call : Index.referencesTo(Name)) {
        auto Line = programLine(Context, Call);
        if (Line && Line->AbsoluteFile == MainFile) {
          Site.MainFile = std::move(Line->Shown);
          Site.Through = sourceName(Name);
          return;
        }
        for (auto &Caller : Index.functionsAt(Call))
          if (Seen.insert(Caller).second)
            Work.push_back(std::move(Caller));
      }
    }
  }

  llvm::DWARFContext &Context;
  const CodeIndex &Index;
  std::string MainFile;
};

/// The member of the archive in Archive that starts at Offset.
llvm::Expected<llvm::MemoryBufferRef> memberAt(llvm::MemoryBufferRef Archive, uint64_t Offset) {
  auto Opened = llvm::object::Archive::create(Archive);
  if (!Opened)
    return Opened.takeError();
  llvm::Error Err = llvm::Error::success();
  for (const auto &Child : (*Opened)->children(Err))
    if (Child.getChildOffset() == Offset) {
      auto Ref = Child.getMemoryBufferRef();
      llvm::consumeError(std::move(Err));
      return Ref;
    }
  if (Err)
    return std::move(Err);
  return makeError("no archive member at offset " + llvm::Twine(Offset));
}

} // namespace

std::string sourceName(llvm::StringRef Symbol) {
  // The demangler keeps pointers into the mangled name: it must outlive the demangler.
  std::string Mangled = Symbol.str();
  llvm::ItaniumPartialDemangler Demangler;
  if (!Symbol.starts_with("_Z") || Demangler.partialDemangle(Mangled.c_str()))
    return Mangled;
  size_t Size = 0;
  char *Buffer = Demangler.getFunctionName(nullptr, &Size);
  std::string Name = Buffer ? Buffer : Mangled;
  std::free(Buffer);
  return Name;
}

llvm::Expected<std::vector<CallSite>> findDebugCallSites(llvm::StringRef Path,
                                                         std::optional<uint64_t> Member,
                                                         const std::set<std::string> &Symbols) {
  auto File = llvm::MemoryBuffer::getFile(Path);
  if (!File)
    return makeError("cannot read '" + Path + "': " + File.getError().message());
  llvm::MemoryBufferRef Ref = (*File)->getMemBufferRef();
  if (Member)
    TRY_ASSIGN(Ref, memberAt(Ref, *Member));
  // LLVM bitcode (-flto) has no line tables to read; other formats are not ukc++'s.
  if (llvm::identify_magic(Ref.getBuffer()) != llvm::file_magic::elf_relocatable)
    return std::vector<CallSite>();
  auto Binary = llvm::object::ObjectFile::createObjectFile(Ref);
  if (!Binary)
    return makeError("cannot read '" + Path + "': " + llvm::toString(Binary.takeError()));
  const llvm::object::ObjectFile &Object = **Binary;
  // Broken or missing debug information only means no lines: stay quiet.
  auto Quiet = [](llvm::Error E) { llvm::consumeError(std::move(E)); };
  auto Context = llvm::DWARFContext::create(
      Object, llvm::DWARFContext::ProcessDebugRelocations::Process, nullptr, "", Quiet, Quiet);
  if (Context->getNumCompileUnits() == 0)
    return std::vector<CallSite>();

  CodeIndex Index(Object);
  DebugLocator Locator(*Context, Index);
  std::vector<CallSite> Sites;
  for (const auto &Symbol : Symbols)
    Locator.find(Symbol, Sites);
  sortCallSites(Sites);
  return Sites;
}

} // namespace ukcxx
