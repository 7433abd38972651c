/* entry.S: the built-in KVM monitor's way into the kernel.
 *
 * The note tells the monitor where everything is (struct uk_kvm_image, uk/abi/kvm.h);
 * the monitor sets all CPU state and enters uk_kvm_start in 64-bit mode with RDI =
 * guest-physical address of the boot info and RSP = the kernel stack. */

#define UK_NOTE_KVM_IMAGE 3
#define UK_KVM_ABI_VERSION 1

        .section .note.uk, "a", @note
        .p2align 2
        .long 6                         /* namesz: "ukc++\0" */
        .long desc_end - desc_start     /* descsz */
        .long UK_NOTE_KVM_IMAGE
        .asciz "ukc++"
        .p2align 2
desc_start:
        .long UK_KVM_ABI_VERSION
        .long desc_end - desc_start
        .quad uk_kvm_start
        .quad uk_boot_stack_top
        .quad uk_syscall_entry
        .quad uk_trap_stubs
        .quad uk_idt
        .quad uk_gdt
        .quad uk_tss
        .quad uk_ist_stacks
        .quad uk_percpu
        .quad __uk_kernel_start
        .quad __uk_kernel_end
desc_end:

        .section .text.uk_boot, "ax", @progbits
        .globl uk_kvm_start
uk_kvm_start:
        xorl %ebp, %ebp
        call uk_kvm_main
1:      hlt
        jmp 1b
