// Protocol: the 9P2000.L constants the volume server speaks, shared with the guest's
// client (uk/abi/p9.h).
#pragma once

#include "uk/abi/p9.h"

namespace ukcxx::p9 {
using namespace uk::p9;
} // namespace ukcxx::p9
