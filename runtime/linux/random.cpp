// random.cpp: getrandom from the CPU's RDSEED/RDRAND.
#include "uk/random.h"

#include "uk/cpu.h"
#include "uk/syscall.h"
#include "uk/vm.h"

namespace uk {

static bool hardware_random(uint64_t &out) {
  for (int i = 0; i < 32; ++i) {
    unsigned char ok;
    if (cpu_features.rdrand)
      asm volatile("rdrand %0; setc %1" : "=r"(out), "=qm"(ok));
    else if (cpu_features.rdseed)
      asm volatile("rdseed %0; setc %1" : "=r"(out), "=qm"(ok));
    else
      return false;
    if (ok)
      return true;
  }
  return false;
}

long fill_random(char *buf, size_t len) {
  size_t done = 0;
  while (done < len) {
    uint64_t v;
    if (!hardware_random(v))
      return done ? long(done) : -EIO;
    size_t n = len - done < 8 ? len - done : 8;
    memcpy(buf + done, &v, n);
    done += n;
  }
  return long(done);
}

UK_SYSCALL(getrandom) {
  uint64_t buf = args.a0, len = args.a1, flags = args.a2;
  if (flags & ~uint64_t(1 | 2 | 4)) // GRND_NONBLOCK | GRND_RANDOM | GRND_INSECURE
    return -EINVAL;
  if (len > 33554431)
    len = 33554431; // as Linux, at most 32 MiB - 1 per call
  if (!user_ok(buf, len, ProtWrite))
    return -EFAULT;
  if (!cpu_features.rdrand && !cpu_features.rdseed)
    return -ENOSYS; // no entropy source: callers fall back or fail cleanly
  return fill_random(reinterpret_cast<char *>(buf), len);
}

} // namespace uk
