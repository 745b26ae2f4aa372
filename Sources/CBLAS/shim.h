// The C interfaces the kernels use: CBLAS from OpenBLAS, and glibc's
// allocator tuning (mallopt).
#include <cblas.h>
#include <malloc.h>
