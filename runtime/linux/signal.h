// signal.h: signals the program sends itself, or the kernel sends it (SIGPIPE).
#pragma once

namespace uk {

/// Sends Signal to the program: if ignored, blocked, or by default ignored, nothing
/// happens; if it has a handler, that is not run yet (said once); otherwise the
/// program ends as killed by it (status 128 + Signal). Returns 0, or -EINVAL.
long signal_self(int signal);

} // namespace uk
