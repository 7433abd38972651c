# toolchain.cmake: builds a CMake project into ukc++ images, and runs its tests, try_run
# checks and gtest_discover_tests inside unikernels:
#   cmake -S . -B build -DCMAKE_TOOLCHAIN_FILE=<ukc++>/lib/ukc++/toolchain.cmake
# Cache variables choose how images run: UKCXX_HYPERVISOR (auto, kvm, qemu),
# UKCXX_ACCEL (QEMU's: auto, kvm, tcg), UKCXX_MEMORY (like 256Mi; empty: the
# manifest's), UKCXX_TIMEOUT (seconds; 0: none), UKCXX_BIND_WORKDIR (ON: each run sees
# its working folder, a volume at the same path, and starts there). include(Ukcxx) gives
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
option(UKCXX_BIND_WORKDIR "runs see their working folder (a volume at the same path)" ON)

set(_ukcxx_run "${CMAKE_CURRENT_LIST_DIR}/ukrun-emulator" "--hypervisor=${UKCXX_HYPERVISOR}"
  "--accel=${UKCXX_ACCEL}" "--timeout=${UKCXX_TIMEOUT}")
if(UKCXX_BIND_WORKDIR)
  list(APPEND _ukcxx_run "--bind-cwd")
endif()
if(UKCXX_MEMORY)
  list(APPEND _ukcxx_run "--memory=${UKCXX_MEMORY}")
endif()
set(CMAKE_CROSSCOMPILING_EMULATOR "${_ukcxx_run}")

list(APPEND CMAKE_MODULE_PATH "${CMAKE_CURRENT_LIST_DIR}")

# CMake runs a test through the emulator only when its command names an executable
# target; projects often name the built file instead ("./test_x", a path in the build
# folder, $<TARGET_FILE:x>), which would run the image as a Linux process. add_test
# turns those into the target's name. (This file is read more than once; add_test is
# wrapped once, or _add_test would be the wrapper itself.)
get_property(_ukcxx_wrapped GLOBAL PROPERTY UKCXX_ADD_TEST_WRAPPED)
if(NOT _ukcxx_wrapped)
  set_property(GLOBAL PROPERTY UKCXX_ADD_TEST_WRAPPED TRUE)

  # Command: a test's command; sets Var to the executable target it names, if any.
  function(_ukcxx_test_target command var)
    set(name "")
    if(command MATCHES "^\\$<TARGET_FILE:([^>]+)>$")
      set(name "${CMAKE_MATCH_1}")
    elseif(command MATCHES "^\\./([^/]+)$")
      set(name "${CMAKE_MATCH_1}")
    elseif(IS_ABSOLUTE "${command}")
      get_filename_component(folder "${command}" DIRECTORY)
      if(folder STREQUAL CMAKE_CURRENT_BINARY_DIR)
        get_filename_component(name "${command}" NAME)
      endif()
    endif()
    set(${var} "" PARENT_SCOPE)
    if(name AND TARGET "${name}")
      get_target_property(type "${name}" TYPE)
      if(type STREQUAL "EXECUTABLE")
        set(${var} "${name}" PARENT_SCOPE)
      endif()
    endif()
  endfunction()

  function(add_test)
    set(args "${ARGV}")
    if(ARGV0 STREQUAL "NAME")
      list(FIND args COMMAND at)
      if(at GREATER -1)
        math(EXPR at "${at} + 1")
        list(GET args ${at} command)
        _ukcxx_test_target("${command}" target)
        if(target)
          list(REMOVE_AT args ${at})
          list(INSERT args ${at} "${target}")
        endif()
      endif()
    elseif(ARGC GREATER 1) # add_test(NAME-OF-TEST COMMAND ARGS...), the old form
      _ukcxx_test_target("${ARGV1}" target)
      if(target)
        list(REMOVE_AT args 0 1)
        set(args NAME "${ARGV0}" COMMAND "${target}" ${args})
      endif()
    endif()
    _add_test(${args})
  endfunction()
endif()
