// Child: starting a host process with chosen file descriptors, and waiting for it
// with a deadline.
#pragma once

#include <string>
#include <utility>
#include <vector>

namespace ukcxx {

struct ChildResult {
  bool TimedOut = false;
  bool Signaled = false;
  int Status = 0; // exit status, or the signal number when Signaled
};

/// Starts Argv[0] (looked up in PATH) with stdin from /dev/null and the given
/// (child fd, parent fd) pairs; Env replaces the environment when not null.
/// Throws Error if it cannot be started.
int spawn(const std::vector<std::string> &Argv, const std::vector<std::pair<int, int>> &Fds,
          const std::vector<std::string> *Env = nullptr);

/// A stream ukrun carries between the child and its own descriptors while waiting.
class Relay {
public:
  virtual ~Relay() = default;
  /// The descriptor to wait on now.
  virtual int fd() const = 0;
  /// Moves what is available; false at end of stream.
  virtual bool pump() = 0;
  /// Whether the child's end must be read to its end after the child exits
  /// (output must; a request for input need not).
  virtual bool drainsAfterExit() const { return true; }
};

/// Waits for Pid, pumping the Relays meanwhile; after Timeout seconds (0: never)
/// kills the child and reports TimedOut.
ChildResult waitFor(int Pid, double Timeout, const std::vector<Relay *> &Relays = {});

/// The full path of Program in PATH, or empty.
std::string findInPath(const std::string &Program);

} // namespace ukcxx
