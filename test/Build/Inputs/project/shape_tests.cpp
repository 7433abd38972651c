// shape_tests.cpp: the library's GoogleTest suite.
#include "shapes.h"
#include <gtest/gtest.h>

TEST(Shapes, Square) { EXPECT_DOUBLE_EQ(shape_area("square", 3), 9); }
TEST(Shapes, Circle) { EXPECT_NEAR(shape_area("circle", 1), 3.14159, 1e-5); }
TEST(Shapes, NegativeSize) { EXPECT_EQ(shape_area("square", -2), -1); }
TEST(Shapes, UnknownKind) { EXPECT_EQ(shape_area("hexagon", 1), -1); }
