#include <iostream>
int main(int argc, char **argv) { std::cout << "hello " << argc << "\n"; return 0; }
