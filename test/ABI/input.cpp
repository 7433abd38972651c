// Standard input: lines, formatted reads, binary data in odd-sized reads, all 256 byte
// values, the end of input and reads after it.
// REQUIRES: qemu
// RUN: %python -c "import sys; sys.stdout.buffer.write(b'first line\nsecond\tline\n\n' \
// RUN:   b'40 2\n' + bytes(range(256)) * 40 + b'tail')" > %t.in
// RUN: %compare --stdin %t.in %s
#include <cstdint>
#include <cstdio>
#include <iostream>
#include <string>
#include <unistd.h>

int main() {
  std::string line;
  for (int i = 0; i < 3 && std::getline(std::cin, line); ++i)
    std::cout << "line " << i << ": '" << line << "'\n";
  int a = 0, b = 0;
  std::cin >> a >> b;
  std::cout << "sum " << a + b << "\n";
  std::cin.get(); // the newline after the numbers

  // The rest through stdio in odd sizes: a hash of the bytes and how many there were.
  uint64_t hash = 14695981039346656037ull, total = 0, counts[256] = {};
  static char buf[5000];
  const size_t sizes[] = {1, 7, 4097, 300, 5000};
  for (int i = 0;; ++i) {
    size_t n = fread(buf, 1, sizes[i % 5], stdin);
    for (size_t j = 0; j < n; ++j) {
      hash = (hash ^ uint8_t(buf[j])) * 1099511628211ull;
      ++counts[uint8_t(buf[j])];
    }
    total += n;
    if (n < sizes[i % 5])
      break;
  }
  std::cout << "bytes " << total << " hash " << std::hex << hash << std::dec << "\n";
  std::cout << "0x00 x" << counts[0] << ", 0xff x" << counts[255] << "\n";
  std::cout << "eof " << feof(stdin) << " error " << ferror(stdin) << "\n";
  // The end of input stays the end: read(2) keeps returning 0.
  std::cout << "read after end " << read(0, buf, 10) << " " << read(0, buf, 1) << "\n";
  return 0;
}
