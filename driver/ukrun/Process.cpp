// Process: a --target=linux image runs as an ordinary host process, with the
// manifest's arguments and environment, so it behaves as it would in a unikernel.
#include "Child.h"
#include "Error.h"
#include "Run.h"

#include <cstdio>
#include <unistd.h>

namespace ukcxx {

int runAsProcess(const RunRequest &R) {
  std::string Path = R.Image->path();
  if (Path.find('/') == std::string::npos)
    Path = "./" + Path;
  std::vector<std::string> Argv = {Path};
  Argv.insert(Argv.end(), R.Manifest.Args.begin(), R.Manifest.Args.end());
  Argv.insert(Argv.end(), R.Args.begin(), R.Args.end());
  if (R.Verbose)
    fprintf(stderr, "ukrun: running %s as a Linux process\n", Path.c_str());
  fflush(stdout);
  int Pid;
  try {
    Pid = spawn(Argv, {{0, 0}, {1, 1}, {2, 2}}, &R.Manifest.Env);
  } catch (const Error &E) {
    return failure(E.what());
  }
  ChildResult C = waitFor(Pid, R.Timeout);
  if (C.TimedOut) {
    fprintf(stderr, "ukrun: timed out after %g s; the program was stopped\n", R.Timeout);
    return StatusTimeout;
  }
  return C.Signaled ? 128 + C.Status : C.Status;
}

} // namespace ukcxx
