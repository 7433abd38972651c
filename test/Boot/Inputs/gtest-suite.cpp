// A GoogleTest suite as a project's CI would build it (Debian's libgtest.a).
#include <gtest/gtest.h>

#include <stdexcept>
#include <thread>

TEST(Math, Adds) { EXPECT_EQ(2 + 2, 4); }
TEST(Math, FailsOnPurpose) { EXPECT_EQ(2 + 2, 5) << "a deliberate failure"; }
TEST(Errors, Throws) { EXPECT_THROW(throw std::runtime_error("x"), std::runtime_error); }
TEST(Threads, Join) {
  int value = 0;
  std::thread t([&] { value = 7; });
  t.join();
  EXPECT_EQ(value, 7);
}

class Even : public ::testing::TestWithParam<int> {};
TEST_P(Even, IsEven) { EXPECT_EQ(GetParam() % 2, 0); }
INSTANTIATE_TEST_SUITE_P(Numbers, Even, ::testing::Values(2, 4, 6));
