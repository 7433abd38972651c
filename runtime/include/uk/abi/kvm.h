/* The guest/monitor ABI of the `kvm` target (ukrun's built-in KVM monitor), v1.
 *
 * The image carries a note "ukc++" of type UK_NOTE_KVM_IMAGE whose descriptor is a
 * struct uk_kvm_image: where the monitor enters the kernel and where the kernel's CPU
 * tables are, so that the monitor sets every piece of CPU state before the first
 * instruction. The monitor starts the vCPU in 64-bit mode at `entry` with RDI = the
 * guest-physical address of a struct uk_kvm_boot_info and RSP = kernel_stack_top.
 *
 * Hypercalls: the guest writes, with one 32-bit OUT, the guest-physical address of the
 * call's argument struct to port UK_KVM_HYPERCALL_PORT + call number. Each call is one
 * exit. The monitor treats every field as hostile: addresses are checked against guest
 * memory by one helper, and a bad call ends the guest with a message.
 *
 * Host volumes (ukrun --volume) came later, within version 1 and compatibly: the boot
 * info's `volumes` was a reserved field that monitors wrote as 0, so a guest makes the
 * volume hypercalls only when a monitor that has them said there are volumes, and
 * guests that do not know them ignore the field. */
#ifndef UK_ABI_KVM_H
#define UK_ABI_KVM_H

#include <stdint.h>

#define UK_KVM_ABI_VERSION 1u
#define UK_NOTE_KVM_IMAGE 3
#define UK_KVM_BOOT_MAGIC 0x544f4f424b55ull /* "UKBOOT" */

/* Descriptor of the UK_NOTE_KVM_IMAGE note: virtual addresses in the kernel image,
 * which is identity-mapped (virtual == guest-physical). */
struct uk_kvm_image {
  uint32_t abi_version;      /* UK_KVM_ABI_VERSION */
  uint32_t size;             /* sizeof(struct uk_kvm_image) */
  uint64_t entry;            /* 64-bit entry point */
  uint64_t kernel_stack_top; /* RSP at entry; TSS.RSP0 */
  uint64_t syscall_entry;    /* MSR_LSTAR */
  uint64_t trap_stubs;       /* 256 stubs of 16 bytes: IDT vector V -> trap_stubs + 16 V */
  uint64_t idt;              /* struct of 256 16-byte gates the monitor fills */
  uint64_t gdt; /* 8 descriptors, the first 6 already set; the monitor writes the TSS descriptor
                   at 6-7 */
  uint64_t tss; /* 104-byte TSS the monitor fills */
  uint64_t ist_stacks;   /* 8 KiB: IST1 (#DF) tops at +4096, IST2 (NMI) at +8192 */
  uint64_t percpu;       /* MSR_GS_BASE */
  uint64_t kernel_start; /* [kernel_start, kernel_end): supervisor-only */
  uint64_t kernel_end;
};

/* What the monitor tells the kernel at boot (at the address in RDI). */
struct uk_kvm_boot_info {
  uint64_t magic;          /* UK_KVM_BOOT_MAGIC */
  uint32_t abi_version;    /* UK_KVM_ABI_VERSION */
  uint32_t size;           /* sizeof(struct uk_kvm_boot_info) */
  uint64_t memory_size;    /* RAM is [0, memory_size) */
  uint64_t reserved_start; /* [reserved_start, reserved_end): the monitor's page */
  uint64_t reserved_end;   /*   tables and this struct: not free memory */
  uint64_t cmdline;        /* guest-physical address of the NUL-terminated command line */
  uint64_t tsc_hz;
  int64_t wall_ns; /* realtime, nanoseconds since the epoch, at tsc_at_wall */
  uint64_t tsc_at_wall;
  uint64_t tsc_at_entry; /* the guest's TSC as the monitor started it */
  /* CPUID as the monitor configured it, so the kernel need not execute CPUID (an exit
   * each): leaf 1 ECX and EDX, leaf 7 EBX, leaf 0x80000001 EDX, leaf 0x80000007 EDX. */
  uint32_t cpuid_1_ecx, cpuid_1_edx, cpuid_7_ebx, cpuid_ext1_edx, cpuid_ext7_edx;
  uint32_t volumes; /* host volumes, numbered from 0 (UK_HC_VOLUME); 0 before them */
};

#define UK_KVM_HYPERCALL_PORT 0x500

enum uk_kvm_hypercall {
  UK_HC_CONSOLE_WRITE = 0, /* struct uk_hc_console */
  UK_HC_EXIT = 1,          /* struct uk_hc_exit; does not return */
  UK_HC_CONSOLE_READ = 2,  /* struct uk_hc_console */
  UK_HC_CLOCK = 3,         /* struct uk_hc_clock */
  /* Slots reserved for the network and block device rings. */
  UK_HC_NET_NOTIFY = 8,
  UK_HC_BLOCK_NOTIFY = 9,
  UK_HC_VOLUME = 10,      /* struct uk_hc_volume: one 9P2000.L message to a host volume */
  UK_HC_VOLUME_INFO = 11, /* struct uk_hc_volume_info: a volume's tag */
  UK_HC_COUNT = 16,
};

/* A console transfer. `data` is a virtual address in the address space whose page
 * table root is `cr3`: the monitor translates it page by page, so a buffer of any size
 * costs one exit. */
struct uk_hc_console {
  uint64_t data;
  uint64_t len;
  uint64_t cr3;
  uint32_t stream; /* 0 stdin, 1 stdout, 2 stderr */
  uint32_t reserved;
  int64_t result; /* bytes transferred, or a negative Linux errno */
};

struct uk_hc_exit {
  uint32_t kind; /* 0 exit, 1 killed by a signal, 2 kernel panic (enum ExitKind) */
  uint32_t status;
  uint64_t syscalls; /* system calls the program made, for ukrun --stats */
};

/* The host's clocks now, for a guest that wants to re-read wall-clock time. */
struct uk_hc_clock {
  int64_t realtime_ns;  /* CLOCK_REALTIME, nanoseconds since the epoch */
  int64_t monotonic_ns; /* CLOCK_MONOTONIC */
};

/* One 9P2000.L request to a host volume, the same protocol QEMU's virtio-9p serves. The
 * guest builds the T-message at guest-physical [request, request + request_len); the
 * monitor performs it on the host folder and writes the R-message (at most the msize
 * that Tversion agreed) at guest-physical [reply, reply + reply_cap). The buffers may
 * overlap. Either lying outside guest memory, a request that cannot be framed (its size
 * field is not request_len, it is shorter than a header or longer than the msize), or
 * reply_cap below 11 bytes (an Rlerror) ends the guest with a message; every other
 * error is an Rlerror with a Linux errno. */
struct uk_hc_volume {
  uint32_t volume;   /* below uk_kvm_boot_info.volumes */
  uint32_t reserved; /* 0 */
  uint64_t request;
  uint64_t request_len;
  uint64_t reply;
  uint64_t reply_cap;
  int64_t result; /* out: the reply's length, or -ENODEV for a volume that does not exist */
};

#define UK_VOLUME_TAG_MAX 256 /* bytes, with the terminating NUL */
#define UK_VOLUME_READONLY 1u /* every change to the volume fails with EROFS */

/* What the guest knows a volume by. The guest sets `size` and `volume`; a size other
 * than this struct's ends the guest (a guest built against another layout). */
struct uk_hc_volume_info {
  uint32_t size;   /* sizeof(struct uk_hc_volume_info) */
  uint32_t volume; /* below uk_kvm_boot_info.volumes */
  uint32_t flags;  /* out: UK_VOLUME_READONLY */
  uint32_t msize;  /* out: the largest 9P message the volume accepts (Tversion's limit) */
  int64_t result;  /* out: 0, or -ENODEV for a volume that does not exist */
  char tag[UK_VOLUME_TAG_MAX]; /* out: NUL-terminated, as virtio-9p's mount tag */
};

#ifdef __cplusplus
static_assert(sizeof(struct uk_hc_volume) == 48, "uk_hc_volume layout is ABI");
static_assert(sizeof(struct uk_hc_volume_info) == 280, "uk_hc_volume_info layout is ABI");
static_assert(sizeof(struct uk_hc_clock) == 16, "uk_hc_clock layout is ABI");
static_assert(sizeof(struct uk_kvm_image) == 96, "uk_kvm_image layout is ABI");
static_assert(sizeof(struct uk_kvm_boot_info) == 104, "uk_kvm_boot_info layout is ABI");
static_assert(sizeof(struct uk_hc_console) == 40, "uk_hc_console layout is ABI");
static_assert(sizeof(struct uk_hc_exit) == 16, "uk_hc_exit layout is ABI");
#endif

#endif
