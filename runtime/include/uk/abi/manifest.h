/* The resolved manifest as embedded in an image (ELF note "ukc++", type 1), ABI v4.
 *
 * Written by ukc++ at link time, read by the guest at boot and by ukrun/the monitor
 * before boot. Readers must treat it as untrusted: every offset and count is checked
 * against total_size before use (see uk_manifest_string() and friends in readers).
 *
 * Layout: this header, then arrays, then a string table; all offsets are bytes from
 * the start of the header. Strings are NUL-terminated.
 *
 * Version 4: net entries carry dns, mtu and mac. */
#ifndef UK_ABI_MANIFEST_H
#define UK_ABI_MANIFEST_H

#include <stdint.h>

#define UK_NOTE_NAME "ukc++"
#define UK_NOTE_MANIFEST 1 /* desc: struct uk_manifest; UK_NOTE_KVM_IMAGE is in kvm.h */

/* Auxiliary vector entries the kernel adds beside Linux's (getauxval() reads them):
 * the TSC at the guest's first instruction and the TSC frequency, for boot timing. */
#define UK_AT_BOOT_TSC 0x75630001
#define UK_AT_TSC_HZ 0x75630002

#define UK_MANIFEST_MAGIC 0x464d4b55u /* "UKMF" little-endian */
#define UK_MANIFEST_VERSION 4u

/* Targets an image was built for. */
enum uk_target {
  UK_TARGET_X86_64 = 1, /* generic: built-in monitor or any PVH hypervisor */
  UK_TARGET_KVM = 2,    /* built-in monitor only */
  UK_TARGET_QEMU = 3,   /* QEMU only */
  UK_TARGET_LINUX = 4,  /* an ordinary static Linux executable, no kernel */
};

/* One bit per manifest feature. */
enum uk_feature {
  UK_FEATURE_CONSOLE = 1u << 0,
  UK_FEATURE_CLOCK = 1u << 1,
  UK_FEATURE_RANDOM = 1u << 2,
  UK_FEATURE_THREADS = 1u << 3,
  UK_FEATURE_NET = 1u << 4,
  UK_FEATURE_BLOCK = 1u << 5,
  UK_FEATURE_FS = 1u << 6,
};

struct uk_manifest {
  uint32_t magic;        /* UK_MANIFEST_MAGIC */
  uint16_t version;      /* UK_MANIFEST_VERSION */
  uint16_t header_size;  /* sizeof(struct uk_manifest) */
  uint32_t total_size;   /* header + arrays + strings */
  uint32_t target;       /* enum uk_target */
  uint64_t memory;       /* guest memory in bytes */
  uint64_t features;     /* enum uk_feature bits */
  uint32_t threads_max;  /* threads feature: most threads alive at once */
  uint32_t name;         /* string offset */
  uint64_t thread_stack; /* threads feature: default stack size in bytes */
  uint32_t argc;         /* argv[1..]; argv[0] is the name */
  uint32_t argv;         /* offset of uint32_t[argc] string offsets */
  uint32_t envc;
  uint32_t envp; /* offset of uint32_t[envc] string offsets, "KEY=VALUE" */
  uint32_t net_count;
  uint32_t net; /* offset of struct uk_manifest_net[net_count] */
  uint32_t block_count;
  uint32_t block;   /* offset of struct uk_manifest_block[block_count] */
  uint32_t fs_root; /* string offset, 0 when the fs feature is off */
  uint32_t component_count;
  uint32_t components;  /* offset of uint32_t[component_count] string offsets */
  uint32_t fs_workdir;  /* string offset: the program's first working folder; 0: "/" */
  uint64_t fs_tmp_size; /* bytes /tmp may hold; 0: half of memory */
  uint32_t volume_count;
  uint32_t volumes; /* offset of struct uk_manifest_volume[volume_count] */
};

/* A host folder the run binds by name (ukrun --volume NAME=HOST), mounted at path. */
struct uk_manifest_volume {
  uint32_t name; /* string offset: the volume's name, its virtio-9p tag */
  uint32_t path; /* string offset: the absolute guest path it is mounted at */
  uint32_t readonly;
  uint32_t reserved;
};

#define UK_MANIFEST_NET_DNS 3 /* name servers an entry may name, as glibc's MAXNS */

struct uk_manifest_net {
  uint32_t name;                     /* string offset */
  uint32_t ipv4;                     /* address in network byte order; 0 with dhcp */
  uint32_t gateway;                  /* network byte order; 0 when absent */
  uint32_t dns[UK_MANIFEST_NET_DNS]; /* name servers, network byte order; 0: none */
  uint16_t mtu;                      /* 576..1500; 0: the device's */
  uint8_t prefix;                    /* prefix length, 0..32 */
  uint8_t dhcp;                      /* 1: ask DHCP */
  uint8_t mac[6];                    /* all 0: the hypervisor's choice */
  uint8_t reserved[2];
};

struct uk_manifest_block {
  uint32_t name; /* string offset */
  uint32_t reserved;
};

#ifdef __cplusplus
static_assert(sizeof(struct uk_manifest) == 112, "manifest header layout is ABI");
static_assert(sizeof(struct uk_manifest_volume) == 16, "volume entry layout is ABI");
static_assert(sizeof(struct uk_manifest_net) == 36, "net entry layout is ABI");
static_assert(sizeof(struct uk_manifest_block) == 8, "block entry layout is ABI");
#else
_Static_assert(sizeof(struct uk_manifest) == 112, "manifest header layout is ABI");
#endif

#endif
