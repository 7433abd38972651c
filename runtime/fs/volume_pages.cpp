// volume_pages.cpp: MAP_SHARED of a volume's file (SQLite's WAL index needs it): the
// mapped pages are kept in memory, shared by every mapping of the file, read from the
// host when first mapped and written back on msync, fsync and close. Reads see them
// over the host's bytes and writes update them, so read, write and the mappings agree.
#include "volumes.h"

#include "uk/memory.h"
#include "uk/paging.h"

#include <asm-generic/errno.h>

namespace uk::volumes {
namespace {

constexpr uint64_t PerFrame = PageSize / sizeof(uint64_t); // entries of a table frame
constexpr uint64_t MaxPages = PerFrame * PerFrame;         // 1 GiB of mapped file

uint64_t *table(uint64_t phys) { return static_cast<uint64_t *>(phys_to_virt(phys)); }

/// The frame of kept page Index (0: none), making its table if Create.
uint64_t *slot(VNode &n, uint64_t index, bool create) {
  if (index >= MaxPages)
    return nullptr;
  if (!n.pages && (!create || !(n.pages = frame_alloc())))
    return nullptr;
  uint64_t &leaf = table(n.pages)[index / PerFrame];
  if (!leaf && (!create || !(leaf = frame_alloc())))
    return nullptr;
  return &table(leaf)[index % PerFrame];
}

uint64_t kept(const VNode &n, uint64_t index) {
  if (!n.pages || index >= MaxPages)
    return 0;
  uint64_t leaf = table(n.pages)[index / PerFrame];
  return leaf ? table(leaf)[index % PerFrame] : 0;
}

/// Calls Visit(page frame's bytes, offset in the page, offset in the range, length)
/// for each kept page over [Offset, Offset + Len).
template <typename F> void each_kept(const VNode &n, uint64_t offset, size_t len, F visit) {
  for (size_t done = 0; done < len;) {
    uint64_t at = offset + done, in_page = at % PageSize;
    size_t part = PageSize - in_page < len - done ? PageSize - in_page : len - done;
    if (uint64_t frame = kept(n, at / PageSize))
      visit(static_cast<char *>(phys_to_virt(frame)), in_page, done, part);
    done += part;
  }
}

} // namespace

uint64_t shared_page(VNode &n, uint32_t fid, uint64_t index) {
  uint64_t *at = slot(n, index, true);
  if (!at)
    return 0;
  if (!*at) {
    uint64_t frame = frame_alloc();
    if (!frame)
      return 0;
    char *bytes = static_cast<char *>(phys_to_virt(frame));
    for (size_t done = 0; done < PageSize;) { // past the end, the page stays zero
      long got = p9::read(volume_of(n).channel, fid, index * PageSize + done, bytes + done,
                          PageSize - done);
      if (got < 0) { // a page of zeros would be written back over the file's data
        frame_free(frame);
        return 0;
      }
      if (!got)
        break;
      done += size_t(got);
    }
    *at = frame;
  }
  return *at;
}

long write_back(VNode &n, uint32_t fid, uint64_t size) {
  if (!n.pages)
    return 0;
  for (uint64_t index = 0; index * PageSize < size; ++index) {
    uint64_t frame = kept(n, index);
    if (!frame)
      continue;
    size_t len = size - index * PageSize < PageSize ? size - index * PageSize : PageSize;
    const char *bytes = static_cast<const char *>(phys_to_virt(frame));
    for (size_t done = 0; done < len;) {
      long put = p9::write(volume_of(n).channel, fid, index * PageSize + done, bytes + done,
                           len - done);
      if (put <= 0)
        return put ? put : -EIO;
      done += size_t(put);
    }
  }
  return 0;
}

void overlay_pages(const VNode &n, char *buf, size_t len, uint64_t offset) {
  each_kept(n, offset, len, [&](char *page, uint64_t in_page, size_t at, size_t part) {
    memcpy(buf + at, page + in_page, part);
  });
}

void update_pages(VNode &n, const char *buf, size_t len, uint64_t offset) {
  each_kept(n, offset, len, [&](char *page, uint64_t in_page, size_t at, size_t part) {
    memcpy(page + in_page, buf + at, part);
  });
}

void cut_pages(VNode &n, uint64_t size) {
  if (!n.pages)
    return;
  for (uint64_t index = size / PageSize; index < MaxPages; ++index) {
    if (index % PerFrame == 0 && !table(n.pages)[index / PerFrame]) {
      index += PerFrame - 1; // no leaf: nothing kept there
      continue;
    }
    if (uint64_t frame = kept(n, index)) {
      uint64_t from = index == size / PageSize ? size % PageSize : 0;
      memset(static_cast<char *>(phys_to_virt(frame)) + from, 0, PageSize - from);
    }
  }
}

void free_pages(VNode &n) {
  if (!n.pages)
    return;
  for (uint64_t i = 0; i < PerFrame; ++i)
    if (uint64_t leaf = table(n.pages)[i]) {
      for (uint64_t j = 0; j < PerFrame; ++j)
        if (uint64_t frame = table(leaf)[j])
          frame_free(frame);
      frame_free(leaf);
    }
  frame_free(n.pages);
  n.pages = 0;
}

} // namespace uk::volumes
