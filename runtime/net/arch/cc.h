/* cc.h: lwIP's platform definitions for the kernel: no libc (messages and failed
 * assertions go to the kernel's console), little-endian x86-64. */
#ifndef UK_LWIP_ARCH_CC_H
#define UK_LWIP_ARCH_CC_H

/* ssize_t as the C library has it (lwIP's own would be int), without its headers,
 * which clash with the kernel's; little-endian is lwIP's default. */
typedef long ssize_t;
#define SSIZE_MAX __LONG_MAX__
#define LWIP_NO_UNISTD_H 1
/* lwIP's own character classes, not libc's (whose tables live in the program). */
#define LWIP_NO_CTYPE_H 1
/* Byte order by the compiler's builtins, inlined: lwIP's own are calls, 6% of the
 * kernel's instructions per MiB sent (bench/kernel_insns.py), and every kernel
 * instruction counts where ring 0 is emulated. */
#define lwip_htons(x) __builtin_bswap16(x)
#define lwip_htonl(x) __builtin_bswap32(x)

#ifdef __cplusplus
extern "C" {
#endif
void uk_lwip_message(const char *format, ...) __attribute__((format(printf, 1, 2)));
void uk_lwip_assert(const char *message, const char *file, int line) __attribute__((noreturn));
#ifdef __cplusplus
}
#endif

#define LWIP_PLATFORM_DIAG(x)                                                                  \
  do {                                                                                         \
    uk_lwip_message x;                                                                         \
  } while (0)
#define LWIP_PLATFORM_ASSERT(x) uk_lwip_assert(x, __FILE__, __LINE__)

#endif
