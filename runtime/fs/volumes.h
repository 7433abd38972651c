// volumes.h: what the volumes' files share: each volume's 9P channel, and the nodes
// (the files and folders the walk has met) with the fids that name them on the host.
#pragma once

#include "p9.h"
#include "vfs.h"

namespace uk::volumes {

constexpr unsigned MaxVolumes = 8;
constexpr uint32_t MaxFids = 8192;

struct Volume {
  FileSystem fs; // its own copy: a Node's fs says which volume it is of
  p9::Channel channel;
  uint32_t root; // the root's node
  bool readonly;
  char tag[32];
  uint64_t fids[MaxFids / 64]; // the fids in use, a bit each
  // readdir's cache: one Treaddir reply, read from cookie dir_start on an opened fid
  // of the folder whose Node id is dir_node (0: none).
  uint64_t dir_node;
  uint32_t dir_fid;
  uint64_t dir_start;
  size_t dir_len;
  uint8_t *dir_buffer;
};

/// A file, folder or symlink of a volume, named by a walked (never opened) fid.
struct VNode {
  uint32_t fid;         // 0: a free slot
  uint32_t generation;  // of the slot: Node ids of a freed node are stale
  uint32_t parent;      // the folder's node (the root's is itself)
  uint32_t children;    // nodes whose parent this is
  uint32_t holds;       // open descriptions, the working folder
  uint32_t hash_next;   // the next node in its hash chain, 0 at the end
  uint32_t read_fid;    // opened read-only, shared by its read-only descriptions (0: none)
  uint32_t created_fid; // opened for reading and writing when made, for the open after
  uint8_t volume;
  uint8_t qid_type;
  bool removed;       // no longer named: no lookup finds it, and it goes once not held
  uint32_t file_type; // S_IFMT bits once asked (0: not yet)
  uint64_t qid_path;  // the host's inode number
  uint64_t used;      // when last used, for choosing the node to let go
  uint64_t pages;     // the shared mappings' page table (volume_pages.cpp), or 0
  char *link;         // a symlink's target once read
  char name[MaxName + 1];
};

extern Volume volumes[MaxVolumes];
extern unsigned volume_count;

/// Sets the node table up; false when memory is short.
bool nodes_init();

Volume &volume_of(const VNode &n);
/// The node Node names, or null if it has gone since the walk met it.
VNode *node(Node n);
VNode *node_at(uint32_t index);
uint32_t index_of(const VNode &n);
Node node_id(const VNode &n);

/// A free fid of V, closing fids that nothing uses if all are taken (never Keep's);
/// 0 when all are in use.
uint32_t fid_new(Volume &v, const VNode *keep = nullptr);
void fid_free(Volume &v, uint32_t fid);
/// Tclunk and free.
void fid_drop(Volume &v, uint32_t fid);

/// The node of Name (Len bytes) in folder Dir, if the walk met it before.
VNode *find_child(const VNode &dir, const char *name, size_t len);
/// A node for Name in folder Dir, named by walked fid Fid (which it then owns); null
/// when every node is held.
VNode *add_node(VNode &dir, const char *name, size_t len, uint32_t fid, const p9::Qid &qid);
/// The root's node of volume V.
VNode *add_root(Volume &v, uint32_t fid, const p9::Qid &qid);
/// Name no longer names N (removed, or renamed over): it goes once nothing holds it.
void forget(VNode &n);
/// N is now Name in folder Dir.
void move_node(VNode &n, VNode &dir, const char *name, size_t len);
/// Frees N if it is removed and nothing holds it.
void let_go(VNode &n);

// volume_pages.cpp: shared mappings of a volume's files, pages kept in memory.
/// The frame of page Index of N's data, read from Fid if new; 0 if memory ran out.
uint64_t shared_page(VNode &n, uint32_t fid, uint64_t index);
/// Writes the kept pages of N back through Fid (opened for writing), up to Size.
long write_back(VNode &n, uint32_t fid, uint64_t size);
/// What reads see: bytes of the kept pages over those read from the host.
void overlay_pages(const VNode &n, char *buf, size_t len, uint64_t offset);
/// A write of Buf at Offset: the kept pages take it too.
void update_pages(VNode &n, const char *buf, size_t len, uint64_t offset);
/// Truncation to Size: kept pages past it read as zeros.
void cut_pages(VNode &n, uint64_t size);
void free_pages(VNode &n);

} // namespace uk::volumes
