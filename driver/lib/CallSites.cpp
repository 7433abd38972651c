// CallSites: a syntax-only reparse of a compile job and a walk over its call graph,
// from a reference to a feature's function up to the program's own code.
#include "CallSites.h"

#include "clang/AST/ASTConsumer.h"
#include "clang/AST/ASTContext.h"
#include "clang/AST/Mangle.h"
#include "clang/AST/RecursiveASTVisitor.h"
#include "clang/Frontend/CompilerInstance.h"
#include "clang/Frontend/CompilerInvocation.h"
#include "clang/Frontend/FrontendAction.h"
#include "clang/Frontend/TextDiagnosticPrinter.h"
#include "clang/Tooling/Tooling.h"
#include "llvm/ADT/DenseMap.h"
#include "llvm/ADT/DenseSet.h"

#include <deque>
#include <set>
#include <tuple>

namespace ukcxx {
namespace {

/// Caller (null outside any function) refers to Callee at Loc.
struct Reference {
  const clang::FunctionDecl *Caller;
  const clang::FunctionDecl *Callee;
  clang::SourceLocation Loc;
};

/// Every reference to a function from code that can be emitted: the bodies of
/// ordinary functions and of template instantiations, not of templates themselves.
class ReferenceCollector : public clang::RecursiveASTVisitor<ReferenceCollector> {
  using Base = clang::RecursiveASTVisitor<ReferenceCollector>;

public:
  bool shouldVisitTemplateInstantiations() const { return true; }
  bool shouldVisitImplicitCode() const { return true; }

  bool TraverseDecl(clang::Decl *D) {
    auto *FD = llvm::dyn_cast_or_null<clang::FunctionDecl>(D);
    if (!FD)
      return Base::TraverseDecl(D);
    // A template's own body is never emitted; each instantiation is visited instead.
    if (FD->isDependentContext())
      return true;
    if (FD->doesThisDeclarationHaveABody())
      Bodies.push_back(FD->getCanonicalDecl());
    Stack.push_back(FD->getCanonicalDecl());
    bool Result = Base::TraverseDecl(D);
    Stack.pop_back();
    return Result;
  }
  bool VisitDeclRefExpr(clang::DeclRefExpr *E) {
    add(E->getDecl(), E->getBeginLoc());
    return true;
  }
  bool VisitMemberExpr(clang::MemberExpr *E) {
    add(E->getMemberDecl(), E->getMemberLoc());
    return true;
  }
  bool VisitCXXConstructExpr(clang::CXXConstructExpr *E) {
    add(E->getConstructor(), E->getLocation());
    return true;
  }

  std::vector<Reference> References;
  std::vector<const clang::FunctionDecl *> Bodies;

private:
  void add(const clang::Decl *D, clang::SourceLocation Loc) {
    if (const auto *FD = llvm::dyn_cast_or_null<clang::FunctionDecl>(D))
      References.push_back(
          {Stack.empty() ? nullptr : Stack.back(), FD->getCanonicalDecl(), Loc});
  }

  std::vector<const clang::FunctionDecl *> Stack;
};

/// True for a function whose definition is emitted whether or not anything in the
/// translation unit calls it: external non-inline ones, virtual ones (the vtable
/// refers to them), and those marked used or constructor.
bool isEmittedAlone(const clang::FunctionDecl *FD) {
  const auto *Def = FD->getDefinition();
  if (!Def)
    return false;
  if (Def->isMain() || Def->hasAttr<clang::UsedAttr>() ||
      Def->hasAttr<clang::ConstructorAttr>())
    return true;
  if (const auto *MD = llvm::dyn_cast<clang::CXXMethodDecl>(Def); MD && MD->isVirtual())
    return true;
  return Def->isExternallyVisible() && !Def->isInlined() &&
         !clang::isTemplateInstantiation(Def->getTemplateSpecializationKind());
}

/// True when the object will need Callee from elsewhere: declared, not defined here
/// (or only as a GNU inline wrapper), and not weak (a weak reference needs nothing).
bool isExternalReference(const clang::FunctionDecl *Callee) {
  const auto *Latest = Callee->getMostRecentDecl();
  if (Latest->hasAttr<clang::WeakAttr>() || Latest->hasAttr<clang::WeakRefAttr>() ||
      Latest->isWeakImported())
    return false;
  const clang::FunctionDecl *Def = nullptr;
  return !Callee->isDefined(Def) || Def->hasAttr<clang::GNUInlineAttr>();
}

/// The call graph of one translation unit, reduced to the code the compile emits.
class CallGraph {
public:
  CallGraph(const ReferenceCollector &Collected) : References(Collected.References) {
    for (const auto &R : References)
      Callers[R.Callee].push_back(&R);
    llvm::DenseSet<const clang::FunctionDecl *> HasBody(Collected.Bodies.begin(),
                                                        Collected.Bodies.end());
    std::deque<const clang::FunctionDecl *> Work;
    for (const auto *FD : Collected.Bodies)
      if (isEmittedAlone(FD) && Emitted.insert(FD).second)
        Work.push_back(FD);
    llvm::DenseMap<const clang::FunctionDecl *, std::vector<const Reference *>> Callees;
    for (const auto &R : References)
      if (R.Caller)
        Callees[R.Caller].push_back(&R);
      else if (HasBody.contains(R.Callee) && Emitted.insert(R.Callee).second)
        Work.push_back(R.Callee);
    // What emitted code refers to is emitted too (at -O0 it is at least referred to).
    while (!Work.empty()) {
      const auto *FD = Work.front();
      Work.pop_front();
      for (const auto *R : Callees[FD])
        if (HasBody.contains(R->Callee) && Emitted.insert(R->Callee).second)
          Work.push_back(R->Callee);
    }
  }

  bool isEmitted(const Reference &R) const { return !R.Caller || Emitted.contains(R.Caller); }

  /// The emitted references to FD.
  std::vector<const Reference *> callersOf(const clang::FunctionDecl *FD) const {
    std::vector<const Reference *> Result;
    auto It = Callers.find(FD);
    if (It != Callers.end())
      for (const auto *R : It->second)
        if (isEmitted(*R))
          Result.push_back(R);
    return Result;
  }

  const std::vector<Reference> &references() const { return References; }

private:
  const std::vector<Reference> &References;
  llvm::DenseMap<const clang::FunctionDecl *, std::vector<const Reference *>> Callers;
  llvm::DenseSet<const clang::FunctionDecl *> Emitted;
};

/// Turns the references to wanted symbols into the program's places that lead to them.
class SiteFinder {
public:
  SiteFinder(clang::ASTContext &Context, const CallGraph &Graph,
             llvm::function_ref<bool(llvm::StringRef)> Wanted)
      : SM(Context.getSourceManager()), Graph(Graph), Wanted(Wanted),
        Mangler(Context.createMangleContext()) {}

  SourceReferences find();

private:
  std::string symbolOf(const clang::FunctionDecl *FD);
  bool isProgram(clang::SourceLocation Loc) const {
    Loc = SM.getFileLoc(Loc);
    return Loc.isValid() && !SM.isInSystemHeader(Loc);
  }
  SourceLocation located(clang::SourceLocation Loc) const;
  void addSite(const Reference &Leading, const Reference &Wanted, const std::string &Symbol);
  void findMainFile(CallSite &Site, const clang::FunctionDecl *From) const;

  clang::SourceManager &SM;
  const CallGraph &Graph;
  llvm::function_ref<bool(llvm::StringRef)> Wanted;
  std::unique_ptr<clang::MangleContext> Mangler;
  llvm::DenseMap<const clang::FunctionDecl *, std::string> Symbols;
  std::vector<CallSite> Sites;
};

std::string SiteFinder::symbolOf(const clang::FunctionDecl *FD) {
  auto [It, New] = Symbols.try_emplace(FD);
  if (!New)
    return It->second;
  std::string Name;
  if (!Mangler->shouldMangleDeclName(FD)) {
    if (FD->getIdentifier())
      Name = FD->getName().str();
  } else {
    clang::GlobalDecl GD(FD);
    if (const auto *Ctor = llvm::dyn_cast<clang::CXXConstructorDecl>(FD))
      GD = clang::GlobalDecl(Ctor, clang::Ctor_Complete);
    else if (const auto *Dtor = llvm::dyn_cast<clang::CXXDestructorDecl>(FD))
      GD = clang::GlobalDecl(Dtor, clang::Dtor_Complete);
    llvm::raw_string_ostream OS(Name);
    Mangler->mangleName(GD, OS);
  }
  // An asm label ("\01name") names the symbol exactly.
  if (llvm::StringRef(Name).starts_with("\01"))
    Name.erase(0, 1);
  return Symbols[FD] = Name;
}

SourceLocation SiteFinder::located(clang::SourceLocation Loc) const {
  clang::PresumedLoc P = SM.getPresumedLoc(SM.getFileLoc(Loc));
  if (P.isInvalid())
    return {};
  return {P.getFilename(), P.getLine(), P.getColumn()};
}

/// Looks up from From for the first place in the main file that leads to it.
void SiteFinder::findMainFile(CallSite &Site, const clang::FunctionDecl *From) const {
  llvm::DenseSet<const clang::FunctionDecl *> Seen;
  std::deque<const clang::FunctionDecl *> Work = {From};
  while (!Work.empty()) {
    const auto *FD = Work.front();
    Work.pop_front();
    if (!FD || !Seen.insert(FD).second)
      continue;
    for (const auto *R : Graph.callersOf(FD)) {
      if (SM.isInMainFile(SM.getFileLoc(R->Loc))) {
        Site.MainFile = located(R->Loc);
        Site.Through = R->Callee->getQualifiedNameAsString();
        return;
      }
      Work.push_back(R->Caller);
    }
  }
}

void SiteFinder::addSite(const Reference &Leading, const Reference &Want,
                         const std::string &Symbol) {
  CallSite Site{Symbol, Want.Callee->getQualifiedNameAsString(), located(Leading.Loc), {}, {}};
  if (!SM.isInMainFile(SM.getFileLoc(Leading.Loc)))
    findMainFile(Site, Leading.Caller);
  Sites.push_back(std::move(Site));
}

SourceReferences SiteFinder::find() {
  std::set<std::string> External;
  for (const auto &R : Graph.references()) {
    if (!Graph.isEmitted(R) || !isExternalReference(R.Callee))
      continue;
    std::string Symbol = symbolOf(R.Callee);
    if (!Symbol.empty())
      External.insert(Symbol);
    if (Symbol.empty() || !Wanted(Symbol))
      continue;
    // Walk up from system headers (an instantiated template, an inline function)
    // to each place in the program's own code that leads here.
    llvm::DenseSet<const clang::FunctionDecl *> Seen;
    std::deque<const Reference *> Work = {&R};
    while (!Work.empty()) {
      const Reference *At = Work.front();
      Work.pop_front();
      if (isProgram(At->Loc)) {
        addSite(*At, R, Symbol);
        continue;
      }
      if (At->Caller && Seen.insert(At->Caller).second)
        for (const auto *Up : Graph.callersOf(At->Caller))
          Work.push_back(Up);
    }
  }
  sortCallSites(Sites);
  return {std::move(Sites), std::vector<std::string>(External.begin(), External.end())};
}

/// Analyses the translation unit once clang has parsed all of it: instantiations
/// are only complete at its end.
class CallSiteConsumer : public clang::ASTConsumer {
public:
  CallSiteConsumer(llvm::function_ref<bool(llvm::StringRef)> Wanted, SourceReferences &Result)
      : Wanted(Wanted), Result(Result) {}

  void HandleTranslationUnit(clang::ASTContext &Context) override {
    ReferenceCollector Collector;
    Collector.TraverseAST(Context);
    CallGraph Graph(Collector);
    Result = SiteFinder(Context, Graph, Wanted).find();
  }

private:
  llvm::function_ref<bool(llvm::StringRef)> Wanted;
  SourceReferences &Result;
};

/// A syntax-only frontend action whose consumer is the analysis.
class CallSiteAction : public clang::ASTFrontendAction {
public:
  CallSiteAction(llvm::function_ref<bool(llvm::StringRef)> Wanted, SourceReferences &Result)
      : Wanted(Wanted), Result(Result) {}

  std::unique_ptr<clang::ASTConsumer> CreateASTConsumer(clang::CompilerInstance &,
                                                        llvm::StringRef) override {
    return std::make_unique<CallSiteConsumer>(Wanted, Result);
  }

private:
  llvm::function_ref<bool(llvm::StringRef)> Wanted;
  SourceReferences &Result;
};

/// libTooling's way to run an action on a ready CompilerInvocation.
class CallSiteFactory : public clang::tooling::FrontendActionFactory {
public:
  CallSiteFactory(llvm::function_ref<bool(llvm::StringRef)> Wanted, SourceReferences &Result)
      : Wanted(Wanted), Result(Result) {}

  std::unique_ptr<clang::FrontendAction> create() override {
    return std::make_unique<CallSiteAction>(Wanted, Result);
  }

private:
  llvm::function_ref<bool(llvm::StringRef)> Wanted;
  SourceReferences &Result;
};

} // namespace

llvm::Expected<SourceReferences>
findCallSites(llvm::ArrayRef<const char *> Cc1Args, ParseMode Mode,
              llvm::function_ref<bool(llvm::StringRef Symbol)> Wanted) {
  clang::IgnoringDiagConsumer Silent;
  auto Diags = clang::CompilerInstance::createDiagnostics(new clang::DiagnosticOptions, &Silent,
                                                          /*ShouldOwnClient=*/false);
  auto Invocation = std::make_shared<clang::CompilerInvocation>();
  if (!clang::CompilerInvocation::CreateFromArgs(*Invocation, Cc1Args, *Diags, UKCXX_CLANG))
    return makeError("cannot reparse the compile job's arguments");
  auto &Frontend = Invocation->getFrontendOpts();
  Frontend.ProgramAction = clang::frontend::ParseSyntaxOnly;
  Frontend.OutputFile.clear();
  Frontend.TimeTracePath.clear();
  Frontend.DisableFree = false; // the process goes on after this parse
  Invocation->getDependencyOutputOpts() = clang::DependencyOutputOptions();
  if (Frontend.Inputs.size() != 1 || !Frontend.Inputs.front().isFile())
    return makeError("the compile job has no source file to reparse");
  std::string Source = Frontend.Inputs.front().getFile().str();
  // The compile already consumed standard input: there is nothing left to read.
  if (Source == "-" && Mode == ParseMode::Reparse)
    return makeError("a source read from standard input cannot be reparsed");

  // After a compile, every diagnostic was printed already: the reparse stays silent.
  // A first parse prints them as the compile would (its -w, -Werror, colours).
  clang::TextDiagnosticPrinter Printer(llvm::errs(), &Invocation->getDiagnosticOpts());
  clang::DiagnosticConsumer *Client = &Silent;
  if (Mode == ParseMode::FirstParse)
    Client = &Printer;

  SourceReferences Result;
  CallSiteFactory Factory(Wanted, Result);
  auto Files = llvm::makeIntrusiveRefCnt<clang::FileManager>(clang::FileSystemOptions(),
                                                             llvm::vfs::getRealFileSystem());
  if (!Factory.runInvocation(Invocation, Files.get(),
                             std::make_shared<clang::PCHContainerOperations>(), Client))
    return makeError("cannot parse '" + Source + "'");
  return Result;
}

void sortCallSites(std::vector<CallSite> &Sites) {
  auto Key = [](const CallSite &S) {
    return std::tie(S.Location.File, S.Location.Line, S.Location.Column, S.Symbol);
  };
  llvm::sort(Sites, [&](const CallSite &A, const CallSite &B) { return Key(A) < Key(B); });
  Sites.erase(
      std::unique(Sites.begin(), Sites.end(),
                  [&](const CallSite &A, const CallSite &B) { return Key(A) == Key(B); }),
      Sites.end());
}

} // namespace ukcxx
