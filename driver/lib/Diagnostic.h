// Diagnostic: located, user-facing errors for ukc++ ("file:line:col: error: what").
#pragma once

#include "llvm/Support/Error.h"
#include "llvm/Support/raw_ostream.h"

#include <string>
#include <vector>

namespace ukcxx {

/// A position in an input file; Line and Column count from 1, 0 means unknown.
struct SourceLocation {
  std::string File;
  unsigned Line = 0;
  unsigned Column = 0;
};

/// An error with an optional location and notes ("add this to unikernel.yaml: ...").
/// Printed as `file:line:col: error: message`, then each note on its own line.
class DiagnosticError : public llvm::ErrorInfo<DiagnosticError> {
public:
  static char ID;

  DiagnosticError(SourceLocation Location, std::string Message,
                  std::vector<std::string> Notes = {})
      : Location(std::move(Location)), Message(std::move(Message)), Notes(std::move(Notes)) {}

  void log(llvm::raw_ostream &OS) const override;
  std::error_code convertToErrorCode() const override;

  SourceLocation Location;
  std::string Message;
  std::vector<std::string> Notes;
};

/// Assigns the value of an llvm::Expected expression to Var, or returns its error.
#define TRY_ASSIGN(Var, Expr)                                                                  \
  do {                                                                                         \
    auto TryValue = (Expr);                                                                    \
    if (!TryValue)                                                                             \
      return TryValue.takeError();                                                             \
    Var = std::move(*TryValue);                                                                \
  } while (0)

/// Makes an error without a location.
llvm::Error makeError(const llvm::Twine &Message);
/// Makes an error at Location.
llvm::Error makeError(SourceLocation Location, const llvm::Twine &Message,
                      std::vector<std::string> Notes = {});

/// "file:line:col", "file:line" when the column is unknown, "file" without a line.
std::string formatLocation(const SourceLocation &Location);

/// Prints Err (one error, or several joined) after "Tool: " when there is no location.
void printError(llvm::StringRef Tool, llvm::Error Err);

/// " (valid: a, b, c)" or "; did you mean 'x'?" for a misspelled Word among Choices.
std::string suggest(llvm::StringRef Word, llvm::ArrayRef<std::string> Choices);

} // namespace ukcxx
