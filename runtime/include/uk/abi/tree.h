/* The image's own file tree (manifest `fs: { root }`), as packed by ukc++, ABI v1.
 *
 * ukc++ walks the root folder at link time and writes this blob into section .uk.tree,
 * which the linker script puts in a read-only segment of its own; the kernel reads it
 * where it was loaded, without parsing or copying anything at boot.
 *
 * Layout (little-endian; every offset is bytes from the start of the header):
 *   struct uk_tree_header
 *   struct uk_tree_node nodes[node_count]     node 0 is the root directory
 *   names                                      NUL-terminated file names, symlink targets
 *   file data                                  each file's bytes: 4 KiB-aligned from a
 *                                              page up, so that it can be mapped without
 *                                              copying; 16-byte-aligned below
 * A directory's entries are the nodes [first, first + count), sorted by name (bytewise,
 * as strcmp), so a lookup is a binary search. The same folder always gives the same
 * bytes (no host timestamps or inode numbers; a file's mtime is kept).
 *
 * Readers treat it as untrusted: every offset and index is checked against total_size
 * and node_count before use. */
#ifndef UK_ABI_TREE_H
#define UK_ABI_TREE_H

#include <stdint.h>

#define UK_TREE_MAGIC 0x45455254464b5555ull /* "UUKFTREE" little-endian */
#define UK_TREE_VERSION 1u
#define UK_TREE_SECTION ".uk.tree"
#define UK_TREE_DATA_ALIGN 4096u /* files of this size or more */
#define UK_TREE_SMALL_ALIGN 16u

struct uk_tree_header {
  uint64_t magic;
  uint32_t version;
  uint32_t node_count;
  uint64_t total_size; /* header, nodes, names and data */
  uint64_t names_offset;
  uint64_t names_size;
};

enum uk_tree_kind {
  UK_TREE_DIRECTORY = 1,
  UK_TREE_FILE = 2,
  UK_TREE_SYMLINK = 3,
};

struct uk_tree_node {
  uint32_t kind;   /* enum uk_tree_kind */
  uint32_t mode;   /* permission bits (07777) */
  uint32_t name;   /* offset of the name in names; the root's is "" */
  uint32_t parent; /* the directory holding it; the root's is 0 */
  /* Directory: its entries are nodes [first, first + count).
   * File: its data is at offset first_or_data, size bytes.
   * Symlink: its target is the NUL-terminated string at names + first_or_data. */
  uint64_t first_or_data;
  uint64_t size; /* directory: entry count; file: bytes; symlink: target length */
  int64_t mtime_ns;
};

#ifdef __cplusplus
static_assert(sizeof(struct uk_tree_header) == 40, "uk_tree_header layout");
static_assert(sizeof(struct uk_tree_node) == 40, "uk_tree_node layout");
#endif

#endif
