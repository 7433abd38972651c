// VolumeFuzzer: sequences of 9P2000.L messages, mostly well-formed with hostile values,
// some raw, against a read-write (or read-only) volume made afresh for each input. The
// server must never crash, hang, write outside its reply buffer, answer with a reply
// larger than allowed, or change anything outside the volume's folder.
#include "Protocol.h"
#include "VolumeServer.h"

#include <cerrno>
#include <csignal>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <fcntl.h>
#include <filesystem>
#include <fstream>
#include <string>
#include <sys/stat.h>
#include <unistd.h>
#include <vector>

using namespace ukcxx;

namespace {

std::string Base; // a folder of this process: vol/ (the volume) and outside/

/// Reads the fuzzer's input; zeros once it runs out.
class Input {
public:
  Input(const uint8_t *Data, size_t Size) : Data(Data), Size(Size) {}
  bool empty() const { return Pos >= Size; }
  uint64_t take(unsigned N) {
    uint64_t V = 0;
    for (unsigned I = 0; I < N; ++I)
      V |= uint64_t(Pos < Size ? Data[Pos++] : 0) << (8 * I);
    return V;
  }
  std::string bytes(size_t N) {
    N = std::min(N, Size - std::min(Pos, Size));
    std::string S(reinterpret_cast<const char *>(Data + Pos), N);
    Pos += N;
    return S;
  }

private:
  const uint8_t *Data;
  size_t Size, Pos = 0;
};

/// Builds one request from the input: a known type with fields drawn from small sets
/// (so that fids and names meet), or raw bytes.
class Builder {
public:
  explicit Builder(Input &In) : In(In) {}

  std::vector<uint8_t> message() {
    uint8_t Op = uint8_t(In.take(1));
    if (Op >= 0xf0) { // raw bytes, framing and all
      std::string Raw = In.bytes(In.take(2) % 9000);
      return std::vector<uint8_t>(Raw.begin(), Raw.end());
    }
    static const uint8_t Types[] = {
        p9::Tversion, p9::Tattach,   p9::Twalk,    p9::Tlopen,    p9::Tlcreate,  p9::Tread,
        p9::Twrite,   p9::Tclunk,    p9::Tremove,  p9::Tgetattr,  p9::Tsetattr,  p9::Treaddir,
        p9::Tfsync,   p9::Tmkdir,    p9::Tsymlink, p9::Treadlink, p9::Tunlinkat, p9::Trenameat,
        p9::Trename,  p9::Tlink,     p9::Tstatfs,  p9::Tflush,    p9::Tauth,     p9::Tmknod,
        p9::Tlock,    p9::Txattrwalk};
    uint8_t Type = Op < 0xe0 ? Types[Op % sizeof Types] : uint8_t(In.take(1));
    Out.clear();
    put(0, 4);
    put(Type, 1);
    put(In.take(2), 2);
    body(Type);
    if (In.take(1) == 0xee) // trailing bytes
      raw(In.bytes(In.take(1) % 16));
    uint32_t Size = uint32_t(Out.size());
    if (In.take(1) == 0xed) // a lying size field
      Size += uint32_t(In.take(1)) - 128;
    std::memcpy(Out.data(), &Size, 4);
    return Out;
  }

private:
  void put(uint64_t V, unsigned N) {
    for (unsigned I = 0; I < N; ++I)
      Out.push_back(uint8_t(V >> (8 * I)));
  }
  void raw(const std::string &S) { Out.insert(Out.end(), S.begin(), S.end()); }
  void str(const std::string &S) {
    put(S.size(), 2);
    raw(S);
  }
  void fid() {
    uint8_t V = uint8_t(In.take(1));
    put(V == 0xff ? p9::NoFid : V % 8, 4);
  }
  void name() {
    static const std::string Names[] = {"f",
                                        "d",
                                        "g",
                                        "..",
                                        ".",
                                        "link",
                                        "up",
                                        "abs",
                                        "fifo",
                                        "new",
                                        "x",
                                        "",
                                        "a/b",
                                        "../outside",
                                        std::string("n\0ul", 4),
                                        std::string(300, 'n'),
                                        "secret",
                                        "outside"};
    uint8_t V = uint8_t(In.take(1));
    str(V < 0xf0 ? Names[V % (sizeof Names / sizeof Names[0])] : In.bytes(V & 15));
  }
  void number(unsigned N) {
    uint8_t Kind = uint8_t(In.take(1));
    put(Kind < 0x80 ? Kind : Kind < 0xc0 ? In.take(N) : ~0ull, N);
  }
  void body(uint8_t Type) {
    switch (Type) {
    case p9::Tversion:
      put(In.take(1) ? 512 + In.take(2) : ~0u, 4);
      str(In.take(1) & 1 ? "9P2000.L" : "9P2000");
      break;
    case p9::Tattach:
      fid();
      put(In.take(1) ? p9::NoFid : 1, 4);
      name();
      name();
      number(4);
      break;
    case p9::Twalk: {
      fid();
      fid();
      unsigned Count = unsigned(In.take(1) % 18);
      put(Count, 2);
      for (unsigned I = 0; I < Count; ++I)
        name();
      break;
    }
    case p9::Tlopen:
      fid();
      number(4);
      break;
    case p9::Tlcreate:
    case p9::Tmkdir:
      fid();
      name();
      number(4);
      number(4);
      if (Type == p9::Tlcreate)
        number(4);
      break;
    case p9::Tread:
    case p9::Treaddir:
      fid();
      number(8);
      put(In.take(2), 4);
      break;
    case p9::Twrite: {
      fid();
      number(8);
      std::string Data = In.bytes(In.take(2) % 3000);
      put(Data.size(), 4);
      raw(Data);
      break;
    }
    case p9::Tgetattr:
      fid();
      number(8);
      break;
    case p9::Tsetattr:
      fid();
      put(In.take(2) & 0x3ff, 4);
      number(4);
      number(4);
      number(4);
      put(In.take(3), 8); // sizes up to 16 MiB (sparse)
      for (int I = 0; I < 4; ++I)
        number(8);
      break;
    case p9::Tfsync:
      fid();
      number(4);
      break;
    case p9::Tsymlink:
      fid();
      name();
      name();
      number(4);
      break;
    case p9::Tunlinkat:
      fid();
      name();
      put(In.take(1) & 1 ? 0x200 : In.take(1), 4);
      break;
    case p9::Trenameat:
      fid();
      name();
      fid();
      name();
      break;
    case p9::Trename:
    case p9::Tlink:
      fid();
      fid();
      name();
      break;
    case p9::Tflush:
      put(In.take(2), 2);
      break;
    default: // one fid, or anything
      fid();
      raw(In.bytes(In.take(1) % 32));
      break;
    }
  }

  Input &In;
  std::vector<uint8_t> Out;
};

void write(const std::string &Path, const std::string &Data) {
  std::ofstream(Path, std::ios::binary) << Data;
}

/// Everything outside the volume, as it must stay.
std::string outside() {
  std::string State;
  for (auto &E : std::filesystem::directory_iterator(Base))
    State += E.path().filename().string() + "\n";
  for (auto &E : std::filesystem::recursive_directory_iterator(Base + "/outside")) {
    struct stat S;
    lstat(E.path().c_str(), &S);
    State += E.path().string() + " " + std::to_string(S.st_mode) + " " +
             std::to_string(S.st_size) + " " + std::to_string(S.st_mtim.tv_nsec) + "\n";
  }
  std::ifstream In(Base + "/outside/secret", std::ios::binary);
  return State + std::string(std::istreambuf_iterator<char>(In), {});
}

/// The volume's folder, made afresh: whatever the last input left (a folder with mode
/// 0, say) is made removable first.
std::string freshVolume() {
  std::string Vol = Base + "/vol";
  std::error_code Error;
  if (std::filesystem::exists(Vol, Error)) {
    chmod(Vol.c_str(), 0700);
    for (auto &E : std::filesystem::recursive_directory_iterator(
             Vol, std::filesystem::directory_options::skip_permission_denied, Error))
      if (E.is_directory(Error) && !E.is_symlink(Error))
        chmod(E.path().c_str(), 0700);
    std::filesystem::remove_all(Vol, Error);
  }
  std::filesystem::create_directories(Vol + "/d");
  write(Vol + "/f", "hello");
  write(Vol + "/d/g", "inner");
  symlink("../outside", (Vol + "/up").c_str());
  symlink((Base + "/outside/secret").c_str(), (Vol + "/abs").c_str());
  symlink((Base + "/outside/created").c_str(), (Vol + "/link").c_str());
  mkfifo((Vol + "/fifo").c_str(), 0600);
  return Vol;
}

} // namespace

extern "C" int LLVMFuzzerInitialize(int *, char ***) {
  // tmpfs where there is one: fsync costs nothing there. The folder is named by this
  // process; those of processes that died (a crash skips atexit) are removed here.
  std::string Where = access("/dev/shm", W_OK) == 0 ? "/dev/shm" : "/tmp";
  const std::string Prefix = "ukvolume-fuzz-";
  std::error_code Error;
  for (auto &E : std::filesystem::directory_iterator(Where, Error)) {
    std::string Name = E.path().filename().string();
    if (Name.rfind(Prefix, 0) == 0 && Name.size() > Prefix.size() &&
        Name.find_first_not_of("0123456789", Prefix.size()) == std::string::npos &&
        kill(pid_t(std::stol(Name.substr(Prefix.size()))), 0) < 0 && errno == ESRCH)
      std::filesystem::remove_all(E.path(), Error);
  }
  Base = Where + "/" + Prefix + std::to_string(getpid());
  std::filesystem::remove_all(Base, Error);
  std::filesystem::create_directories(Base + "/outside");
  write(Base + "/outside/secret", "secret");
  atexit([] { std::filesystem::remove_all(Base); });
  return 0;
}

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *Data, size_t Size) {
  std::string Vol = freshVolume();
  static const std::string Before = outside();
  Input In(Data, Size);
  volume::ServerOptions Options;
  Options.ReadOnly = In.take(1) & 1;
  Options.MaxMessage = 8192;
  Options.MaxFids = 16;
  Options.MaxNodes = 64;
  {
    volume::VolumeServer Server(open(Vol.c_str(), O_PATH | O_DIRECTORY | O_CLOEXEC), Options);
    Builder Make(In);
    // A session begun, so that most inputs reach past the first walk: the root as fid
    // 0, the root opened as fid 1, f opened for reading and writing as fid 2.
    const uint8_t Start[][64] = {
        {21, 0, 0,   0,   p9::Tversion, 0xff, 0xff, 0,   0x20, 0,  0,
         8,  0, '9', 'P', '2',          '0',  '0',  '0', '.',  'L'},
        {23, 0, 0, 0, p9::Tattach, 1, 0, 0, 0, 0, 0, 0xff, 0xff, 0xff, 0xff}, // the rest: 0
        {17, 0, 0, 0, p9::Twalk, 1, 0, 0, 0, 0, 0, 1},
        {15, 0, 0, 0, p9::Tlopen, 1, 0, 1, 0, 0, 0, 0, 0, 1}, // O_RDONLY | O_DIRECTORY
        {20, 0, 0, 0, p9::Twalk, 1, 0, 0, 0, 0, 0, 2, 0, 0, 0, 1, 0, 1, 0, 'f'},
        {15, 0, 0, 0, p9::Tlopen, 1, 0, 2, 0, 0, 0, 2}}; // O_RDWR
    std::vector<uint8_t> Reply(8192);
    for (const auto &M : Start)
      if (!Server.handle(M, M[0], Reply.data(), Reply.size()).Fault.empty())
        abort();
    for (int Count = 0; Count < 48 && !In.empty(); ++Count) {
      std::vector<uint8_t> Request = Make.message();
      static const size_t Capacities[] = {11, 12, 64, 200, 4096, 8192, 16384};
      uint8_t How = uint8_t(In.take(1));
      size_t Capacity = Capacities[How % 7];
      // Exactly the capacity, so that AddressSanitizer sees any write beyond it; with
      // How's high bit, the reply buffer starts at the request itself.
      std::vector<uint8_t> Buffer;
      const uint8_t *At;
      uint8_t *ReplyAt;
      if (How & 0x80) {
        Buffer = Request;
        Buffer.resize(std::max(Request.size(), Capacity));
        At = Buffer.data();
        ReplyAt = Buffer.data();
        Capacity = Buffer.size();
      } else {
        Buffer.resize(Capacity);
        At = Request.data();
        ReplyAt = Buffer.data();
      }
      volume::Outcome O = Server.handle(At, Request.size(), ReplyAt, Capacity);
      if (!O.Fault.empty())
        continue;
      uint32_t Length;
      std::memcpy(&Length, ReplyAt, 4);
      if (O.Length < p9::HeaderSize || O.Length > Capacity || O.Length > Server.msize() ||
          Length != O.Length || Server.fidCount() > Options.MaxFids ||
          Server.nodeCount() > Options.MaxNodes) {
        fprintf(stderr, "bad reply: %zu bytes (size field %u) for a buffer of %zu, msize %u\n",
                O.Length, Length, Capacity, Server.msize());
        abort();
      }
    }
  }
  if (outside() != Before) {
    fprintf(stderr, "the volume's server changed something outside its folder\n");
    abort();
  }
  return 0;
}
