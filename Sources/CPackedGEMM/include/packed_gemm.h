#ifndef GLIMPSE_PACKED_GEMM_H
#define GLIMPSE_PACKED_GEMM_H

#include <stddef.h>

/// Columns per panel of a packed weight matrix, or 0 when this CPU has no
/// kernel for packed weights (the caller then multiplies through BLAS).
int packed_gemm_panel_width(void);

/// Floats needed to hold a weight matrix W [n, k] packed.
size_t packed_gemm_packed_count(int n, int k);

/// Packs W [n, k] (row-major, PyTorch's [out, in] layout) into panels of
/// `packed_gemm_panel_width()` output columns: panel q holds, for each p in
/// 0..<k, the weights W[q·width + j, p] for j in 0..<width, zero past n.
void packed_gemm_pack(const float *w, int n, int k, float *packed);

/// C[m × columns] (+)= A[m × k] · Wᵀ for the columns of panels
/// first_panel..<end_panel, W packed by `packed_gemm_pack`. A and C are
/// row-major with leading dimensions lda and ldc; with `accumulate` the
/// product is added to C, else C is overwritten.
void packed_gemm_multiply(int m, int n, int k, const float *a, int lda, const float *packed,
                          float *c, int ldc, int accumulate, int first_panel, int end_panel);

#endif
