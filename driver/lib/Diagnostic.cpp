// Diagnostic: printing of located errors and "did you mean" suggestions.
#include "Diagnostic.h"

#include "llvm/ADT/StringExtras.h"
#include "llvm/Support/WithColor.h"

namespace ukcxx {

char DiagnosticError::ID = 0;

void DiagnosticError::log(llvm::raw_ostream &OS) const { OS << Message; }

std::error_code DiagnosticError::convertToErrorCode() const {
  return llvm::inconvertibleErrorCode();
}

llvm::Error makeError(const llvm::Twine &Message) {
  return llvm::make_error<DiagnosticError>(SourceLocation{}, Message.str());
}

llvm::Error makeError(SourceLocation Location, const llvm::Twine &Message,
                      std::vector<std::string> Notes) {
  return llvm::make_error<DiagnosticError>(std::move(Location), Message.str(),
                                           std::move(Notes));
}

std::string formatLocation(const SourceLocation &Location) {
  std::string Text = Location.File;
  if (Location.Line)
    Text += ":" + std::to_string(Location.Line);
  if (Location.Line && Location.Column)
    Text += ":" + std::to_string(Location.Column);
  return Text;
}

void printError(llvm::StringRef Tool, llvm::Error Err) {
  llvm::handleAllErrors(
      std::move(Err),
      [&](const DiagnosticError &D) {
        auto &OS = llvm::errs();
        if (!D.Location.File.empty()) {
          OS << formatLocation(D.Location) << ": ";
        } else {
          OS << Tool << ": ";
        }
        llvm::WithColor(OS, llvm::HighlightColor::Error) << "error: ";
        OS << D.Message << '\n';
        for (const auto &Note : D.Notes)
          OS << Note << '\n';
      },
      [&](const llvm::ErrorInfoBase &E) {
        llvm::errs() << Tool << ": ";
        llvm::WithColor(llvm::errs(), llvm::HighlightColor::Error) << "error: ";
        llvm::errs() << E.message() << '\n';
      });
}

std::string suggest(llvm::StringRef Word, llvm::ArrayRef<std::string> Choices) {
  const std::string *Best = nullptr;
  unsigned BestDistance = 0;
  for (const auto &Choice : Choices) {
    unsigned D = Word.edit_distance(Choice, true, 3);
    if (D <= 2 && D < Word.size() && (!Best || D < BestDistance)) {
      Best = &Choice;
      BestDistance = D;
    }
  }
  if (Best)
    return "; did you mean '" + *Best + "'?";
  return " (valid: " + llvm::join(Choices, ", ") + ")";
}

} // namespace ukcxx
