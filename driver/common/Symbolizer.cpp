// Symbolizer: a bounds-checked walk of .symtab, and fault-report annotation.
#include "Symbolizer.h"

#include <algorithm>
#include <cstring>
#include <cxxabi.h>
#include <elf.h>
#include <memory>

namespace ukcxx {
namespace {

template <typename T> bool readAt(std::span<const uint8_t> Bytes, uint64_t Offset, T &Out) {
  if (Offset > Bytes.size() || Bytes.size() - Offset < sizeof(T))
    return false;
  std::memcpy(&Out, Bytes.data() + Offset, sizeof(T));
  return true;
}

std::string demangle(const std::string &Name) {
  int Status = 0;
  std::unique_ptr<char, void (*)(void *)> Demangled(
      abi::__cxa_demangle(Name.c_str(), nullptr, nullptr, &Status), std::free);
  return Status == 0 && Demangled ? std::string(Demangled.get()) : Name;
}

} // namespace

void Symbolizer::load() const {
  Loaded = true;
  auto Bytes = Image.bytes();
  Elf64_Ehdr H;
  if (!readAt(Bytes, 0, H) || H.e_shentsize != sizeof(Elf64_Shdr))
    return;
  for (unsigned I = 0; I < H.e_shnum; ++I) {
    Elf64_Shdr Symtab, Strtab;
    if (!readAt(Bytes, H.e_shoff + uint64_t(I) * sizeof(Elf64_Shdr), Symtab) ||
        Symtab.sh_type != SHT_SYMTAB || Symtab.sh_entsize != sizeof(Elf64_Sym))
      continue;
    if (!readAt(Bytes, H.e_shoff + uint64_t(Symtab.sh_link) * sizeof(Elf64_Shdr), Strtab) ||
        Strtab.sh_offset > Bytes.size() || Bytes.size() - Strtab.sh_offset < Strtab.sh_size)
      return;
    for (uint64_t At = 0; At + sizeof(Elf64_Sym) <= Symtab.sh_size; At += sizeof(Elf64_Sym)) {
      Elf64_Sym S;
      if (!readAt(Bytes, Symtab.sh_offset + At, S))
        break;
      if (ELF64_ST_TYPE(S.st_info) != STT_FUNC || !S.st_value || S.st_name >= Strtab.sh_size)
        continue;
      const char *Name =
          reinterpret_cast<const char *>(Bytes.data() + Strtab.sh_offset + S.st_name);
      size_t Len = strnlen(Name, Strtab.sh_size - S.st_name);
      Functions.push_back({S.st_value, S.st_size, std::string(Name, Len)});
    }
  }
  std::sort(Functions.begin(), Functions.end(), [](const Function &A, const Function &B) {
    return A.Address != B.Address ? A.Address < B.Address : A.Name < B.Name;
  });
}

std::string Symbolizer::describe(uint64_t Address) const {
  if (!Loaded)
    load();
  auto It = std::upper_bound(Functions.begin(), Functions.end(), Address,
                             [](uint64_t A, const Function &F) { return A < F.Address; });
  if (It == Functions.begin())
    return "";
  const Function &F = *--It;
  if (Address - F.Address >= std::max<uint64_t>(F.Size, 1))
    return "";
  char Offset[32];
  snprintf(Offset, sizeof Offset, "+0x%llx", (unsigned long long)(Address - F.Address));
  return demangle(F.Name) + Offset;
}

std::string Symbolizer::annotate(const std::string &Line) const {
  static const char Prefix[] = "ukc++:   ";
  if (Line.compare(0, sizeof Prefix - 1, Prefix) != 0)
    return Line;
  size_t Hex = Line.find(" 0x", sizeof Prefix - 1);
  if (Hex == std::string::npos)
    return Line;
  size_t End = Hex + 3;
  while (End < Line.size() && isxdigit(static_cast<unsigned char>(Line[End])))
    ++End;
  if (End != Line.size() && Line[End] != '\n')
    return Line;
  std::string Name = describe(std::strtoull(Line.c_str() + Hex + 1, nullptr, 16));
  if (Name.empty())
    return Line;
  std::string Out = Line.substr(0, End) + " <" + Name + ">";
  return End < Line.size() ? Out + "\n" : Out;
}

} // namespace ukcxx
