// ImageFile: ELF header, program header and note validation for untrusted images.
#include "ImageFile.h"

#include "Error.h"
#include "uk/abi/kvm.h"
#include "uk/abi/manifest.h"

#include <cerrno>
#include <cstring>
#include <elf.h>
#include <fcntl.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>
#include <utility>

namespace ukcxx {
namespace {

constexpr uint32_t XenElfNotePhys32Entry = 18;
constexpr uint64_t MaxImageSize = uint64_t(1) << 32;

bool inBounds(uint64_t Offset, uint64_t Size, uint64_t Limit) {
  return Offset <= Limit && Size <= Limit - Offset;
}

uint64_t alignTo4(uint64_t V) { return (V + 3) & ~uint64_t(3); }

} // namespace

ImageFile ImageFile::open(const std::string &Path) {
  int Fd = ::open(Path.c_str(), O_RDONLY | O_CLOEXEC);
  if (Fd < 0)
    throw Error("cannot open image '" + Path + "': " + std::strerror(errno));
  struct stat St;
  if (fstat(Fd, &St) != 0 || !S_ISREG(St.st_mode)) {
    close(Fd);
    throw Error("'" + Path + "' is not a regular file");
  }
  if (uint64_t(St.st_size) > MaxImageSize) {
    close(Fd);
    throw Error("'" + Path + "' is too large to be an image");
  }
  ImageFile Image;
  Image.Path = Path;
  if (St.st_size) {
    // Mapped, not read: a boot touches only the headers and the segments it loads.
    void *Map = mmap(nullptr, St.st_size, PROT_READ, MAP_PRIVATE, Fd, 0);
    if (Map == MAP_FAILED) {
      close(Fd);
      throw Error("cannot read image '" + Path + "': " + std::strerror(errno));
    }
    Image.Mapping = Map;
    Image.MappingSize = St.st_size;
    Image.Bytes = {static_cast<const uint8_t *>(Map), size_t(St.st_size)};
  }
  Image.FileFd = Fd;
  Image.validate();
  return Image;
}

ImageFile ImageFile::parse(std::vector<uint8_t> Bytes, const std::string &Name) {
  ImageFile Image;
  Image.Path = Name;
  Image.Owned = std::move(Bytes);
  Image.Bytes = Image.Owned;
  Image.validate();
  return Image;
}

ImageFile::ImageFile(ImageFile &&Other) noexcept { *this = std::move(Other); }

ImageFile &ImageFile::operator=(ImageFile &&Other) noexcept {
  if (this == &Other)
    return *this;
  if (Mapping)
    munmap(Mapping, MappingSize);
  Path = std::move(Other.Path);
  bool OwnsBytes = Other.Bytes.data() == Other.Owned.data();
  Owned = std::move(Other.Owned);
  Bytes = OwnsBytes ? std::span<const uint8_t>(Owned) : Other.Bytes;
  if (FileFd >= 0)
    close(FileFd);
  Mapping = std::exchange(Other.Mapping, nullptr);
  MappingSize = std::exchange(Other.MappingSize, 0);
  FileFd = std::exchange(Other.FileFd, -1);
  Entry = Other.Entry;
  Loads = std::move(Other.Loads);
  // Note spans point into the bytes, which did not move (a mapping, or the vector's
  // heap buffer).
  Manifest = Other.Manifest;
  PVHEntry = Other.PVHEntry;
  KVMImage = Other.KVMImage;
  Other.Bytes = {};
  return *this;
}

ImageFile::~ImageFile() {
  if (Mapping)
    munmap(Mapping, MappingSize);
  if (FileFd >= 0)
    close(FileFd);
}

void ImageFile::validate() {
  auto Fail = [&](const std::string &Why) -> void {
    throw Error("'" + Path + "' is not a ukc++ image: " + Why);
  };
  if (Bytes.size() < sizeof(Elf64_Ehdr) || std::memcmp(Bytes.data(), ELFMAG, SELFMAG))
    Fail("not an ELF file");
  Elf64_Ehdr H;
  std::memcpy(&H, Bytes.data(), sizeof H);
  if (H.e_ident[EI_CLASS] != ELFCLASS64 || H.e_ident[EI_DATA] != ELFDATA2LSB)
    Fail("not a 64-bit little-endian ELF file");
  if (H.e_machine != EM_X86_64)
    Fail("built for another architecture (ELF machine " + std::to_string(H.e_machine) + ")");
  if (H.e_type != ET_EXEC)
    Fail("not an executable (relocatable objects and shared libraries do not boot)");
  if (H.e_phentsize != sizeof(Elf64_Phdr) ||
      !inBounds(H.e_phoff, uint64_t(H.e_phnum) * sizeof(Elf64_Phdr), Bytes.size()))
    Fail("truncated or corrupt program headers");
  Entry = H.e_entry;

  for (unsigned I = 0; I < H.e_phnum; ++I) {
    Elf64_Phdr P;
    std::memcpy(&P, Bytes.data() + H.e_phoff + I * sizeof P, sizeof P);
    if (P.p_type == PT_NOTE) {
      if (!inBounds(P.p_offset, P.p_filesz, Bytes.size()))
        Fail("a note segment lies outside the file");
      readNotes(P.p_offset, P.p_filesz);
    }
    if (P.p_type != PT_LOAD)
      continue;
    if (!inBounds(P.p_offset, P.p_filesz, Bytes.size()))
      Fail("segment " + std::to_string(I) + " lies outside the file (truncated?)");
    if (P.p_filesz > P.p_memsz || !inBounds(P.p_paddr, P.p_memsz, UINT64_MAX) ||
        !inBounds(P.p_vaddr, P.p_memsz, UINT64_MAX))
      Fail("segment " + std::to_string(I) + " has inconsistent sizes");
    Loads.push_back({P.p_offset, P.p_vaddr, P.p_paddr, P.p_filesz, P.p_memsz, P.p_flags});
  }
  if (Loads.empty())
    Fail("no loadable segments");
}

void ImageFile::readNotes(uint64_t Offset, uint64_t Size) {
  uint64_t End = Offset + Size;
  while (End - Offset >= sizeof(Elf64_Nhdr)) {
    Elf64_Nhdr N;
    std::memcpy(&N, Bytes.data() + Offset, sizeof N);
    uint64_t NameAt = Offset + sizeof N;
    uint64_t DescAt = NameAt + alignTo4(N.n_namesz);
    if (!inBounds(NameAt, alignTo4(N.n_namesz), End) ||
        !inBounds(DescAt, alignTo4(N.n_descsz), End))
      throw Error("'" + Path + "' is not a ukc++ image: corrupt ELF note");
    std::string_view Name(reinterpret_cast<const char *>(Bytes.data() + NameAt),
                          N.n_namesz ? N.n_namesz - 1 : 0);
    auto Desc = std::span<const uint8_t>(Bytes).subspan(DescAt, N.n_descsz);
    if (Name == UK_NOTE_NAME && N.n_type == UK_NOTE_MANIFEST)
      Manifest = Desc;
    if (Name == UK_NOTE_NAME && N.n_type == UK_NOTE_KVM_IMAGE)
      KVMImage = Desc;
    if (Name == "Xen" && N.n_type == XenElfNotePhys32Entry && Desc.size() >= 4) {
      uint32_t E;
      std::memcpy(&E, Desc.data(), 4);
      PVHEntry = E;
    }
    Offset = DescAt + alignTo4(N.n_descsz);
  }
}

} // namespace ukcxx
