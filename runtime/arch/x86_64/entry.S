/* entry.S: every way into and out of the kernel on x86-64.
 *
 * Interrupts, exceptions and system calls all build the same struct TrapFrame
 * (uk/cpu.h) on the kernel stack and call C++ (uk_trap, uk_syscall). Entries from
 * ring 3 swap GS to reach the per-CPU area. */

#define USER_CS (0x28 | 3)
#define USER_DS (0x20 | 3)
#define PERCPU_KERNEL_RSP 8
#define PERCPU_USER_RSP 16
#define PERCPU_SYSCALL_NR 24
#define UK_SYSCALL_MAX 512

        .macro SAVE_REGS
        pushq %rax
        pushq %rbx
        pushq %rcx
        pushq %rdx
        pushq %rsi
        pushq %rdi
        pushq %rbp
        pushq %r8
        pushq %r9
        pushq %r10
        pushq %r11
        pushq %r12
        pushq %r13
        pushq %r14
        pushq %r15
        .endm

        .macro RESTORE_REGS
        popq %r15
        popq %r14
        popq %r13
        popq %r12
        popq %r11
        popq %r10
        popq %r9
        popq %r8
        popq %rbp
        popq %rdi
        popq %rsi
        popq %rdx
        popq %rcx
        popq %rbx
        popq %rax
        .endm

        /* The registers the C convention preserves, as uk_switch_context keeps them. */
        .macro PUSH_CALLEE_SAVED
        pushq %rbp
        pushq %rbx
        pushq %r12
        pushq %r13
        pushq %r14
        pushq %r15
        .endm

        .macro POP_CALLEE_SAVED
        popq %r15
        popq %r14
        popq %r13
        popq %r12
        popq %rbx
        popq %rbp
        .endm

        .text

/* One 16-byte stub per vector, in vector order, so that the stub of vector V is at
 * uk_trap_stubs + 16 * V. Each pushes a zero error code where the CPU pushes none,
 * then the vector number. */
        .p2align 4
        .globl uk_trap_stubs
uk_trap_stubs:
        .set v, 0
        .rept 256
        .p2align 4
        .if v == 14
        jmp page_fault_entry
        .else
        .if (v == 8) || (v == 10) || (v == 11) || (v == 12) || (v == 13) || (v == 17) || (v == 21) || (v == 29) || (v == 30)
        .else
        pushq $0
        .endif
        pushq $v
        jmp trap_common
        .endif
        .set v, v + 1
        .endr
        /* Fails to assemble ("cannot move location counter backwards") if a stub
         * is longer than 16 bytes. */
        .org uk_trap_stubs + 16 * 256

trap_common:
        testb $3, 24(%rsp)              /* CS of the interrupted code */
        jz 1f
        swapgs
1:      SAVE_REGS
        movq %rsp, %rdi
        cld
        call uk_trap
        .globl uk_trap_return
uk_trap_return:
        RESTORE_REGS
        addq $16, %rsp                  /* vector, error */
        testb $3, 8(%rsp)
        jz 2f
        swapgs
2:      iretq

/* A page fault. Where the hypervisor does not promote a ring-3 syscall to ring 0
 * (software-virtualized KVM, DESIGN.md), the CPU jumps to LSTAR still in ring 3, and
 * fetching the supervisor-only entry page faults here with RCX, R11 and RAX as the
 * syscall left them. That is completed as the system call it is: this is the one
 * place that knows about such hypervisors. */
page_fault_entry:
        cmpq $uk_syscall_entry, 8(%rsp)         /* RIP */
        jne 1f
        movb $1, uk_syscall_via_fault
        swapgs
        movq %rcx, 8(%rsp)                      /* return where syscall would */
        movq %r11, 24(%rsp)                     /* with the flags syscall saved */
        movq $USER_CS, 16(%rsp)
        movq $USER_DS, 40(%rsp)
        jmp syscall_common
1:      pushq $14
        jmp trap_common

/* The system call entry (MSR_LSTAR): switch to the kernel stack and build the same
 * frame as the page-fault path, with a zero error code. */
        .p2align 6
        .globl uk_syscall_entry
uk_syscall_entry:
        swapgs
        movq %rsp, %gs:PERCPU_USER_RSP
        movq %gs:PERCPU_KERNEL_RSP, %rsp
        pushq $USER_DS
        pushq %gs:PERCPU_USER_RSP
        pushq %r11                      /* user RFLAGS */
        pushq $USER_CS
        pushq %rcx                      /* user RIP */
        pushq $0

/* Both entries meet here, with the stack [error][rip][cs][rflags][rsp][ss] and the
 * program's registers live. The common case saves only what Linux preserves and the
 * C calling convention does not, and calls the handler with the arguments where the
 * C convention wants them: every kernel instruction counts where ring 0 is emulated.
 * Calls that need the whole register state (clone, rt_sigreturn...) take the slow
 * path, which builds a TrapFrame. */
syscall_common:
        incq uk_syscall_count
        movq %rax, %gs:PERCPU_SYSCALL_NR
        cmpq $UK_SYSCALL_MAX, %rax
        jae syscall_slow
        btq %rax, uk_syscall_slow
        jc syscall_slow
        pushq %rdi
        pushq %rsi
        pushq %rdx
        pushq %r10
        pushq %r8
        pushq %r9
        movq uk_syscall_table(,%rax,8), %r11
        testq %r11, %r11
        jz 2f
        movq %r10, %rcx
        call *%r11
3:      popq %r9
        popq %r8
        popq %r10
        popq %rdx
        popq %rsi
        popq %rdi
        movq 8(%rsp), %rcx              /* Linux leaves RCX = return address */
        movq 24(%rsp), %r11             /* and R11 = RFLAGS */
        cmpb $0, uk_signal_work
        jne 5f
        cmpq $0, (%rsp)
        jne 4f
        movq 32(%rsp), %rsp             /* entered by syscall: leave by sysretq */
        swapgs
        sysretq
4:      addq $8, %rsp                   /* entered by page fault: leave by iretq */
        swapgs
        iretq
2:      movq %rax, %rdi
        call uk_syscall_enosys
        jmp 3b
        /* A signal may be due: with every register as the program will see it, build
         * the full frame the handler's context is saved from, and leave by iretq. */
5:      pushq $0x100                    /* SyscallVector */
        SAVE_REGS
        movq %rsp, %rdi
        call uk_syscall_signals
        jmp syscall_return

syscall_slow:
        pushq $0x100                    /* SyscallVector */
        SAVE_REGS
        movq %rsp, %rdi
        call uk_syscall
syscall_return:
        RESTORE_REGS
        addq $16, %rsp                  /* vector, error */
        swapgs
        iretq

/* uk_switch_context(save, next): saves the callee-saved registers and the stack
 * pointer of the running kernel context into *save, and resumes the one whose stack
 * pointer is next. Every thread is switched out inside the kernel (interrupts off), so
 * this is all a switch needs; the program's registers are in its entry frame. */
        .globl uk_switch_context
uk_switch_context:
        PUSH_CALLEE_SAVED
        movq %rsp, (%rdi)
        movq %rsi, %rsp
        POP_CALLEE_SAVED
        ret

/* A new thread's first switch-in returns here, with the TrapFrame it starts from on
 * its stack: it enters the program as the frame says. */
        .globl uk_thread_start
uk_thread_start:
        RESTORE_REGS
        addq $16, %rsp                  /* vector, error */
        swapgs
        iretq

/* uk_run_probe(rip, save): runs user code at rip (with RAX = 511) until it makes
 * that system call, which returns here through uk_probe_return (cpu_probe.cpp). */
        .globl uk_run_probe, uk_probe_return
uk_run_probe:
        PUSH_CALLEE_SAVED
        movq %rsp, (%rsi)
        pushq $USER_DS
        pushq $0
        pushq $0x2                      /* interrupts off */
        pushq $USER_CS
        pushq %rdi
        movl $511, %eax
        swapgs
        iretq
/* uk_probe_return(save): back into uk_run_probe's caller (GS is the kernel's). */
uk_probe_return:
        movq (%rdi), %rsp
        POP_CALLEE_SAVED
        ret

        .section .data.uk_probe, "aw", @progbits
        .globl uk_syscall_via_fault
uk_syscall_via_fault:
        .byte 0
        .text

/* uk_enter_user(rip, rsp): first entry into the program, with every register zero
 * as Linux leaves them for a new process. */
        .globl uk_enter_user
uk_enter_user:
        pushq $USER_DS
        pushq %rsi
        pushq $0x202                    /* IF */
        pushq $USER_CS
        pushq %rdi
        xorl %eax, %eax
        xorl %ebx, %ebx
        xorl %ecx, %ecx
        xorl %edx, %edx
        xorl %esi, %esi
        xorl %edi, %edi
        xorl %ebp, %ebp
        xorl %r8d, %r8d
        xorl %r9d, %r9d
        xorl %r10d, %r10d
        xorl %r11d, %r11d
        xorl %r12d, %r12d
        xorl %r13d, %r13d
        xorl %r14d, %r14d
        xorl %r15d, %r15d
        swapgs
        iretq

        .section .bss.uk_stacks, "aw", @nobits
        .p2align 12
        .globl uk_boot_stack, uk_boot_stack_top
uk_boot_stack:
        .skip 16384
uk_boot_stack_top:
        .globl uk_ist_stacks
uk_ist_stacks:
        .skip 8192
