#ifndef GLIMPSE_PACKED_GEMM_H
#define GLIMPSE_PACKED_GEMM_H

#include <stddef.h>

/// The kernels for packed weights, by instruction set.
enum packed_gemm_kernel {
    PACKED_GEMM_AVX512 = 0,
    PACKED_GEMM_AVX2 = 1,
};

/// Whether this CPU (and its operating system) can run `kernel`.
int packed_gemm_supports(enum packed_gemm_kernel kernel);

/// Columns per panel of a matrix packed for `kernel`.
int packed_gemm_panel_width(enum packed_gemm_kernel kernel);

/// Floats needed to hold a weight matrix W [n, k] packed for `kernel`.
size_t packed_gemm_packed_count(enum packed_gemm_kernel kernel, int n, int k);

/// Packs W [n, k] (row-major, PyTorch's [out, in] layout) into panels of
/// `packed_gemm_panel_width(kernel)` output columns: panel q holds, for each
/// p in 0..<k, the weights W[q·width + j, p] for j in 0..<width, zero past n.
void packed_gemm_pack(enum packed_gemm_kernel kernel, const float *w, int n, int k, float *packed);

/// C[m × columns] (+)= A[m × k] · Wᵀ for the columns of panels
/// first_panel..<end_panel, W packed for `kernel`, which the CPU must
/// support. A and C are row-major with leading dimensions lda and ldc; with
/// `accumulate` the product is added to C, else C is overwritten.
void packed_gemm_multiply(enum packed_gemm_kernel kernel, int m, int n, int k, const float *a, int lda,
                          const float *packed, float *c, int ldc, int accumulate, int first_panel, int end_panel);

#endif
