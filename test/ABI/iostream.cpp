// iostream formatting and strings.
// REQUIRES: qemu
// RUN: %compare %s
#include <iomanip>
#include <iostream>
#include <sstream>
#include <string>

int main() {
  std::cout << "ints " << 42 << ' ' << -7 << ' ' << std::hex << 255 << std::dec << ' '
            << std::setw(6) << std::setfill('*') << 12 << '\n';
  std::cout << std::setfill(' ') << "floats " << 3.14159 << ' ' << std::setprecision(12)
            << 1.0 / 3 << ' ' << std::fixed << std::setprecision(3) << 2.0 / 3 << ' '
            << std::scientific << 12345.678 << '\n'
            << std::defaultfloat;
  std::string s = "Hello, unikernel";
  s += "!";
  std::cout << s << " size " << s.size() << " find " << s.find("uni") << " substr "
            << s.substr(7, 3) << '\n';
  std::ostringstream os;
  os << "built " << 1 << '+' << 2.5;
  std::istringstream is("10 20 thirty");
  int a, b;
  std::string c;
  is >> a >> b >> c;
  std::cout << os.str() << " | " << a + b << ' ' << c << '\n';
  std::cout << std::boolalpha << true << ' ' << std::noboolalpha << false << std::endl;
  std::cerr << "to stderr\n";
  return 0;
}
