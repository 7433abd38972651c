// Hypercalls: console transfers and exit. Every field comes from the guest and is
// checked before use; nothing here can touch memory outside the guest's.
#include "Hypercalls.h"

#include "uk/abi/kvm.h"

#include <cerrno>
#include <climits>
#include <ctime>

namespace ukcxx {
namespace {

HypercallOutcome fault(std::string Why) {
  HypercallOutcome O;
  O.Kind = HypercallOutcome::Fault;
  O.Error = std::move(Why);
  return O;
}

std::string hex(uint64_t V) {
  char Buf[24];
  snprintf(Buf, sizeof Buf, "%#llx", static_cast<unsigned long long>(V));
  return Buf;
}

HypercallOutcome console(bool Write, uint32_t Gpa, const GuestMemory &Memory, Console &Out) {
  uk_hc_console Call;
  if (!Memory.read(Gpa, Call))
    return fault("console call at " + hex(Gpa) + " lies outside guest memory");
  if (Write && Call.stream != 1 && Call.stream != 2)
    return fault("console write to stream " + std::to_string(Call.stream));
  if (Call.len > SSIZE_MAX)
    return fault("console transfer of " + hex(Call.len) + " bytes");
  std::vector<iovec> Buffers;
  if (!Memory.translate(Call.cr3, Call.data, Call.len, /*Write=*/!Write, Buffers))
    return fault("console buffer " + hex(Call.data) + "+" + hex(Call.len) +
                 " is not mapped for the program");
  // Large transfers are split by the host at IOV_MAX buffers.
  ssize_t Done = 0;
  for (size_t I = 0; I < Buffers.size(); I += IOV_MAX) {
    int Count = int(std::min<size_t>(IOV_MAX, Buffers.size() - I));
    ssize_t N =
        Write ? Out.write(int(Call.stream), &Buffers[I], Count) : Out.read(&Buffers[I], Count);
    if (N < 0) {
      Done = Done ? Done : N;
      break;
    }
    Done += N;
    if (!Write)
      break; // a read returns what is available, as read(2) does
  }
  Call.result = Done;
  Memory.write(Gpa, Call);
  return {};
}

} // namespace

HypercallOutcome handleHypercall(uint16_t Port, uint32_t Value, const GuestMemory &Memory,
                                 Console &Out) {
  if (Port < UK_KVM_HYPERCALL_PORT || Port >= UK_KVM_HYPERCALL_PORT + UK_HC_COUNT)
    return fault("I/O to port " + hex(Port) + ", which is not a hypercall");
  switch (Port - UK_KVM_HYPERCALL_PORT) {
  case UK_HC_CONSOLE_WRITE:
    return console(true, Value, Memory, Out);
  case UK_HC_CONSOLE_READ:
    return console(false, Value, Memory, Out);
  case UK_HC_CLOCK: {
    timespec Real, Mono;
    clock_gettime(CLOCK_REALTIME, &Real);
    clock_gettime(CLOCK_MONOTONIC, &Mono);
    uk_hc_clock Call{int64_t(Real.tv_sec) * 1000000000 + Real.tv_nsec,
                     int64_t(Mono.tv_sec) * 1000000000 + Mono.tv_nsec};
    if (!Memory.write(Value, Call))
      return fault("clock call at " + hex(Value) + " lies outside guest memory");
    return {};
  }
  case UK_HC_EXIT: {
    uk_hc_exit Call;
    if (!Memory.read(Value, Call))
      return fault("exit call at " + hex(Value) + " lies outside guest memory");
    if (Call.kind > 2 || Call.status > 255)
      return fault("exit call with kind " + std::to_string(Call.kind) + " and status " +
                   std::to_string(Call.status));
    HypercallOutcome O;
    O.Kind = HypercallOutcome::Exit;
    O.ExitKind = Call.kind;
    O.Status = Call.status;
    O.Syscalls = Call.syscalls;
    return O;
  }
  default:
    return fault("hypercall " + std::to_string(Port - UK_KVM_HYPERCALL_PORT) +
                 " is not implemented by this monitor");
  }
}

} // namespace ukcxx
