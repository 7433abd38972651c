// ImageLink: a link that produces an image: compile, check features, resolve the
// runtime components, write the manifest note, link with the target's script.
#pragma once

#include "Invocation.h"

namespace ukcxx {

/// Plans (and, unless -###, runs) the link of an image; returns the exit status.
int linkImage(const Invocation &Inv, clang::driver::Driver &D);

} // namespace ukcxx
