# Ukcxx.cmake: what a CMake project built with toolchain.cmake may ask of ukc++.

# ukcxx_manifest(TARGET FILE): links executable TARGET with the manifest FILE (relative
# to the current source folder) instead of ./unikernel.yaml; a change to FILE relinks.
function(ukcxx_manifest target file)
  get_filename_component(manifest "${file}" ABSOLUTE BASE_DIR "${CMAKE_CURRENT_SOURCE_DIR}")
  if(NOT EXISTS "${manifest}")
    message(FATAL_ERROR "ukcxx_manifest(${target}): '${manifest}' does not exist")
  endif()
  target_link_options(${target} PRIVATE "--manifest=${manifest}")
  set_property(TARGET ${target} APPEND PROPERTY LINK_DEPENDS "${manifest}")
endfunction()
