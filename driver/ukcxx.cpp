// ukc++ and ukcc: the compiler drivers (one binary; the name says which language).
#include "Driver.h"

#include "llvm/Support/InitLLVM.h"
#include "llvm/Support/Path.h"

int main(int Argc, char **Argv) {
  llvm::InitLLVM Init(Argc, Argv);
  llvm::StringRef Name = llvm::sys::path::filename(Argv[0]);
  bool CPlusPlus = Name.contains("++") || Name.contains("cxx");
  return ukcxx::runDriver(llvm::ArrayRef<const char *>(Argv, Argc), CPlusPlus);
}
