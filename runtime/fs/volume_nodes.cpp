// volume_nodes.cpp: the volumes' nodes: a table in one 2 MiB chunk, found by folder
// and name through a hash, each holding a walked fid. A node nothing holds can be let
// go to make room (its fid clunked); the walk meets it again by name if need be.
#include "volumes.h"

#include "uk/memory.h"
#include "uk/paging.h"

namespace uk::volumes {

Volume volumes[MaxVolumes] = {};
unsigned volume_count;

namespace {

constexpr uint32_t Buckets = 4096;
constexpr uint32_t NodeCount =
    uint32_t((LargePageSize - Buckets * sizeof(uint32_t)) / sizeof(VNode));

uint32_t *buckets; // node index + 1 of the first of each chain... 0: empty
VNode *nodes;      // [0] is never used: index 0 means none
uint64_t clock;    // counts uses, for VNode::used
uint32_t cursor = 1;

uint32_t bucket(uint32_t dir, const char *name, size_t len) {
  uint32_t h = 2166136261u ^ dir; // FNV-1a over the folder and the name
  for (size_t i = 0; i < len; ++i)
    h = (h ^ uint8_t(name[i])) * 16777619u;
  return h % Buckets;
}

void unhash(VNode &n) {
  uint32_t index = index_of(n);
  for (uint32_t *at = &buckets[bucket(n.parent, n.name, strlen(n.name))]; *at;
       at = &nodes[*at].hash_next)
    if (*at == index) {
      *at = n.hash_next;
      n.hash_next = 0;
      return;
    }
}

void rehash(VNode &n) {
  uint32_t &head = buckets[bucket(n.parent, n.name, strlen(n.name))];
  n.hash_next = head;
  head = index_of(n);
}

/// Frees slot N (its fid clunked, its parent's count dropped).
void release_slot(VNode &n) {
  Volume &v = volume_of(n);
  if (!n.removed)
    unhash(n);
  if (n.link)
    frame_free(reinterpret_cast<uint64_t>(n.link) - direct_map_base);
  free_pages(n);
  if (n.read_fid)
    fid_drop(v, n.read_fid);
  if (n.created_fid)
    fid_drop(v, n.created_fid);
  fid_drop(v, n.fid);
  VNode &parent = nodes[n.parent];
  uint32_t generation = n.generation + 1;
  memset(&n, 0, sizeof n);
  n.generation = generation;
  if (&parent != &n && !--parent.children)
    let_go(parent);
}

/// The least recently used node that can go (nothing holds it, no node is in it, not
/// a root), of volume Of if not null, other than Keep; null if there is none.
VNode *oldest_free(const Volume *of, const VNode *keep) {
  VNode *oldest = nullptr;
  for (uint32_t i = 1; i < NodeCount; ++i) {
    VNode &n = nodes[i];
    if (n.fid && !n.holds && !n.children && n.parent != i && &n != keep &&
        (!of || &volume_of(n) == of) && (!oldest || n.used < oldest->used))
      oldest = &n;
  }
  return oldest;
}

/// A free slot, letting the least recently used node go if none is; null if all are
/// held (or folders of held ones).
VNode *free_slot() {
  for (uint32_t tries = 1; tries < NodeCount; ++tries) {
    cursor = cursor + 1 < NodeCount ? cursor + 1 : 1;
    if (!nodes[cursor].fid)
      return &nodes[cursor];
  }
  VNode *oldest = oldest_free(nullptr, nullptr);
  if (!oldest)
    return nullptr;
  release_slot(*oldest);
  return oldest->fid ? nullptr : oldest;
}

uint32_t take_fid(Volume &v) {
  for (uint32_t word = 0; word < MaxFids / 64; ++word)
    if (~v.fids[word]) {
      uint32_t bit = uint32_t(__builtin_ctzll(~v.fids[word]));
      uint32_t fid = word * 64 + bit;
      v.fids[word] |= 1ull << bit;
      if (fid)
        return fid;
    }
  return 0;
}

VNode *fill(VNode &n, uint8_t volume, uint32_t parent, const char *name, size_t len,
            uint32_t fid, const p9::Qid &qid) {
  n.fid = fid;
  n.parent = parent;
  n.volume = volume;
  n.qid_type = qid.type;
  n.qid_path = qid.path;
  n.used = ++clock;
  memcpy(n.name, name, len);
  n.name[len] = 0;
  return &n;
}

} // namespace

bool nodes_init() {
  if (nodes)
    return true;
  uint64_t chunk = chunk_alloc();
  if (!chunk)
    return false;
  buckets = static_cast<uint32_t *>(phys_to_virt(chunk));
  nodes = reinterpret_cast<VNode *>(buckets + Buckets);
  return true;
}

Volume &volume_of(const VNode &n) { return volumes[n.volume]; }

VNode *node_at(uint32_t index) { return &nodes[index]; }
uint32_t index_of(const VNode &n) { return uint32_t(&n - nodes); }

Node node_id(const VNode &n) {
  return {&volume_of(n).fs, uint64_t(n.generation) << 32 | index_of(n)};
}

VNode *node(Node id) {
  uint32_t index = uint32_t(id.id);
  if (!index || index >= NodeCount)
    return nullptr;
  VNode &n = nodes[index];
  if (!n.fid || n.generation != uint32_t(id.id >> 32) || &volume_of(n).fs != id.fs)
    return nullptr;
  n.used = ++clock;
  return &n;
}

uint32_t fid_new(Volume &v, const VNode *keep) {
  if (uint32_t fid = take_fid(v))
    return fid;
  // All in use: the read-only fids no description holds go first (closing them all,
  // which makes room for many), then nodes nothing holds, least recently used first.
  for (uint32_t i = 1; i < NodeCount; ++i)
    if (VNode &n = nodes[i]; n.fid && n.read_fid && !n.holds && &volume_of(n) == &v) {
      fid_drop(v, n.read_fid);
      n.read_fid = 0;
    }
  for (;;) {
    if (uint32_t fid = take_fid(v))
      return fid;
    VNode *oldest = oldest_free(&v, keep);
    if (!oldest)
      return 0;
    release_slot(*oldest);
  }
}

void fid_free(Volume &v, uint32_t fid) { v.fids[fid / 64] &= ~(1ull << (fid % 64)); }

void fid_drop(Volume &v, uint32_t fid) {
  p9::clunk(v.channel, fid); // a fid the server no longer knows is gone anyway
  fid_free(v, fid);
}

VNode *find_child(const VNode &dir, const char *name, size_t len) {
  uint32_t d = index_of(dir);
  for (uint32_t i = buckets[bucket(d, name, len)]; i; i = nodes[i].hash_next)
    if (nodes[i].parent == d && same_name(nodes[i].name, name, len)) {
      nodes[i].used = ++clock;
      return &nodes[i];
    }
  return nullptr;
}

VNode *add_node(VNode &dir, const char *name, size_t len, uint32_t fid, const p9::Qid &qid) {
  ++dir.holds; // the folder stays while a slot is found
  VNode *n = free_slot();
  --dir.holds;
  if (!n)
    return nullptr;
  fill(*n, dir.volume, index_of(dir), name, len, fid, qid);
  ++dir.children;
  rehash(*n);
  return n;
}

VNode *add_root(Volume &v, uint32_t fid, const p9::Qid &qid) {
  VNode *n = free_slot();
  if (!n)
    return nullptr;
  fill(*n, uint8_t(&v - volumes), 0, "", 0, fid, qid);
  n->parent = index_of(*n);
  n->holds = 1; // the mount holds it
  return n;
}

void forget(VNode &n) {
  if (n.removed)
    return;
  unhash(n);
  n.removed = true;
  let_go(n);
}

void move_node(VNode &n, VNode &dir, const char *name, size_t len) {
  if (!n.removed)
    unhash(n);
  VNode &old = nodes[n.parent];
  n.parent = index_of(dir);
  ++dir.children;
  memcpy(n.name, name, len);
  n.name[len] = 0;
  n.removed = false;
  rehash(n);
  if (!--old.children)
    let_go(old);
}

void let_go(VNode &n) {
  if (n.removed && !n.holds && !n.children)
    release_slot(n);
}

} // namespace uk::volumes
