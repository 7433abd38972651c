// More of the C and C++ libraries: regex, wide characters, sorting and searching,
// getopt, time formatting in UTC, rand, strtol, locale-independent formatting.
// REQUIRES: qemu
// RUN: %compare %s -- -v --name=unikernel -n 3 extra
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <ctime>
#include <cwchar>
#include <getopt.h>
#include <iostream>
#include <map>
#include <regex>
#include <sstream>
#include <string>

static int by_value(const void *a, const void *b) {
  return *static_cast<const int *>(a) - *static_cast<const int *>(b);
}

int main(int argc, char **argv) {
  static option longs[] = {{"name", required_argument, nullptr, 'N'}, {nullptr, 0, nullptr, 0}};
  int opt, verbose = 0, n = 0;
  std::string name;
  while ((opt = getopt_long(argc, argv, "vn:", longs, nullptr)) != -1)
    if (opt == 'v') verbose = 1;
    else if (opt == 'n') n = atoi(optarg);
    else if (opt == 'N') name = optarg;
  printf("getopt: verbose %d n %d name %s rest %s\n", verbose, n, name.c_str(),
         optind < argc ? argv[optind] : "-");

  std::regex date(R"((\d{4})-(\d{2})-(\d{2}))");
  std::string text = "released 2024-03-15, patched 2025-01-02";
  for (std::sregex_iterator it(text.begin(), text.end(), date), end; it != end; ++it)
    std::cout << "regex: year " << (*it)[1] << " month " << (*it)[2] << '\n';
  std::cout << std::regex_replace(text, date, "$3/$2/$1") << '\n';

  wchar_t wide[64];
  swprintf(wide, 64, L"wide %ls %d", L"chars", 42);
  printf("%ls (%zu)\n", wide, wcslen(wide));

  int values[] = {42, -7, 19, 3, 100, 0};
  qsort(values, 6, sizeof(int), by_value);
  int key = 19;
  int *found = static_cast<int *>(bsearch(&key, values, 6, sizeof(int), by_value));
  printf("qsort: %d %d %d .. %d; bsearch 19 at %ld\n", values[0], values[1], values[2],
         values[5], found ? long(found - values) : -1L);

  srand(12345);
  int r1 = rand(), r2 = rand();
  printf("rand: %d %d\n", r1, r2);
  char *end;
  printf("strtol: %ld %ld %lu\n", strtol("-0x1f", &end, 16), strtol("0777", &end, 0),
         strtoul("18446744073709551615", &end, 10));

  time_t fixed = 1700000000;
  char buf[64];
  strftime(buf, sizeof buf, "%Y-%m-%d %H:%M:%S %A %j", gmtime(&fixed));
  printf("strftime: %s\n", buf);

  std::map<std::string, int> counts;
  std::istringstream words("the quick brown fox jumps over the lazy dog the end");
  for (std::string w; words >> w;)
    ++counts[w];
  for (auto &[w, c] : counts)
    if (c > 1)
      std::cout << w << " x" << c << '\n';
  return n;
}
