// Containers, algorithms, smart pointers, std::function.
// REQUIRES: qemu
// RUN: %compare %s
#include <algorithm>
#include <deque>
#include <functional>
#include <iostream>
#include <list>
#include <map>
#include <memory>
#include <numeric>
#include <set>
#include <string>
#include <unordered_map>
#include <vector>

int main() {
  std::vector<int> v(1000);
  std::iota(v.begin(), v.end(), -500);
  std::sort(v.begin(), v.end(), [](int a, int b) { return (a * 37 % 101) < (b * 37 % 101); });
  std::stable_sort(v.begin(), v.end(), [](int a, int b) { return std::abs(a) < std::abs(b); });
  std::cout << "sum " << std::accumulate(v.begin(), v.end(), 0L) << " first " << v[0] << ' '
            << v[1] << ' ' << v[2] << " last " << v.back() << '\n';
  std::map<std::string, int> m{{"b", 2}, {"a", 1}, {"c", 3}};
  for (auto &[k, val] : m)
    std::cout << k << '=' << val << ' ';
  std::unordered_map<int, std::string> u;
  for (int i = 0; i < 10000; ++i)
    u[i * 7919 % 10007] = std::to_string(i);
  std::cout << "\nunordered " << u.size() << ' ' << u[7919] << ' ' << u.count(5) << '\n';
  std::set<double> s{3.5, 1.25, 2.0};
  std::list<char> l{'x', 'y'};
  l.push_front('w');
  std::deque<int> d;
  for (int i = 0; i < 100; ++i)
    i % 2 ? d.push_back(i) : d.push_front(i);
  std::cout << *s.begin() << ' ' << *s.rbegin() << ' ' << std::string(l.begin(), l.end()) << ' '
            << d.front() << ' ' << d.back() << '\n';
  auto shared = std::make_shared<std::vector<int>>(3, 7);
  std::weak_ptr<std::vector<int>> weak = shared;
  std::unique_ptr<int[]> arr(new int[16]());
  std::function<int(int)> fib = [&](int n) { return n < 2 ? n : fib(n - 1) + fib(n - 2); };
  std::cout << shared.use_count() << ' ' << weak.lock()->at(2) << ' ' << arr[15] << ' '
            << fib(20) << '\n';
  std::vector<std::string> words{"pear", "apple", "fig", "banana"};
  std::sort(words.begin(), words.end());
  auto it = std::lower_bound(words.begin(), words.end(), "b");
  std::cout << *it << ' '
            << std::count_if(words.begin(), words.end(), [](auto &w) { return w.size() > 3; })
            << '\n';
  return 0;
}
