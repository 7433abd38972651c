// NetworkAttachment: eventfds, KVM_IRQFD, KVM_IOEVENTFD and MSI routes for the device.
#include "NetworkAttachment.h"

#include "Error.h"
#include "KvmAbi.h"

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <sys/eventfd.h>
#include <sys/ioctl.h>
#include <unistd.h>

namespace ukcxx {
namespace {

int newEventFd() {
  int Fd = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
  if (Fd < 0)
    throw Error(std::string("eventfd: ") + strerror(errno));
  return Fd;
}

void signal(int Fd) {
  uint64_t One = 1;
  (void)!write(Fd, &One, sizeof One);
}

bool inRange(uint64_t Address, uint64_t Base, uint64_t Size) {
  return Address >= Base && Address - Base < Size;
}

uint32_t mmioValue(const kvm_run &Run) {
  uint32_t Value = 0;
  std::memcpy(&Value, Run.mmio.data, std::min<uint32_t>(Run.mmio.len, 4));
  return Value;
}

void setMmioValue(kvm_run &Run, uint32_t Value) {
  std::memset(Run.mmio.data, 0, sizeof Run.mmio.data);
  std::memcpy(Run.mmio.data, &Value, std::min<uint32_t>(Run.mmio.len, 4));
}

} // namespace

NetworkAttachment::NetworkAttachment(int VmFd, const GuestMemory &Memory,
                                     const MonitorNetwork &O)
    : VmFd(VmFd), Options(O),
      Apic([this](const MsiRoute *Routes, unsigned Count) { setRoutes(Routes, Count); }) {
  // Guest RAM is one region from 0: it must end below the device and I/O APIC windows.
  if (Memory.size() > VirtioMmioBase)
    throw Error("the built-in monitor's network device needs guest memory below " +
                std::to_string(VirtioMmioBase >> 20) + " MiB (--memory)");
  IrqFd = newEventFd();
  for (int &Fd : KickFds)
    Fd = newEventFd();
  Device = std::make_unique<VirtioNet>(
      Memory, O.Mac, [this] { signal(IrqFd); },
      [this](uint16_t Queue) { signal(KickFds[Queue]); });
  // The interrupt: KVM injects it when the network thread writes IrqFd, through the
  // MSI route the guest's I/O APIC write gave GSI 5 (setRoutes). The guest routes the
  // line before DRIVER_OK, and the device raises nothing before that.
  kvm_irqfd Irq = {};
  Irq.fd = uint32_t(IrqFd);
  Irq.gsi = VirtioMmioFirstGsi;
  if (ioctl(VmFd, KVM_IRQFD, &Irq) < 0)
    throw Error(std::string("KVM_IRQFD: ") + strerror(errno));
  // Kicks: a 4-byte write of the queue's index to QueueNotify completes in KVM, which
  // only signals the eventfd; any other write still exits to the register model.
  for (uint16_t Queue = 0; Queue < 2; ++Queue) {
    kvm_ioeventfd Kick = {};
    Kick.datamatch = Queue;
    Kick.addr = VirtioMmioBase + VirtioMmioQueueNotify;
    Kick.len = 4;
    Kick.fd = KickFds[Queue];
    Kick.flags = KVM_IOEVENTFD_FLAG_DATAMATCH;
    if (ioctl(VmFd, KVM_IOEVENTFD, &Kick) < 0)
      throw Error(std::string("KVM_IOEVENTFD: ") + strerror(errno));
  }
  Pump = std::make_unique<NetworkPump>(*Device, O);
  for (int Fd : KickFds)
    Pump->addKick(Fd);
}

NetworkAttachment::~NetworkAttachment() {
  Pump.reset(); // the thread ends before the descriptors it polls close
  for (int Fd : {IrqFd, KickFds[0], KickFds[1]})
    if (Fd >= 0)
      close(Fd);
}

void NetworkAttachment::setRoutes(const MsiRoute *Routes, unsigned Count) {
  IrqRoutingArray Table;
  Table.Count = Count;
  for (unsigned I = 0; I < Count; ++I) {
    kvm_irq_routing_entry &E = Table.Entries[I];
    E = {};
    E.gsi = Routes[I].Gsi;
    E.type = KVM_IRQ_ROUTING_MSI;
    E.u.msi.address_lo = Routes[I].AddressLow;
    E.u.msi.data = Routes[I].Data;
  }
  if (ioctl(VmFd, KvmSetGsiRouting, &Table) < 0)
    RouteError = std::string("KVM_SET_GSI_ROUTING: ") + strerror(errno);
}

NetworkAttachment::Mmio NetworkAttachment::handle(kvm_run &Run, std::string &Error) {
  uint64_t Address = Run.mmio.phys_addr;
  unsigned Size = Run.mmio.len;
  if (inRange(Address, VirtioMmioBase, VirtioMmioSlotSize)) {
    uint64_t Offset = Address - VirtioMmioBase;
    if (Run.mmio.is_write)
      Device->write(Offset, mmioValue(Run), Size);
    else
      setMmioValue(Run, Device->read(Offset, Size));
    return Mmio::Handled;
  }
  if (inRange(Address, IoApicBase, 0x1000)) {
    uint64_t Offset = Address - IoApicBase;
    if (Run.mmio.is_write)
      Apic.write(Offset, mmioValue(Run), Size);
    else
      setMmioValue(Run, Apic.read(Offset, Size));
    if (!RouteError.empty()) {
      Error = RouteError;
      return Mmio::Failed;
    }
    return Mmio::Handled;
  }
  return handleEmptySlot(Run) ? Mmio::Handled : Mmio::NotMine;
}

bool handleEmptySlot(kvm_run &Run) {
  if (!inRange(Run.mmio.phys_addr, VirtioMmioBase, VirtioMmioSlots * VirtioMmioSlotSize))
    return false;
  if (!Run.mmio.is_write)
    setMmioValue(Run, 0);
  return true;
}

} // namespace ukcxx
