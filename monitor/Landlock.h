// Landlock: confines the monitor's file access to the volumes' folders, where the host
// kernel has Landlock, as a second wall behind openat2's resolve flags.
#pragma once

#include <string>

namespace ukcxx {

class VolumeSet;

/// From now on, lets this thread (the one serving the volumes) open files only beneath
/// the volumes' folders, read-only ones only for reading, and create there only
/// regular files, folders and symbolic links. Returns a line for ukrun -v saying what
/// was done, or why not (no Landlock in this kernel, or one too old to allow renames
/// between folders).
std::string confineToVolumes(const VolumeSet &Volumes);

} // namespace ukcxx
