// NetworkAttachment: the virtio-net device wired into a KVM VM: its registers and the
// I/O APIC's on MMIO exits, queue kicks on ioeventfds, its interrupt on an irqfd, and
// the network thread behind it.
#pragma once

#include "GuestMemory.h"
#include "Ioapic.h"
#include "NetworkPump.h"
#include "UserNetwork.h"
#include "VirtioNet.h"

#include <array>
#include <linux/kvm.h>
#include <memory>
#include <string>

namespace ukcxx {

class NetworkAttachment {
public:
  /// Creates the device in slot 0 (GSI 5) of VM VmFd and starts the user network
  /// (binding the forwards' ports) or attaches the tap. Throws Error with what failed.
  NetworkAttachment(int VmFd, const GuestMemory &Memory, const MonitorNetwork &Options);
  ~NetworkAttachment();

  /// Starts the network thread; call before the run loop's sandbox.
  void start(bool Sandbox) {
    Pump->start(Sandbox, Options.Tap.empty() && !Options.User.Restricted);
  }

  enum class Mmio { NotMine, Handled, Failed };
  /// Serves an MMIO exit in the virtio-mmio slots or the I/O APIC; Failed (with Error
  /// set) if KVM refused the interrupt routes the guest asked for.
  Mmio handle(kvm_run &Run, std::string &Error);

  /// What the device did so far, kicks included.
  VirtioNet::Counters counters() const {
    VirtioNet::Counters C = Device->counters();
    C.Kicks = Pump->kicks();
    return C;
  }

private:
  int VmFd;
  MonitorNetwork Options;
  int IrqFd = -1, KickFds[2] = {-1, -1};
  std::unique_ptr<VirtioNet> Device;
  std::unique_ptr<NetworkPump> Pump;
  Ioapic Apic;
  std::string RouteError;

  void setRoutes(const MsiRoute *Routes, unsigned Count);
};

/// Reads of the virtio-mmio slots without a device return 0 (no magic value), as the
/// guest's probe expects of an empty slot; true if Run was such an access.
bool handleEmptySlot(kvm_run &Run);

} // namespace ukcxx
