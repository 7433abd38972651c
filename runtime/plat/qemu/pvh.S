/* pvh.S: the PVH boot entry (Xen's direct boot ABI, as QEMU and Firecracker use it).
 *
 * The hypervisor enters pvh_start in 32-bit protected mode, paging off, with %ebx
 * pointing at struct hvm_start_info. We switch to long mode on page tables that are
 * complete in the image (identity map of the first GiB with 2 MiB pages), so the boot
 * path runs a handful of instructions, then call uk_pvh_main(start_info) in C++. */

#define XEN_ELFNOTE_PHYS32_ENTRY 18

        .section .note.Xen, "a", @note
        .p2align 2
        .long 4                 /* namesz: "Xen\0" */
        .long 4                 /* descsz */
        .long XEN_ELFNOTE_PHYS32_ENTRY
        .asciz "Xen"
        .long pvh_start         /* 32-bit physical entry */

        .section .text.uk_boot, "ax", @progbits
        .code32
pvh_start:
        cli
        cld
        rdtsc                           /* the first instruction's time, for boot stats */
        movl %eax, uk_boot_tsc
        movl %edx, uk_boot_tsc + 4
        movl $uk_boot_stack_top, %esp
        movl %ebx, %edi                 /* start_info for uk_pvh_main */

        movl %cr4, %eax
        orl $(1 << 5), %eax             /* PAE */
        movl %eax, %cr4
        movl $boot_pml4, %eax
        movl %eax, %cr3
        movl $0xc0000080, %ecx          /* EFER */
        rdmsr
        orl $((1 << 8) | (1 << 11)), %eax /* LME, NXE */
        wrmsr
        movl %cr0, %eax
        orl $((1 << 31) | (1 << 16) | 1), %eax /* PG, WP, PE */
        movl %eax, %cr0

        lgdt boot_gdt_pointer
        ljmp $0x08, $pvh_start64

        .code64
pvh_start64:
        movl $0x10, %eax
        movl %eax, %ds
        movl %eax, %es
        movl %eax, %ss
        xorl %eax, %eax
        movl %eax, %fs
        movl %eax, %gs
        movq $uk_boot_stack_top, %rsp
        xorl %ebp, %ebp
        call uk_pvh_main
1:      hlt
        jmp 1b

        .section .rodata.uk_boot, "a", @progbits
        .p2align 3
boot_gdt:
        .quad 0
        .quad 0x00af9a000000ffff        /* 0x08: 64-bit code, ring 0 */
        .quad 0x00cf92000000ffff        /* 0x10: data, ring 0 */
boot_gdt_end:
boot_gdt_pointer:
        .word boot_gdt_end - boot_gdt - 1
        .long boot_gdt

        .section .data.uk_boot_tsc, "aw", @progbits
        .p2align 3
        .globl uk_boot_tsc
uk_boot_tsc:
        .quad 0

/* Boot page tables: PML4[0] -> PDPT[0] -> PD mapping 0..1 GiB with 2 MiB pages
 * (present, writable, supervisor). Built by the assembler, not at run time. */
        .section .data.uk_boot_tables, "aw", @progbits
        .p2align 12
boot_pml4:
        .quad boot_pdpt + 0x3
        .fill 511, 8, 0
boot_pdpt:
        .quad boot_pd + 0x3
        .fill 511, 8, 0
boot_pd:
        .set i, 0
        .rept 512
        .quad (i << 21) | 0x83
        .set i, i + 1
        .endr
