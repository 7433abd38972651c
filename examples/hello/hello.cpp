// hello: iostream, an exception through several frames, and argv, in a unikernel.
#include <iostream>
#include <stdexcept>
#include <string>
#include <vector>

static void check(const std::string &word, int depth) {
  if (depth == 0)
    throw std::runtime_error("no more depth for '" + word + "'");
  check(word, depth - 1);
}

int main(int argc, char **argv) {
  std::vector<std::string> args(argv + 1, argv + argc);
  std::cout << "Hello from a ukc++ unikernel!\n";
  std::cout << "argv:";
  for (const auto &a : args)
    std::cout << ' ' << a;
  std::cout << '\n';
  try {
    check(args.empty() ? "nothing" : args.front(), 3);
  } catch (const std::exception &e) {
    std::cout << "caught: " << e.what() << '\n';
  }
  return 0;
}
