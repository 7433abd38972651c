// TestSupport: the fake runtime catalog and error-to-text helpers for unit tests.
#pragma once

#include "Catalog.h"
#include "Diagnostic.h"

#include <gtest/gtest.h>

#include <string>

namespace ukcxx {

inline const Catalog &fakeCatalog() {
  static Catalog C = [] {
    auto Loaded = Catalog::load(UK_TEST_RUNTIME);
    if (!Loaded) {
      ADD_FAILURE() << llvm::toString(Loaded.takeError());
      return Catalog();
    }
    return std::move(*Loaded);
  }();
  return C;
}

/// "file:line:col: message" of a DiagnosticError, or its plain message.
inline std::string describe(llvm::Error E) {
  std::string Out;
  llvm::handleAllErrors(std::move(E), [&](const DiagnosticError &D) {
    if (!D.Location.File.empty())
      Out = D.Location.File + ":" + std::to_string(D.Location.Line) + ":" +
            std::to_string(D.Location.Column) + ": ";
    Out += D.Message;
  });
  return Out;
}

} // namespace ukcxx
