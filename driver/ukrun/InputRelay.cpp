// InputRelay: the host side of the guest's standard input on QEMU (see
// runtime/plat/qemu/console.cpp for the guest side).
#include "InputRelay.h"

#include <cerrno>
#include <sys/socket.h>
#include <unistd.h>

namespace ukcxx {

bool InputRelay::pump() {
  if (Wanted)
    return answer();
  char Buf[2];
  ssize_t N = read(Socket, Buf, sizeof Buf - Request.size());
  if (N < 0 && (errno == EINTR || errno == EAGAIN))
    return true;
  if (N <= 0)
    return false;
  Request.append(Buf, N);
  if (Request.size() == 2) {
    Wanted = uint8_t(Request[0]) | size_t(uint8_t(Request[1])) << 8;
    Request.clear();
    if (!Wanted || Wanted > MaxRequest)
      return false; // not our guest's protocol: stop serving it
  }
  return true;
}

bool InputRelay::answer() {
  unsigned char Data[MaxRequest];
  ssize_t N;
  do
    N = read(0, Data, Wanted);
  while (N < 0 && errno == EINTR);
  if (N < 0 && errno == EAGAIN)
    return true; // a non-blocking standard input: wait for it to be readable
  Wanted = 0;
  uint16_t Header = N < 0 ? uint16_t(0x8000 | (errno & 0x7fff)) : uint16_t(N);
  std::string Reply;
  Reply.reserve(2 * (2 + MaxRequest));
  auto Put = [&](unsigned char C) {
    // No zero byte: the guest's UART reads an empty FIFO as 0.
    if (C <= Escape)
      Reply += char(Escape), C += 1;
    Reply += char(C);
  };
  Put(uint8_t(Header));
  Put(uint8_t(Header >> 8));
  for (ssize_t I = 0; I < N; ++I)
    Put(Data[I]);
  for (size_t Done = 0; Done < Reply.size();) {
    ssize_t W = send(Socket, Reply.data() + Done, Reply.size() - Done, MSG_NOSIGNAL);
    if (W < 0 && errno == EINTR)
      continue;
    if (W <= 0)
      return false; // QEMU is gone
    Done += size_t(W);
  }
  return true;
}

} // namespace ukcxx
