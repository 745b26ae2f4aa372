// The C interfaces the kernels use: CBLAS and LAPACK from OpenBLAS, and glibc's
// allocator tuning (mallopt).
#include <cblas.h>
#include <malloc.h>

// LAPACK's single-precision SVD, which OpenBLAS exports (Fortran calling
// convention: every argument by pointer, column-major storage).
void sgesvd_(const char *jobu, const char *jobvt, const int *m, const int *n, float *a, const int *lda, float *s,
             float *u, const int *ldu, float *vt, const int *ldvt, float *work, const int *lwork, int *info);
