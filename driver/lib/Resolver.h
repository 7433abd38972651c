// Resolver: from a target and a manifest to the closed set of runtime components.
#pragma once

#include "Catalog.h"
#include "Manifest.h"

#include <vector>

namespace ukcxx {

/// Chooses the components an image needs: the target's own, those of every enabled
/// feature, and, transitively, a provider for everything they require. Fails if a
/// feature is not available on the target, a requirement has no single provider,
/// or two chosen components conflict. The result is in a stable order.
llvm::Expected<std::vector<const ComponentInfo *>>
resolveComponents(const Catalog &Cat, const TargetInfo &Target, const Manifest &M);

} // namespace ukcxx
