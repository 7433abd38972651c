/* The 9P2000.L constants that the guest's client (runtime/fs/p9.cpp) and the built-in
 * monitor's server (monitor/volume/) share: message types, qid types, attribute bits
 * and limits, as the protocol's public description defines them. C++ only. */
#pragma once

#include <stddef.h>
#include <stdint.h>

namespace uk::p9 {

/// Message types. A reply's type is its request's plus one; errors are Rlerror.
enum Type : uint8_t {
  Rlerror = 7,
  Tstatfs = 8,
  Tlopen = 12,
  Tlcreate = 14,
  Tsymlink = 16,
  Tmknod = 18,
  Trename = 20,
  Treadlink = 22,
  Tgetattr = 24,
  Tsetattr = 26,
  Txattrwalk = 30,
  Txattrcreate = 32,
  Treaddir = 40,
  Tfsync = 50,
  Tlock = 52,
  Tgetlock = 54,
  Tlink = 70,
  Tmkdir = 72,
  Trenameat = 74,
  Tunlinkat = 76,
  Tversion = 100,
  Tauth = 102,
  Tattach = 104,
  Tflush = 108,
  Twalk = 110,
  Tread = 116,
  Twrite = 118,
  Tclunk = 120,
  Tremove = 122,
};

constexpr uint32_t NoFid = ~0u;
constexpr uint16_t NoTag = 0xffff;
constexpr unsigned MaxWalkNames = 16; // names in one Twalk

/// size[4] type[1] tag[2]
constexpr size_t HeaderSize = 7;
/// type[1] version[4] path[8]
constexpr size_t QidSize = 13;
/// Rread and Rreaddir: the header and count[4] before the data.
constexpr size_t DataReplyHeader = HeaderSize + 4;
/// Rlerror: the header and ecode[4]; the smallest reply.
constexpr size_t ErrorReplySize = HeaderSize + 4;

/// Qid types: the high bits of the file's mode, as 9P has them.
constexpr uint8_t QidDirectory = 0x80, QidSymlink = 0x02, QidFile = 0;

/// Tsetattr's valid bits.
constexpr uint32_t SetMode = 0x1, SetUid = 0x2, SetGid = 0x4, SetSize = 0x8, SetAtime = 0x10,
                   SetMtime = 0x20, SetCtime = 0x40, SetAtimeSet = 0x80, SetMtimeSet = 0x100;
constexpr uint32_t SetKnown = 0x1ff;

/// Rgetattr's valid bits: everything up to blocks, and the birth time.
constexpr uint64_t GetattrBasic = 0x7ff, GetattrBtime = 0x800;

/// Tunlinkat's one flag (Linux's AT_REMOVEDIR).
constexpr uint32_t UnlinkDirectory = 0x200;

/// The Linux open flags Tlopen and Tlcreate carry (their values on x86-64).
constexpr uint32_t OpenAccessMode = 03, OpenCreate = 0100, OpenExclusive = 0200,
                   OpenTruncate = 01000, OpenAppend = 02000, OpenDsync = 010000,
                   OpenDirectory = 0200000, OpenSync = 04010000;

} // namespace uk::p9
