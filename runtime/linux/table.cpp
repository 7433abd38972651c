// table.cpp: the system call table. Every Linux system call has a weak reference
// here; components that implement one define its handler, the rest stay null and
// return ENOSYS (syscall.cpp), so the table follows the components an image links.
#include "uk/syscall.h"

namespace uk {

#define X(nr, name) UK_SYSCALL(name) __attribute__((weak));
#define HOLE(nr)
#include "syscall_list.inc"
#undef X
#undef HOLE

const SyscallHandler syscall_table[] = {
#define X(nr, name) sys_##name,
#define HOLE(nr) nullptr,
#include "syscall_list.inc"
#undef X
#undef HOLE
};

const char *const syscall_names[] = {
#define X(nr, name) #name,
#define HOLE(nr) nullptr,
#include "syscall_list.inc"
#undef X
#undef HOLE
};

const unsigned syscall_count = sizeof syscall_table / sizeof syscall_table[0];

} // namespace uk
