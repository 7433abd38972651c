// ImageLink: a link that produces an image: compile, check features, resolve the
// runtime components, write the manifest note, link with the target's script.
#pragma once

#include "FeatureCheck.h"
#include "Invocation.h"

#include <set>

namespace ukcxx {

/// Plans (and, unless -###, runs) the link of an image; returns the exit status.
int linkImage(const Invocation &Inv, clang::driver::Driver &D);

/// The program's own objects and archives among the link job's inputs, leaving out
/// the outputs of the jobs in Pending (not compiled yet). Libraries come from the
/// link's -l options (clang keeps only file inputs as InputInfos), searched as the
/// linker will search them; the C and C++ toolchain's own libraries are left out.
std::vector<ProgramInput> programInputs(const clang::driver::Command &Link,
                                        const std::set<std::string> &Pending);

} // namespace ukcxx
