// YAMLUtil: located errors for yaml-cpp nodes.
#include "YAMLUtil.h"

#include "llvm/Support/MemoryBuffer.h"

#include <set>

namespace ukcxx {

llvm::Expected<YAML::Node> YAMLReader::parse(const std::string &Text) const {
  try {
    return YAML::Load(Text);
  } catch (const YAML::Exception &E) {
    SourceLocation Loc{File, unsigned(E.mark.line + 1), unsigned(E.mark.column + 1)};
    if (E.mark.is_null())
      Loc.Line = Loc.Column = 0;
    return makeError(Loc, "invalid YAML: " + E.msg);
  }
}

SourceLocation YAMLReader::at(const YAML::Node &Node) const {
  if (!Node.IsDefined())
    return {File, 0, 0};
  auto Mark = Node.Mark();
  if (Mark.is_null())
    return {File, 0, 0};
  return {File, unsigned(Mark.line + 1), unsigned(Mark.column + 1)};
}

llvm::Error YAMLReader::error(const YAML::Node &Node, const llvm::Twine &Message,
                              std::vector<std::string> Notes) const {
  return makeError(at(Node), Message, std::move(Notes));
}

llvm::Error YAMLReader::checkKeys(const YAML::Node &Node, llvm::StringRef What,
                                  const std::vector<std::string> &Keys) const {
  if (!Node.IsDefined() || !Node.IsMap())
    return error(Node, What + " must be a map of keys to values");
  std::set<std::string> Seen;
  for (const auto &Entry : Node) {
    if (!Entry.first.IsScalar())
      return error(Entry.first, "keys in " + What + " must be plain names");
    auto Key = Entry.first.Scalar();
    if (std::find(Keys.begin(), Keys.end(), Key) == Keys.end())
      return error(Entry.first, "unknown key '" + Key + "' in " + What + suggest(Key, Keys));
    if (!Seen.insert(Key).second)
      return error(Entry.first, "duplicate key '" + Key + "' in " + What);
  }
  return llvm::Error::success();
}

llvm::Expected<std::string> YAMLReader::scalar(const YAML::Node &Node,
                                               llvm::StringRef What) const {
  if (!Node.IsDefined())
    return makeError(SourceLocation{File, 0, 0}, What + " is missing");
  if (!Node.IsScalar())
    return error(Node, What + " must be a single value, not a list or map");
  return Node.Scalar();
}

llvm::Expected<std::vector<std::string>> YAMLReader::scalars(const YAML::Node &Node,
                                                             llvm::StringRef What) const {
  if (!Node.IsDefined() || Node.IsNull())
    return std::vector<std::string>{};
  if (!Node.IsSequence())
    return error(Node, What + " must be a list");
  std::vector<std::string> Out;
  for (const auto &Item : Node) {
    auto S = scalar(Item, ("each entry of " + What).str());
    if (!S)
      return S.takeError();
    Out.push_back(*S);
  }
  return Out;
}

llvm::Expected<std::string> readTextFile(llvm::StringRef Path) {
  auto Buffer = llvm::MemoryBuffer::getFile(Path, /*IsText=*/true);
  if (!Buffer)
    return makeError("cannot read '" + Path + "': " + Buffer.getError().message());
  return (*Buffer)->getBuffer().str();
}

} // namespace ukcxx
