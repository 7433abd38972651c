// hello.cpp: iostream hello (image size, boot time).
#include <iostream>
int main() {
  std::cout << "hello" << std::endl;
  return 0;
}
