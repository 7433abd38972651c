// table.cpp: the system call table. Every Linux system call has a weak reference
// here; components that implement one define its handler, the rest stay null and
// return ENOSYS (syscall.cpp), so the table follows the components an image links.
#include "uk/syscall.h"

namespace uk {

#define X(nr, name) UK_SYSCALL_DECLARE(name) __attribute__((weak));
#define HOLE(nr)
#include "syscall_list.inc"
#undef X
#undef HOLE

} // namespace uk

// The table has room for every number below 512 that the entry code may look up.
extern "C" const uk::SyscallHandler uk_syscall_table[512] = {
#define X(nr, name) uk::sys_##name,
#define HOLE(nr) nullptr,
#include "syscall_list.inc"
#undef X
#undef HOLE
};

namespace uk {

const char *const syscall_names[] = {
#define X(nr, name) #name,
#define HOLE(nr) nullptr,
#include "syscall_list.inc"
#undef X
#undef HOLE
};

const unsigned syscall_count = sizeof syscall_names / sizeof syscall_names[0];

} // namespace uk
