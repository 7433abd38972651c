// kvm_floor.c: the least a KVM run can cost here: open /dev/kvm, create a VM with one
// page of memory and one vCPU, run three OUT instructions (three exits) and HLT.
#include <fcntl.h>
#include <linux/kvm.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>

int main(void) {
  // Real mode at 0x1000: out %al,$0x10 (x3); hlt
  static const uint8_t code[] = {0xe6, 0x10, 0xe6, 0x10, 0xe6, 0x10, 0xf4};
  int kvm = open("/dev/kvm", O_RDWR | O_CLOEXEC);
  int vm = ioctl(kvm, KVM_CREATE_VM, 0);
  uint8_t *mem = mmap(NULL, 0x2000, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
  memcpy(mem + 0x1000, code, sizeof code);
  struct kvm_userspace_memory_region region = {0, 0, 0, 0x2000, (uint64_t)mem};
  ioctl(vm, KVM_SET_USER_MEMORY_REGION, &region);
  int vcpu = ioctl(vm, KVM_CREATE_VCPU, 0);
  struct kvm_run *run = mmap(NULL, ioctl(kvm, KVM_GET_VCPU_MMAP_SIZE, 0),
                             PROT_READ | PROT_WRITE, MAP_SHARED, vcpu, 0);
  struct kvm_sregs sregs;
  ioctl(vcpu, KVM_GET_SREGS, &sregs);
  sregs.cs.base = 0;
  sregs.cs.selector = 0;
  ioctl(vcpu, KVM_SET_SREGS, &sregs);
  struct kvm_regs regs = {.rip = 0x1000, .rflags = 2};
  ioctl(vcpu, KVM_SET_REGS, &regs);
  for (int exits = 0;; ++exits) {
    if (ioctl(vcpu, KVM_RUN, 0) < 0)
      return 2;
    if (run->exit_reason == KVM_EXIT_HLT)
      return exits == 3 ? 0 : 1;
    if (run->exit_reason != KVM_EXIT_IO)
      return 3;
  }
}
