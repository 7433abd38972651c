// Child: fork/exec with explicit descriptors; waiting with a pidfd and poll.
#include "Child.h"

#include "Error.h"

#include <cerrno>
#include <csignal>
#include <cstring>
#include <fcntl.h>
#include <poll.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

namespace ukcxx {

std::string findInPath(const std::string &Program) {
  if (Program.find('/') != std::string::npos)
    return access(Program.c_str(), X_OK) == 0 ? Program : "";
  const char *Path = getenv("PATH");
  std::string Dirs = Path ? Path : "/usr/local/bin:/usr/bin:/bin";
  size_t Start = 0;
  while (Start <= Dirs.size()) {
    size_t End = Dirs.find(':', Start);
    if (End == std::string::npos)
      End = Dirs.size();
    std::string Candidate = Dirs.substr(Start, End - Start) + "/" + Program;
    struct stat St;
    if (stat(Candidate.c_str(), &St) == 0 && S_ISREG(St.st_mode) &&
        access(Candidate.c_str(), X_OK) == 0)
      return Candidate;
    Start = End + 1;
  }
  return "";
}

int spawn(const std::vector<std::string> &Argv, const std::vector<std::pair<int, int>> &Fds,
          const std::vector<std::string> *Env) {
  std::string Path = findInPath(Argv[0]);
  if (Path.empty())
    throw Error("cannot find '" + Argv[0] + "' in PATH");
  std::vector<char *> Args, Envp;
  for (const auto &A : Argv)
    Args.push_back(const_cast<char *>(A.c_str()));
  Args.push_back(nullptr);
  if (Env) {
    for (const auto &E : *Env)
      Envp.push_back(const_cast<char *>(E.c_str()));
    Envp.push_back(nullptr);
  }
  // A pipe that closes on exec tells the parent whether exec worked.
  int Report[2];
  if (pipe2(Report, O_CLOEXEC))
    throw Error(std::string("pipe: ") + strerror(errno));
  pid_t Parent = getpid();
  pid_t Pid = fork();
  if (Pid < 0)
    throw Error(std::string("fork: ") + strerror(errno));
  if (Pid == 0) {
    // The hypervisor dies with ukrun, even by SIGKILL: a guest never outlives its run
    // (a CI job's timeout, a crash test).
    prctl(PR_SET_PDEATHSIG, SIGKILL);
    if (getppid() != Parent)
      _exit(127);
    // Move the parent's descriptors out of the way first: a target may be a source
    // (standard input among them).
    std::vector<std::pair<int, int>> Moved;
    for (auto [Target, Source] : Fds)
      Moved.emplace_back(Target, fcntl(Source, F_DUPFD_CLOEXEC, 64));
    int Null = open("/dev/null", O_RDONLY);
    dup2(Null, 0);
    for (auto [Target, Source] : Moved)
      dup2(Source, Target);
    if (Env)
      execve(Path.c_str(), Args.data(), Envp.data());
    else
      execv(Path.c_str(), Args.data());
    int Errno = errno;
    (void)!write(Report[1], &Errno, sizeof Errno);
    _exit(127);
  }
  close(Report[1]);
  int Errno = 0;
  ssize_t N = read(Report[0], &Errno, sizeof Errno);
  close(Report[0]);
  if (N == sizeof Errno) {
    waitpid(Pid, nullptr, 0);
    throw Error("cannot run '" + Path + "': " + strerror(Errno));
  }
  return Pid;
}

ChildResult waitFor(int Pid, double Timeout, const std::vector<Relay *> &Relays) {
  ChildResult R;
  int PidFd = int(syscall(SYS_pidfd_open, Pid, 0));
  if (PidFd < 0)
    throw Error(std::string("pidfd_open: ") + strerror(errno));
  auto Now = [] {
    timespec T;
    clock_gettime(CLOCK_MONOTONIC, &T);
    return T.tv_sec + T.tv_nsec / 1e9;
  };
  double Deadline = Timeout > 0 ? Now() + Timeout : 0;
  bool Exited = false;
  std::vector<Relay *> Open = Relays;
  auto Draining = [&] {
    for (Relay *Rl : Open)
      if (Rl->drainsAfterExit())
        return true;
    return false;
  };
  // Until the child has exited and its output is drained.
  while (!Exited || Draining()) {
    std::vector<pollfd> P = {{PidFd, POLLIN, 0}};
    for (Relay *Rl : Open)
      P.push_back({Rl->fd(), POLLIN, 0});
    int Ms = -1;
    if (Deadline && !Exited) {
      double Left = Deadline - Now();
      if (Left <= 0) {
        kill(Pid, SIGKILL);
        R.TimedOut = true;
        Deadline = 0;
        continue;
      }
      Ms = int(Left * 1000) + 1;
    }
    if (Exited)
      Ms = 1000; // the pipe stays open only if the child leaked it; do not hang
    int Ready = poll(P.data(), P.size(), Ms);
    if (Ready < 0 && errno != EINTR)
      break;
    if (Ready == 0 && Exited)
      break;
    if (P[0].revents)
      Exited = true;
    for (size_t I = Open.size(); I-- > 0;)
      if (P[I + 1].revents && !Open[I]->pump())
        Open.erase(Open.begin() + I);
  }
  close(PidFd);
  int Status = 0;
  while (waitpid(Pid, &Status, 0) < 0 && errno == EINTR) {
  }
  if (WIFSIGNALED(Status)) {
    R.Signaled = true;
    R.Status = WTERMSIG(Status);
  } else {
    R.Status = WEXITSTATUS(Status);
  }
  return R;
}

} // namespace ukcxx
