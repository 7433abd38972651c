// fault.cpp: a program fault becomes one clear report and status 128 + signal.
#include "uk/print.h"
#include "uk/process.h"
#include "uk/signal.h"
#include "uk/trap.h"
#include "uk/vm.h"

#include <asm/siginfo.h>
#include <asm/signal.h>
#include <elf.h>

extern "C" const Elf64_Ehdr __ehdr_start;
extern "C" char _etext[] __attribute__((weak));

namespace uk {
namespace {

const char *signal_description(int signal) {
  switch (signal) {
  case SIGSEGV:
    return "Segmentation fault";
  case SIGFPE:
    return "Floating point exception";
  case SIGILL:
    return "Illegal instruction";
  case SIGBUS:
    return "Bus error";
  case SIGTRAP:
    return "Trace/breakpoint trap";
  case SIGABRT:
    return "Aborted";
  default:
    return "Killed";
  }
}

const char *signal_name(int signal) {
  switch (signal) {
  case SIGSEGV:
    return "SIGSEGV";
  case SIGFPE:
    return "SIGFPE";
  case SIGILL:
    return "SIGILL";
  case SIGBUS:
    return "SIGBUS";
  case SIGTRAP:
    return "SIGTRAP";
  case SIGABRT:
    return "SIGABRT";
  default:
    return "signal";
  }
}

/// One line of a report; ukrun appends the function name from the image's symbols.
void print_location(const char *label, uint64_t address) {
  print("ukc++:   %s %#lx\n", label, address);
}

bool in_program_text(uint64_t address) {
  uint64_t start = reinterpret_cast<uint64_t>(&__ehdr_start);
  uint64_t end = _etext ? reinterpret_cast<uint64_t>(_etext) : 0;
  return address >= start && address < end;
}

/// True if the bytes before Address end with a call instruction, i.e. Address can be
/// a return address.
bool follows_call(uint64_t address) {
  if (!user_ok(address - 7, 7, ProtRead | ProtExec))
    return false;
  auto *p = reinterpret_cast<const uint8_t *>(address);
  if (p[-5] == 0xe8) // call rel32
    return true;
  static const int call_lengths[] = {2, 3, 6, 7}; // call r/m64: FF /2, its ModRM forms
  for (int len : call_lengths) {
    const uint8_t *op = p - len;
    if (op[0] == 0xff && ((op[1] >> 3) & 7) == 2)
      return true;
    if ((op[0] & 0xf0) == 0x40 && op[1] == 0xff && ((op[2] >> 3) & 7) == 2)
      return true;
  }
  return false;
}

/// Return addresses found on the stack. Programs are usually built without frame
/// pointers, so this scans for words that point just after a call in the program's
/// text, as Linux's unreliable unwinder does; entries are marked '?'.
void print_backtrace(uint64_t rsp) {
  int found = 0;
  for (uint64_t at = rsp; found < 8 && at < rsp + 4096; at += 8) {
    if (!user_ok(at, 8, ProtRead))
      break;
    uint64_t word = *reinterpret_cast<const uint64_t *>(at);
    if (in_program_text(word) && follows_call(word)) {
      print_location("?", word);
      ++found;
    }
  }
}

/// The si_code and si_addr a handler is told about the fault.
int fault_code(const TrapFrame &f, int signal) {
  switch (signal) {
  case SIGSEGV:
    return f.vector == 14 && (f.error & 1) ? SEGV_ACCERR : SEGV_MAPERR;
  case SIGFPE:
    return f.vector == 0 ? FPE_INTDIV : 0;
  case SIGILL:
    return ILL_ILLOPN;
  case SIGBUS:
    return BUS_ADRALN;
  case SIGTRAP:
    return TRAP_BRKPT;
  default:
    return 0;
  }
}

} // namespace

void dump_frame(const TrapFrame &f) {
  print("ukc++:   rax %#lx rbx %#lx rcx %#lx rdx %#lx\n", f.rax, f.rbx, f.rcx, f.rdx);
  print("ukc++:   rsi %#lx rdi %#lx rbp %#lx rsp %#lx\n", f.rsi, f.rdi, f.rbp, f.rsp);
  print("ukc++:   r8 %#lx r9 %#lx r10 %#lx r11 %#lx\n", f.r8, f.r9, f.r10, f.r11);
  print("ukc++:   r12 %#lx r13 %#lx r14 %#lx r15 %#lx\n", f.r12, f.r13, f.r14, f.r15);
  print("ukc++:   rflags %#lx cs %#lx ss %#lx\n", f.rflags, f.cs, f.ss);
}

void user_fault(TrapFrame &f, int signal, const char *what, uint64_t address) {
  if (deliver_fault(f, signal, fault_code(f, signal), f.vector == 14 ? address : f.rip))
    return;
  if (f.vector == 14) {
    const char *access = f.error & 16 ? "execute" : f.error & 2 ? "write to" : "read from";
    if (vm_is_stack_guard(address))
      print("ukc++: %s (%s): stack overflow (%s %#lx, in the guard below a stack)\n",
            signal_description(signal), signal_name(signal), access, address);
    else
      print("ukc++: %s (%s): %s %s address %#lx\n", signal_description(signal),
            signal_name(signal), access, f.error & 1 ? "protected" : "unmapped", address);
  } else {
    print("ukc++: %s (%s): %s\n", signal_description(signal), signal_name(signal), what);
  }
  print_location("rip", f.rip);
  print_backtrace(f.rsp);
  exit_program(ExitKind::Signal, 128 + signal);
}

} // namespace uk
