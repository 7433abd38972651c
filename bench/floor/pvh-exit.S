/* pvh-exit.S: the trivial PVH kernel of the benchmarks: its first instructions write
 * to isa-debug-exit, so QEMU's own start-up and tear-down are all that is measured. */
        .section .note.Xen, "a", @note
        .p2align 2
        .long 4, 4, 18
        .asciz "Xen"
        .long start

        .text
        .code32
        .globl start
start:
        movw $0xf4, %dx
        xorl %eax, %eax
        outl %eax, %dx
1:      hlt
        jmp 1b
