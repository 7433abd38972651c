// TreePack: the image's own file tree, packed at link time (uk/abi/tree.h) and listed.
#include "TreePack.h"

#include "uk/abi/tree.h"

#include "llvm/ADT/StringExtras.h"
#include "llvm/Object/ObjectFile.h"
#include "llvm/Support/FileSystem.h"
#include "llvm/Support/Format.h"
#include "llvm/Support/MemoryBuffer.h"
#include "llvm/Support/Path.h"

#include <algorithm>
#include <cstring>
#include <deque>
#include <unistd.h>

namespace ukcxx {
namespace {

namespace fs = llvm::sys::fs;
namespace path = llvm::sys::path;

/// A file found under the root, before layout.
struct Entry {
  std::string Path;     // on the host
  std::string Relative; // inside the tree, "" for the root
  uk_tree_node Node{};
  std::string Target; // a symlink's
};

const char *kindName(fs::file_type Type) {
  switch (Type) {
  case fs::file_type::fifo_file:
    return "a FIFO";
  case fs::file_type::socket_file:
    return "a socket";
  case fs::file_type::block_file:
    return "a block device";
  case fs::file_type::character_file:
    return "a character device";
  default:
    return "not a regular file, folder or symlink";
  }
}

/// True if symlink Target, placed in the tree's folder Dir, stays inside the tree: a
/// relative target that climbs above the root would read the host's files when the
/// program runs natively beside the folder, and nothing in the image.
bool staysInside(llvm::StringRef Dir, llvm::StringRef Target) {
  if (path::is_absolute(Target))
    return true; // resolved in the guest's own tree, whose root is the packed folder
  int Depth = 0;
  for (auto It = path::begin(Dir), End = path::end(Dir); It != End; ++It)
    Depth += *It != ".";
  for (auto It = path::begin(Target), End = path::end(Target); It != End; ++It) {
    if (*It == "..")
      --Depth;
    else if (*It != ".")
      ++Depth;
    if (Depth < 0)
      return false;
  }
  return true;
}

class Packer {
public:
  Packer(const std::string &Root, const SourceLocation &Where) : Root(Root), Where(Where) {}

  llvm::Expected<std::vector<uint8_t>> pack() {
    Entry RootEntry{Root, "", {}, {}};
    if (auto E = describe(RootEntry))
      return std::move(E);
    if (RootEntry.Node.kind != UK_TREE_DIRECTORY)
      return makeError(Where, "'root' '" + Root + "' is not a folder");
    Entries.push_back(std::move(RootEntry));
    // Breadth first: each folder's entries are appended together, so they are
    // contiguous, as the format wants.
    for (size_t I = 0; I < Entries.size(); ++I)
      if (Entries[I].Node.kind == UK_TREE_DIRECTORY)
        if (auto E = addChildren(I))
          return std::move(E);
    return layout();
  }

private:
  std::string Root;
  SourceLocation Where;
  std::deque<Entry> Entries;
  std::string Names = std::string(1, '\0'); // offset 0: the root's empty name

  llvm::Error describe(Entry &E) {
    fs::file_status Status;
    if (std::error_code EC = fs::status(E.Path, Status, /*Follow=*/false))
      return makeError(Where, "cannot read '" + E.Path + "' in 'root': " + EC.message());
    E.Node.mode = Status.permissions() & 07777;
    E.Node.mtime_ns = std::chrono::duration_cast<std::chrono::nanoseconds>(
                          Status.getLastModificationTime().time_since_epoch())
                          .count();
    switch (Status.type()) {
    case fs::file_type::directory_file:
      E.Node.kind = UK_TREE_DIRECTORY;
      return llvm::Error::success();
    case fs::file_type::regular_file:
      E.Node.kind = UK_TREE_FILE;
      E.Node.size = Status.getSize();
      return llvm::Error::success();
    case fs::file_type::symlink_file:
      return describeSymlink(E);
    default:
      return makeError(Where, "'" + E.Relative + "' in 'root' is " + kindName(Status.type()) +
                                  ": only regular files, folders and symlinks can be packed "
                                  "into the image");
    }
  }

  llvm::Error describeSymlink(Entry &E) {
    char Buffer[4096];
    ssize_t N = readlink(E.Path.c_str(), Buffer, sizeof Buffer);
    if (N < 0 || N == sizeof Buffer)
      return makeError(Where, "cannot read symlink '" + E.Path + "'");
    E.Target.assign(Buffer, N);
    if (!staysInside(path::parent_path(E.Relative), E.Target))
      return makeError(Where, "symlink '" + E.Relative + "' in 'root' points outside it ('" +
                                  E.Target + "')");
    E.Node.kind = UK_TREE_SYMLINK;
    E.Node.mode = 0777;
    E.Node.size = E.Target.size();
    return llvm::Error::success();
  }

  llvm::Error addChildren(size_t Parent) {
    std::vector<std::string> Children;
    std::error_code EC;
    for (fs::directory_iterator It(Entries[Parent].Path, EC, /*Follow=*/false), End;
         It != End && !EC; It.increment(EC))
      Children.push_back(path::filename(It->path()).str());
    if (EC)
      return makeError(Where, "cannot list '" + Entries[Parent].Path + "': " + EC.message());
    std::sort(Children.begin(), Children.end()); // bytewise, as the kernel's strcmp
    Entries[Parent].Node.first_or_data = Entries.size();
    Entries[Parent].Node.size = Children.size();
    for (const auto &Name : Children) {
      llvm::SmallString<256> Host(Entries[Parent].Path), Relative(Entries[Parent].Relative);
      path::append(Host, Name);
      path::append(Relative, Name);
      Entry E{std::string(Host), std::string(Relative), {}, {}};
      if (auto Err = describe(E))
        return Err;
      E.Node.parent = Parent;
      E.Node.name = string(Name);
      Entries.push_back(std::move(E));
    }
    return llvm::Error::success();
  }

  uint32_t string(llvm::StringRef S) {
    uint32_t At = Names.size();
    Names.append(S.data(), S.size());
    Names.push_back('\0');
    return At;
  }

  llvm::Expected<std::vector<uint8_t>> layout() {
    for (auto &E : Entries)
      if (E.Node.kind == UK_TREE_SYMLINK)
        E.Node.first_or_data = string(E.Target);
    uint64_t NamesAt = sizeof(uk_tree_header) + Entries.size() * sizeof(uk_tree_node);
    uint64_t At = NamesAt + Names.size();
    for (auto &E : Entries)
      if (E.Node.kind == UK_TREE_FILE) {
        // A page or more: page-aligned, to be mapped; smaller files are packed densely.
        At = llvm::alignTo(At, E.Node.size >= UK_TREE_DATA_ALIGN ? UK_TREE_DATA_ALIGN
                                                                 : UK_TREE_SMALL_ALIGN);
        E.Node.first_or_data = At;
        At += E.Node.size;
        // The rest of a mapped file's last page stays zero, as past the end of a file.
        if (E.Node.size >= UK_TREE_DATA_ALIGN)
          At = llvm::alignTo(At, UK_TREE_DATA_ALIGN);
      }
    uk_tree_header H{UK_TREE_MAGIC, UK_TREE_VERSION, uint32_t(Entries.size()), At,
                     NamesAt,       Names.size()};
    std::vector<uint8_t> Blob(At);
    std::memcpy(Blob.data(), &H, sizeof H);
    for (size_t I = 0; I < Entries.size(); ++I)
      std::memcpy(&Blob[sizeof H + I * sizeof(uk_tree_node)], &Entries[I].Node,
                  sizeof(uk_tree_node));
    std::memcpy(&Blob[NamesAt], Names.data(), Names.size());
    for (const auto &E : Entries) {
      if (E.Node.kind != UK_TREE_FILE)
        continue;
      auto Data = llvm::MemoryBuffer::getFile(E.Path, /*IsText=*/false,
                                              /*RequiresNullTerminator=*/false);
      if (!Data)
        return makeError(Where, "cannot read '" + E.Path + "': " + Data.getError().message());
      if ((*Data)->getBufferSize() != E.Node.size)
        return makeError(Where, "'" + E.Path + "' changed while it was being packed");
      std::memcpy(&Blob[E.Node.first_or_data], (*Data)->getBufferStart(), E.Node.size);
    }
    return Blob;
  }
};

const uk_tree_node &nodeAt(llvm::ArrayRef<uint8_t> Blob, uint64_t I) {
  return reinterpret_cast<const uk_tree_node *>(Blob.data() + sizeof(uk_tree_header))[I];
}

const char *nameAt(llvm::ArrayRef<uint8_t> Blob, uint64_t Offset) {
  const auto &H = *reinterpret_cast<const uk_tree_header *>(Blob.data());
  return reinterpret_cast<const char *>(Blob.data() + H.names_offset + Offset);
}

std::string modeString(const uk_tree_node &N) {
  std::string S = N.kind == UK_TREE_DIRECTORY ? "d" : N.kind == UK_TREE_SYMLINK ? "l" : "-";
  for (int Shift = 6; Shift >= 0; Shift -= 3)
    for (int Bit = 2; Bit >= 0; --Bit)
      S += (N.mode >> (Shift + Bit)) & 1 ? "xwr"[Bit] : '-';
  return S;
}

void listFrom(llvm::ArrayRef<uint8_t> Blob, uint64_t I, const std::string &Path,
              llvm::raw_ostream &OS) {
  const uk_tree_node &N = nodeAt(Blob, I);
  OS << modeString(N) << llvm::format(" %12llu ", (unsigned long long)N.size)
     << (Path.empty() ? "/" : Path);
  if (N.kind == UK_TREE_SYMLINK)
    OS << " -> " << nameAt(Blob, N.first_or_data);
  OS << "\n";
  if (N.kind == UK_TREE_DIRECTORY)
    for (uint64_t C = N.first_or_data; C < N.first_or_data + N.size; ++C)
      listFrom(Blob, C, Path + "/" + nameAt(Blob, nodeAt(Blob, C).name), OS);
}

} // namespace

llvm::Expected<std::vector<uint8_t>> packTree(const std::string &Root,
                                              const SourceLocation &Where) {
  return Packer(Root, Where).pack();
}

llvm::Error validateTree(llvm::ArrayRef<uint8_t> Blob) {
  if (Blob.size() < sizeof(uk_tree_header))
    return makeError("the file tree is truncated");
  uk_tree_header H;
  std::memcpy(&H, Blob.data(), sizeof H);
  if (H.magic != UK_TREE_MAGIC || H.version != UK_TREE_VERSION)
    return makeError("the file tree has an unknown format");
  uint64_t NodesEnd = sizeof H + uint64_t(H.node_count) * sizeof(uk_tree_node);
  if (H.total_size > Blob.size() || H.node_count == 0 || NodesEnd > H.names_offset ||
      H.names_offset > H.total_size || H.names_size > H.total_size - H.names_offset ||
      H.names_size == 0 || Blob[H.names_offset + H.names_size - 1] != 0)
    return makeError("the file tree's header is inconsistent");
  for (uint64_t I = 0; I < H.node_count; ++I) {
    const uk_tree_node &N = nodeAt(Blob, I);
    bool Ok = N.name < H.names_size && N.parent < H.node_count;
    if (N.kind == UK_TREE_DIRECTORY)
      Ok &= N.first_or_data > I && N.first_or_data <= H.node_count &&
            N.size <= H.node_count - N.first_or_data;
    else if (N.kind == UK_TREE_FILE)
      Ok &= N.first_or_data <= H.total_size && N.size <= H.total_size - N.first_or_data;
    else if (N.kind == UK_TREE_SYMLINK)
      Ok &= N.first_or_data < H.names_size && N.size < H.names_size - N.first_or_data;
    else
      Ok = false;
    if (!Ok)
      return makeError("the file tree's entry " + llvm::Twine(I) + " is inconsistent");
  }
  if (nodeAt(Blob, 0).kind != UK_TREE_DIRECTORY)
    return makeError("the file tree's root is not a folder");
  return llvm::Error::success();
}

void listTree(llvm::ArrayRef<uint8_t> Blob, llvm::raw_ostream &OS) {
  listFrom(Blob, 0, "", OS);
}

int listImageFiles(const std::string &Tool, const std::string &Image) {
  auto Object = llvm::object::ObjectFile::createObjectFile(Image);
  if (!Object) {
    printError(Tool, makeError("'" + Image +
                               "' is not an image: " + llvm::toString(Object.takeError())));
    return 1;
  }
  for (const auto &Section : Object->getBinary()->sections()) {
    auto Name = Section.getName();
    if (!Name || *Name != UK_TREE_SECTION || !Section.getSize())
      continue; // every image has the section; without a tree it is empty
    auto Contents = Section.getContents();
    if (!Contents) {
      printError(Tool, Contents.takeError());
      return 1;
    }
    llvm::ArrayRef<uint8_t> Blob(reinterpret_cast<const uint8_t *>(Contents->data()),
                                 Contents->size());
    if (auto E = validateTree(Blob)) {
      printError(Tool, makeError("'" + Image + "': " + llvm::toString(std::move(E))));
      return 1;
    }
    listTree(Blob, llvm::outs());
    return 0;
  }
  printError(Tool, makeError("'" + Image +
                             "' has no packed files (its manifest has no "
                             "'fs: { root: FOLDER }')"));
  return 1;
}

} // namespace ukcxx
