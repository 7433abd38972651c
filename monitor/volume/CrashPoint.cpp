// CrashPoint: counting mutations and dying at the chosen one.
#include "CrashPoint.h"

#include <cstdio>
#include <unistd.h>

namespace ukcxx::volume {

void CrashPoint::beforeMutation(const char *What) {
  if (++Count != Before)
    return;
  char Line[160];
  int Len = snprintf(Line, sizeof Line,
                     "ukrun: crash point: dying before mutating host operation %llu (%s)\n",
                     static_cast<unsigned long long>(Count), What);
  (void)!write(2, Line, size_t(Len));
  _exit(CrashPointStatus);
}

} // namespace ukcxx::volume
