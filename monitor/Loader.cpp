// Loader: segments, page tables and CPU tables, written into guest memory through
// GuestMemory's checked accessors only.
#include "Loader.h"

#include "Error.h"

#include <elf.h>
#include <sys/mman.h>

namespace ukcxx {
namespace {

constexpr uint64_t PageSize = 4096, LargePage = 2ull << 20, HugePage = 1ull << 30;
constexpr uint64_t DirectMapBase = 0xffff800000000000ull;
constexpr uint64_t Present = 1, Writable = 2, User = 4, Large = 128, NoExecute = 1ull << 63;
constexpr uint64_t TableFlags = Present | Writable | User;

uint64_t alignUp(uint64_t V, uint64_t A) { return (V + A - 1) & ~(A - 1); }
uint64_t alignDown(uint64_t V, uint64_t A) { return V & ~(A - 1); }

std::string hex(uint64_t V) {
  char Buf[24];
  snprintf(Buf, sizeof Buf, "%#llx", static_cast<unsigned long long>(V));
  return Buf;
}

/// Hands out zeroed guest pages from the reserved area after the image.
class Arena {
public:
  Arena(const GuestMemory &Memory, uint64_t Start) : Memory(Memory), Next(Start) {}

  uint64_t allocate(uint64_t Bytes) {
    uint64_t At = alignUp(Next, 8);
    if (!Memory.at(At, Bytes))
      throw Error("guest memory is too small for the image and its page tables; raise "
                  "'memory' in unikernel.yaml or pass ukrun --memory");
    Next = At + Bytes;
    return At;
  }
  uint64_t page() {
    Next = alignUp(Next, PageSize);
    return allocate(PageSize);
  }
  uint64_t next() const { return Next; }

private:
  const GuestMemory &Memory;
  uint64_t Next;
};

class PageTables {
public:
  PageTables(const GuestMemory &Memory, Arena &Pages)
      : Memory(Memory), Pages(Pages), Root(Pages.page()) {}

  void map(uint64_t Virt, uint64_t Phys, uint64_t Flags, int Level) {
    uint64_t Table = Root;
    for (int L = 4; L > Level; --L) {
      uint64_t Slot = Table + ((Virt >> (12 + 9 * (L - 1))) & 511) * 8, Entry = 0;
      Memory.read(Slot, Entry);
      if (!(Entry & Present)) {
        Entry = Pages.page() | TableFlags;
        Memory.write(Slot, Entry);
      }
      Table = Entry & 0x000ffffffffff000ull;
    }
    uint64_t Leaf = Phys | Flags | (Level > 1 ? Large : 0);
    Memory.write(Table + ((Virt >> (12 + 9 * (Level - 1))) & 511) * 8, Leaf);
  }

  uint64_t root() const { return Root; }

private:
  const GuestMemory &Memory;
  Arena &Pages;
  uint64_t Root;
};

uk_kvm_image readNote(const ImageFile &Image) {
  auto Note = Image.kvmImageNote();
  if (Note.empty())
    throw Error("'" + Image.path() +
                "' cannot boot on the built-in monitor: it has no "
                "monitor entry (built for --target=qemu?)");
  uint32_t Version = 0;
  if (Note.size() >= 4)
    std::memcpy(&Version, Note.data(), 4);
  if (Version != UK_KVM_ABI_VERSION)
    throw Error("'" + Image.path() + "' was built for monitor ABI version " +
                std::to_string(Version) + "; this ukrun speaks version " +
                std::to_string(UK_KVM_ABI_VERSION) + " (rebuild the image with this ukc++)");
  uk_kvm_image N;
  if (Note.size() < sizeof N)
    throw Error("'" + Image.path() + "' has a truncated monitor note");
  std::memcpy(&N, Note.data(), sizeof N);
  if (N.size != sizeof N || N.kernel_start >= N.kernel_end)
    throw Error("'" + Image.path() + "' has a corrupt monitor note");
  auto InKernel = [&](uint64_t Address, uint64_t Len, const char *What) {
    if (Address < N.kernel_start || Address > N.kernel_end || Len > N.kernel_end - Address)
      throw Error("'" + Image.path() + "': the monitor note puts the " + What + " at " +
                  hex(Address) + ", outside the kernel");
  };
  InKernel(N.entry, 1, "entry");
  InKernel(N.kernel_stack_top - 1, 1, "kernel stack");
  InKernel(N.syscall_entry, 1, "system call entry");
  InKernel(N.trap_stubs, 16 * 256, "trap stubs");
  InKernel(N.idt, 16 * 256, "IDT");
  InKernel(N.gdt, 8 * 8, "GDT");
  InKernel(N.tss, 104, "TSS");
  InKernel(N.ist_stacks, 8192, "IST stacks");
  InKernel(N.percpu, 8, "per-CPU area");
  return N;
}

/// Puts the bytes of one segment at its guest-physical address. Whole pages are
/// mapped privately from the image file (the guest's writes copy them), which spares
/// copying the image; partial pages at either end are copied.
void placeSegment(const ImageFile &Image, const ImageFile::Segment &S, uint8_t *To) {
  auto From = Image.contents(S);
  uint64_t Head = 0, Tail = From.size();
  if (Image.fd() >= 0 && S.Offset % PageSize == S.PhysAddr % PageSize) {
    uint64_t First = alignUp(S.PhysAddr, PageSize) - S.PhysAddr;
    uint64_t Last = alignDown(S.PhysAddr + S.FileSize, PageSize) - S.PhysAddr;
    if (Last > First &&
        mmap(To + First, Last - First, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_FIXED,
             Image.fd(), off_t(S.Offset + First)) != MAP_FAILED) {
      std::memcpy(To, From.data(), First);
      Head = Last;
    }
  }
  std::memcpy(To + Head, From.data() + Head, Tail - Head);
  std::memset(To + From.size(), 0, S.MemSize - From.size());
}

void loadSegments(const ImageFile &Image, const GuestMemory &Memory, uint64_t &End) {
  End = 0;
  for (const auto &S : Image.loadSegments()) {
    uint8_t *To = Memory.at(S.PhysAddr, S.MemSize);
    if (!To || S.PhysAddr < (1u << 20))
      throw Error("'" + Image.path() + "': a segment at " + hex(S.PhysAddr) + " (" +
                  std::to_string(S.MemSize >> 10) + " KiB) does not fit in guest memory of " +
                  std::to_string(Memory.size() >> 20) + " MiB");
    placeSegment(Image, S, To);
    End = std::max(End, S.PhysAddr + S.MemSize);
  }
}

void mapImage(const ImageFile &Image, const uk_kvm_image &N, PageTables &Tables) {
  // The same rule as the kernel's paging_setup(): program segments for ring 3,
  // kernel segments supervisor-only, writable or executable as the ELF flags say.
  for (const auto &S : Image.loadSegments()) {
    uint64_t Flags = Present | (S.Flags & PF_W ? Writable : 0) |
                     (S.Flags & PF_X ? 0 : NoExecute) |
                     (S.VirtAddr < N.kernel_start ? User : 0);
    for (uint64_t V = alignDown(S.VirtAddr, PageSize); V < S.VirtAddr + S.MemSize;
         V += PageSize)
      Tables.map(V, V, Flags, 1);
  }
}

void mapDirect(uint64_t MemorySize, bool Gigabyte, PageTables &Tables) {
  uint64_t Flags = Present | Writable | NoExecute;
  for (uint64_t P = 0; P < MemorySize;) {
    if (Gigabyte && P % HugePage == 0 && MemorySize - P >= HugePage) {
      Tables.map(DirectMapBase + P, P, Flags, 3);
      P += HugePage;
    } else {
      Tables.map(DirectMapBase + P, P, Flags, 2);
      P += LargePage;
    }
  }
}

void fillCpuTables(const uk_kvm_image &N, const GuestMemory &Memory) {
  // IDT: the exceptions and the spurious vector, as the kernel's own set-up installs.
  for (unsigned V = 0; V < 256; ++V) {
    if (V >= 32 && V != 255)
      continue;
    uint64_t Handler = N.trap_stubs + 16 * V;
    uint64_t Ist = V == 8 ? 1 : V == 2 ? 2 : 0;
    uint64_t Low = (Handler & 0xffff) | (uint64_t(0x08) << 16) | (Ist << 32) |
                   (uint64_t(0x8e) << 40) | (((Handler >> 16) & 0xffff) << 48);
    Memory.write(N.idt + 16 * V, Low);
    Memory.write(N.idt + 16 * V + 8, Handler >> 32);
  }
  // TSS: RSP0, the IST stacks, no I/O permission bitmap.
  uint8_t Tss[104] = {};
  auto Put64 = [&](size_t At, uint64_t V) { std::memcpy(Tss + At, &V, 8); };
  Put64(4, N.kernel_stack_top);
  Put64(36, N.ist_stacks + 4096);
  Put64(44, N.ist_stacks + 8192);
  uint16_t IomapBase = sizeof Tss;
  std::memcpy(Tss + 102, &IomapBase, 2);
  Memory.write(N.tss, Tss);
  uint64_t Limit = sizeof Tss - 1, Base = N.tss;
  uint64_t Descriptor = (Limit & 0xffff) | (Base & 0xffffff) << 16 | uint64_t(0x89) << 40 |
                        ((Limit >> 16) & 0xf) << 48 | ((Base >> 24) & 0xff) << 56;
  Memory.write(N.gdt + 6 * 8, Descriptor);
  Memory.write(N.gdt + 7 * 8, Base >> 32);
}

} // namespace

BootLayout loadImage(const ImageFile &Image, const GuestMemory &Memory,
                     const LoadOptions &Options) {
  BootLayout L;
  L.Image = readNote(Image);
  uint64_t End;
  loadSegments(Image, Memory, End);
  L.ReservedStart = alignUp(End, PageSize);
  Arena Pages(Memory, L.ReservedStart);
  PageTables Tables(Memory, Pages);
  mapImage(Image, L.Image, Tables);
  mapDirect(Memory.size(), Options.GigabytePages, Tables);
  fillCpuTables(L.Image, Memory);
  L.Cr3 = Tables.root();

  uint64_t Cmdline = Pages.allocate(Options.Cmdline.size() + 1);
  std::memcpy(Memory.at(Cmdline, Options.Cmdline.size() + 1), Options.Cmdline.c_str(),
              Options.Cmdline.size() + 1);
  L.BootInfo = Pages.allocate(sizeof(uk_kvm_boot_info));
  L.ReservedEnd = alignUp(Pages.next(), PageSize);
  uk_kvm_boot_info Info{};
  Info.cmdline = Cmdline;
  writeBootInfo(L, Memory, Info);
  return L;
}

void writeBootInfo(const BootLayout &L, const GuestMemory &Memory, uk_kvm_boot_info Info) {
  uk_kvm_boot_info Old;
  Memory.read(L.BootInfo, Old);
  Info.magic = UK_KVM_BOOT_MAGIC;
  Info.abi_version = UK_KVM_ABI_VERSION;
  Info.size = sizeof Info;
  Info.memory_size = Memory.size();
  Info.reserved_start = L.ReservedStart;
  Info.reserved_end = L.ReservedEnd;
  if (!Info.cmdline)
    Info.cmdline = Old.cmdline;
  Memory.write(L.BootInfo, Info);
}

} // namespace ukcxx
