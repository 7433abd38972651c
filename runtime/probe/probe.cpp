// probe.cpp: "an ordinary program", which ukrun times under each QEMU accelerator to
// choose the faster one on machines where that is not obvious (software KVM). It
// formats text, sorts, fills containers, allocates and makes system calls: a few
// milliseconds of work natively, as a small tool or test would.
#include <algorithm>
#include <fcntl.h>
#include <map>
#include <random>
#include <sstream>
#include <string>
#include <unistd.h>
#include <vector>

int main() {
  std::mt19937 gen(42);
  std::vector<int> numbers(200000);
  for (int &n : numbers)
    n = int(gen());
  std::sort(numbers.begin(), numbers.end());
  std::map<std::string, int> words;
  std::ostringstream text;
  for (int i = 0; i < 20000; ++i) {
    text << "word" << i % 997 << ' ' << i * 0.5 << '\n';
    ++words["w" + std::to_string(i % 1500)];
  }
  std::vector<std::vector<char>> blocks;
  for (int i = 0; i < 200; ++i)
    blocks.emplace_back(size_t(4096) << (i % 6));
  int null = open("/dev/null", O_WRONLY);
  std::string out = text.str();
  for (size_t at = 0; at < out.size(); at += 4096)
    if (write(null, out.data() + at, std::min<size_t>(4096, out.size() - at)) < 0)
      return 1;
  return numbers[100] < numbers[99] || words.size() != 1500;
}
