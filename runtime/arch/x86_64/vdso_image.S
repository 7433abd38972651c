/* vdso_image.S: the vDSO shared object (built from vdso/), embedded page-aligned so
 * that the kernel can map its pages into the program. */
        .section .rodata.uk_vdso, "a", @progbits
        .p2align 12
        .globl uk_vdso_start, uk_vdso_end
uk_vdso_start:
        .incbin UK_VDSO_PATH
uk_vdso_end:
        .p2align 12
