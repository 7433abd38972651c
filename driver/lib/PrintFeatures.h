// PrintFeatures: --print-features and --init, the features a program needs, found
// without linking it.
#pragma once

#include "Invocation.h"

namespace ukcxx {

/// --print-features: prints, as JSON, the features the program made of Inv's inputs
/// needs and every use that needs them; sources are parsed, objects and archives read.
/// --init: writes a manifest enabling those features, refusing to replace one.
/// Returns the exit status.
int printFeatures(const Invocation &Inv, clang::driver::Driver &D);

} // namespace ukcxx
