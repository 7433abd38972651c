// Error: the one exception type the host tools throw; caught and printed at main().
#pragma once

#include <stdexcept>
#include <string>

namespace ukcxx {

/// A user-facing error. The message is complete ("cannot open 'x': No such file"),
/// without the "error: " prefix, which the printer adds.
class Error : public std::runtime_error {
public:
  explicit Error(const std::string &Message) : std::runtime_error(Message) {}
};

} // namespace ukcxx
