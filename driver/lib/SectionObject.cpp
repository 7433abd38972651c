// SectionObject: a tiny ELF64 relocatable object holding one allocated section.
#include "SectionObject.h"

#include "Diagnostic.h"

#include "llvm/Support/raw_ostream.h"

#include <cstring>
#include <elf.h>

namespace ukcxx {

llvm::Error writeSectionObject(const std::string &Path, const std::string &Name, uint32_t Type,
                               uint64_t Align, llvm::ArrayRef<uint8_t> Contents) {
  // Section names: "", Name, ".shstrtab".
  std::string Names = std::string(1, '\0') + Name + '\0' + ".shstrtab" + '\0';
  const uint32_t NameOffset = 1, ShstrtabNameOffset = 2 + Name.size();

  Elf64_Ehdr H{};
  std::memcpy(H.e_ident, ELFMAG, SELFMAG);
  H.e_ident[EI_CLASS] = ELFCLASS64;
  H.e_ident[EI_DATA] = ELFDATA2LSB;
  H.e_ident[EI_VERSION] = EV_CURRENT;
  H.e_type = ET_REL;
  H.e_machine = EM_X86_64;
  H.e_version = EV_CURRENT;
  H.e_ehsize = sizeof H;
  H.e_shentsize = sizeof(Elf64_Shdr);
  H.e_shnum = 3;
  H.e_shstrndx = 2;
  uint64_t ContentsAt = (sizeof H + Align - 1) & ~(Align - 1);
  uint64_t NamesAt = ContentsAt + Contents.size();
  H.e_shoff = (NamesAt + Names.size() + 7) & ~uint64_t(7);

  Elf64_Shdr Sections[3]{};
  Sections[1].sh_name = NameOffset;
  Sections[1].sh_type = Type;
  Sections[1].sh_flags = SHF_ALLOC;
  Sections[1].sh_offset = ContentsAt;
  Sections[1].sh_size = Contents.size();
  Sections[1].sh_addralign = Align;
  Sections[2].sh_name = ShstrtabNameOffset;
  Sections[2].sh_type = SHT_STRTAB;
  Sections[2].sh_offset = NamesAt;
  Sections[2].sh_size = Names.size();
  Sections[2].sh_addralign = 1;

  std::string Object(reinterpret_cast<const char *>(&H), sizeof H);
  Object.resize(ContentsAt);
  Object.append(reinterpret_cast<const char *>(Contents.data()), Contents.size());
  Object += Names;
  Object.resize(H.e_shoff);
  Object.append(reinterpret_cast<const char *>(Sections), sizeof Sections);

  std::error_code EC;
  llvm::raw_fd_ostream OS(Path, EC);
  if (EC)
    return makeError("cannot write '" + Path + "': " + EC.message());
  OS << Object;
  OS.close();
  if (OS.has_error())
    return makeError("cannot write '" + Path + "': " + OS.error().message());
  return llvm::Error::success();
}

} // namespace ukcxx
