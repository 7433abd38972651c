// Exceptions through several frames, rethrow, nesting, exception_ptr, RTTI.
// REQUIRES: qemu
// RUN: %compare %s
#include <exception>
#include <iostream>
#include <stdexcept>
#include <string>
#include <typeinfo>

struct Base {
  virtual ~Base() = default;
  virtual const char *who() const { return "base"; }
};
struct Derived : Base {
  const char *who() const override { return "derived"; }
};
struct MyError : std::runtime_error {
  int code;
  MyError(int c) : std::runtime_error("my error " + std::to_string(c)), code(c) {}
};
struct Guard {
  const char *name;
  ~Guard() { std::cout << "unwound " << name << '\n'; }
};

[[gnu::noinline]] void level3(int x) {
  Guard g{"level3"};
  if (x > 2)
    throw MyError(x);
}
[[gnu::noinline]] void level2(int x) {
  Guard g{"level2"};
  level3(x + 1);
}
[[gnu::noinline]] void level1(int x) {
  try {
    level2(x + 1);
  } catch (const MyError &e) {
    std::cout << "level1 saw " << e.code << ", rethrowing\n";
    throw;
  }
}

int main() {
  try {
    level1(1);
  } catch (const std::exception &e) {
    std::cout << "main caught " << e.what() << " type " << typeid(e).name() << '\n';
  }
  try {
    try {
      throw std::out_of_range("inner");
    } catch (...) {
      std::throw_with_nested(std::logic_error("outer"));
    }
  } catch (const std::exception &e) {
    std::cout << "outer: " << e.what() << '\n';
    try {
      std::rethrow_if_nested(e);
    } catch (const std::exception &inner) {
      std::cout << "nested: " << inner.what() << '\n';
    }
  }
  std::exception_ptr p;
  try {
    throw 42;
  } catch (...) {
    p = std::current_exception();
  }
  try {
    std::rethrow_exception(p);
  } catch (int v) {
    std::cout << "exception_ptr carried " << v << '\n';
  }
  Base *b = new Derived;
  std::cout << b->who() << ' ' << (dynamic_cast<Derived *>(b) != nullptr) << ' '
            << (typeid(*b) == typeid(Derived)) << '\n';
  delete b;
  try {
    std::string("abc").at(10);
  } catch (const std::out_of_range &e) {
    std::cout << "at: out_of_range\n";
  }
  return 3;
}
