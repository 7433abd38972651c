// Hypercalls: console transfers, exit, clock and volumes. Every field comes from the
// guest and is checked before use; nothing here can touch memory outside the guest's.
#include "Hypercalls.h"

#include "VolumeSet.h"

#include "uk/abi/kvm.h"

#include <algorithm>
#include <cerrno>
#include <climits>
#include <cstddef>
#include <cstring>
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

HypercallOutcome volumeCall(uint32_t Gpa, const GuestMemory &Memory, const VolumeSet *Volumes) {
  uk_hc_volume Call;
  if (!Memory.read(Gpa, Call))
    return fault("volume call at " + hex(Gpa) + " lies outside guest memory");
  if (Call.reserved)
    return fault("volume call with reserved field " + hex(Call.reserved));
  if (!Volumes || Call.volume >= Volumes->size()) {
    Call.result = -ENODEV;
  } else {
    // Both buffers are checked whole; the server writes no more than its msize.
    const uint8_t *Request = Memory.at(Call.request, Call.request_len);
    uint8_t *Reply = Memory.at(Call.reply, Call.reply_cap);
    if (!Request || !Reply)
      return fault("volume " + std::to_string(Call.volume) + ": request " + hex(Call.request) +
                   "+" + hex(Call.request_len) + " or reply " + hex(Call.reply) + "+" +
                   hex(Call.reply_cap) + " lies outside guest memory");
    volume::Outcome O =
        Volumes->server(Call.volume).handle(Request, Call.request_len, Reply, Call.reply_cap);
    if (!O.Fault.empty())
      return fault("volume " + std::to_string(Call.volume) + ": " + O.Fault);
    Call.result = int64_t(O.Length);
  }
  // The call struct may lie inside the reply buffer: only its result is written back.
  Memory.write(Gpa + offsetof(uk_hc_volume, result), Call.result);
  return {};
}

HypercallOutcome volumeInfo(uint32_t Gpa, const GuestMemory &Memory, const VolumeSet *Volumes) {
  uk_hc_volume_info Call;
  if (!Memory.read(Gpa, Call))
    return fault("volume info call at " + hex(Gpa) + " lies outside guest memory");
  if (Call.size != sizeof Call)
    return fault("volume info call of " + std::to_string(Call.size) +
                 " bytes; this monitor's has " + std::to_string(sizeof Call));
  if (!Volumes || Call.volume >= Volumes->size()) {
    Call.result = -ENODEV;
  } else {
    const VolumeSpec &Spec = Volumes->spec(Call.volume);
    static_assert(VolumeSet::MaxTag < sizeof Call.tag);
    std::memset(Call.tag, 0, sizeof Call.tag);
    std::memcpy(Call.tag, Spec.Tag.data(), std::min(Spec.Tag.size(), VolumeSet::MaxTag));
    Call.flags = Spec.ReadOnly ? UK_VOLUME_READONLY : 0;
    Call.msize = Volumes->server(Call.volume).maxMessage();
    Call.result = 0;
  }
  Memory.write(Gpa, Call);
  return {};
}

} // namespace

HypercallOutcome handleHypercall(uint16_t Port, uint32_t Value, const GuestMemory &Memory,
                                 Console &Out, const VolumeSet *Volumes) {
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
  case UK_HC_VOLUME:
    return volumeCall(Value, Memory, Volumes);
  case UK_HC_VOLUME_INFO:
    return volumeInfo(Value, Memory, Volumes);
  default:
    return fault("hypercall " + std::to_string(Port - UK_KVM_HYPERCALL_PORT) +
                 " is not implemented by this monitor");
  }
}

} // namespace ukcxx
