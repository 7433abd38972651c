// ImageFile: a checked reader for ukc++ images (ELF64 x86-64 executables).
#pragma once

#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <vector>

namespace ukcxx {

/// An image read whole into memory and validated as untrusted input: every header,
/// segment and note is bounds-checked when the image is opened, so the accessors
/// cannot fail later.
class ImageFile {
public:
  struct Segment {
    uint64_t Offset, VirtAddr, PhysAddr, FileSize, MemSize;
    uint32_t Flags; // PF_R | PF_W | PF_X
  };

  /// Maps and validates Path; throws Error saying what is wrong with it.
  static ImageFile open(const std::string &Path);
  /// Validates an image already in memory; Name is used in messages.
  static ImageFile parse(std::vector<uint8_t> Bytes, const std::string &Name);

  ImageFile() = default;
  ImageFile(ImageFile &&Other) noexcept;
  ImageFile &operator=(ImageFile &&Other) noexcept;
  ~ImageFile();

  const std::string &path() const { return Path; }
  std::span<const uint8_t> bytes() const { return Bytes; }
  /// The open image file (read-only), or -1 for an image parsed from memory. The
  /// monitor maps segment pages from it instead of copying them.
  int fd() const { return FileFd; }
  uint64_t entry() const { return Entry; }
  const std::vector<Segment> &loadSegments() const { return Loads; }
  /// The ukc++ manifest note; empty if the image has none (not built by ukc++).
  std::span<const uint8_t> manifestNote() const { return Manifest; }
  /// The 32-bit PVH entry (Xen note), if the image can boot through PVH.
  std::optional<uint32_t> pvhEntry() const { return PVHEntry; }
  /// The descriptor of the built-in monitor's entry (struct uk_kvm_image, not yet
  /// validated: the monitor checks it); empty if the image cannot boot on the monitor.
  std::span<const uint8_t> kvmImageNote() const { return KVMImage; }
  /// Bytes of a segment's file contents.
  std::span<const uint8_t> contents(const Segment &S) const {
    return Bytes.subspan(S.Offset, S.FileSize);
  }

private:
  std::string Path;
  std::span<const uint8_t> Bytes; // the mapping, or Owned
  std::vector<uint8_t> Owned;
  void *Mapping = nullptr; // the file mapped read-only (open()), unmapped at the end
  size_t MappingSize = 0;
  int FileFd = -1;
  uint64_t Entry = 0;
  std::vector<Segment> Loads;
  std::span<const uint8_t> Manifest;
  std::optional<uint32_t> PVHEntry;
  std::span<const uint8_t> KVMImage;

  void validate();
  void readNotes(uint64_t Offset, uint64_t Size);
};

} // namespace ukcxx
