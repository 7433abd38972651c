// PrintResolved: --print-manifest and --print-components.
#pragma once

#include "Invocation.h"

namespace ukcxx {

/// Prints the resolved manifest (JSON) and/or the components, of an image given as
/// the only input or of the manifest; returns the exit status.
int printResolved(const Invocation &Inv);

} // namespace ukcxx
