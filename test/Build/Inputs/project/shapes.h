// shapes.h: the example library.
#pragma once
#ifdef __cplusplus
extern "C" {
#endif
double shape_area(const char *kind, double size); // negative size: -1
#ifdef __cplusplus
}
#endif
