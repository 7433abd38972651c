# toolchain.cmake: builds a CMake project into ukc++ images, and runs its tests, try_run
# checks and gtest_discover_tests inside unikernels:
#   cmake -S . -B build -DCMAKE_TOOLCHAIN_FILE=<ukc++>/lib/ukc++/toolchain.cmake
# Cache variables choose how images run: UKCXX_HYPERVISOR (auto, kvm, qemu),
# UKCXX_ACCEL (QEMU's: auto, kvm, tcg), UKCXX_MEMORY (like 256Mi; empty: the
# manifest's), UKCXX_TIMEOUT (seconds; 0: none). include(Ukcxx) gives
# ukcxx_manifest(TARGET FILE), a manifest per executable.

# An image is a Linux executable but runs on a hypervisor: for CMake, a cross build.
set(CMAKE_SYSTEM_NAME Linux)
set(CMAKE_SYSTEM_PROCESSOR x86_64)

get_filename_component(_ukcxx_bin "${CMAKE_CURRENT_LIST_DIR}/../../bin" ABSOLUTE)
set(CMAKE_C_COMPILER "${_ukcxx_bin}/ukcc")
set(CMAKE_CXX_COMPILER "${_ukcxx_bin}/ukc++")

set(UKCXX_HYPERVISOR "auto" CACHE STRING "where images run: auto, kvm, qemu")
set(UKCXX_ACCEL "auto" CACHE STRING "QEMU's accelerator: auto, kvm, tcg")
set(UKCXX_MEMORY "" CACHE STRING "guest memory for each run, like 256Mi (empty: the manifest's)")
set(UKCXX_TIMEOUT "600" CACHE STRING "seconds a run may take (0: no limit)")

set(_ukcxx_run "${CMAKE_CURRENT_LIST_DIR}/ukrun-emulator" "--hypervisor=${UKCXX_HYPERVISOR}"
  "--accel=${UKCXX_ACCEL}" "--timeout=${UKCXX_TIMEOUT}")
if(UKCXX_MEMORY)
  list(APPEND _ukcxx_run "--memory=${UKCXX_MEMORY}")
endif()
set(CMAKE_CROSSCOMPILING_EMULATOR "${_ukcxx_run}")

list(APPEND CMAKE_MODULE_PATH "${CMAKE_CURRENT_LIST_DIR}")
