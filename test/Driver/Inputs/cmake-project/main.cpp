#include <cmath>
#include <iostream>
extern "C" int twice(int);
int main(int argc, char **) {
  std::cout << "twice " << twice(argc) << " sqrt " << std::sqrt(2.0) << "\n";
  return 0;
}
