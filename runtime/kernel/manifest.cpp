// manifest.cpp: reading the manifest note the driver put in the image.
#include "uk/manifest.h"

#include <elf.h>

extern "C" const char __uk_manifest_note[];

namespace uk {
namespace {

uk_manifest header;
const char *base;

} // namespace

void manifest_init() {
  Elf64_Nhdr note;
  memcpy(&note, __uk_manifest_note, sizeof note);
  base = __uk_manifest_note + sizeof note + align_up(note.n_namesz, 4);
  if (note.n_type != UK_NOTE_MANIFEST || note.n_descsz < sizeof header)
    PANIC("the image has no manifest note");
  memcpy(&header, base, sizeof header);
  if (header.magic != UK_MANIFEST_MAGIC || header.version != UK_MANIFEST_VERSION ||
      header.total_size > note.n_descsz)
    PANIC("the image's manifest is corrupt or of another version");
}

const uk_manifest &manifest() { return header; }

const char *manifest_string(uint32_t offset) {
  if (offset >= header.total_size)
    return "";
  // The driver NUL-terminates every string, and the note ends with the last one.
  return base + offset;
}

bool manifest_copy(uint32_t offset, void *out, size_t size) {
  if (uint64_t(offset) + size > header.total_size)
    return false;
  memcpy(out, base + offset, size);
  return true;
}

const char *manifest_string_at(uint32_t array_offset, uint32_t i) {
  uint64_t at = uint64_t(array_offset) + uint64_t(i) * 4;
  if (at + 4 > header.total_size)
    return "";
  uint32_t offset;
  memcpy(&offset, base + at, 4);
  return manifest_string(offset);
}

} // namespace uk
