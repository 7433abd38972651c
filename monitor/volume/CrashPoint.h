// CrashPoint: the crash-safety tests' hook. The process dies, as a crash would, just
// before its N-th mutating host operation, so that a test can sweep a crash across a
// transaction deterministically (ukrun's test option sets N).
#pragma once

#include <cstdint>

namespace ukcxx::volume {

/// Exit status of a process ended at its crash point: what a shell reports for SIGKILL.
constexpr int CrashPointStatus = 137;

class CrashPoint {
public:
  /// Dies before mutation number Before (counting from 1); 0: never.
  explicit CrashPoint(uint64_t Before = 0) : Before(Before) {}

  /// Counts one mutating host operation (What names it: "pwrite", "fsync"...) that is
  /// about to happen. At the chosen one, writes a line to standard error and ends the
  /// process at once (_exit: no destructors, no flushing), before the operation.
  /// Mutations: writes, truncations, creations (an open with O_CREAT), mode and time
  /// changes, mkdir, symlink, link, unlink, rename, fsync and fdatasync.
  void beforeMutation(const char *What);

  uint64_t count() const { return Count; }

private:
  uint64_t Before, Count = 0;
};

} // namespace ukcxx::volume
