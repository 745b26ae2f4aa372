// Linear layers on weights packed once, for inference (see PackedWeights in
// the Kernels module for why): the weights in panels laid out in the order
// the inner loop reads them, the activations read in place.
//
// Each kernel multiplies a block of up to MAX_ROWS rows by one panel over
// the whole depth k, its accumulators in registers: per step, the panel's
// vectors are loaded once and each row's value is broadcast against them.
#include "packed_gemm.h"

#if defined(__x86_64__)
#include <immintrin.h>

// AVX-512: panels of 32 columns (two vectors), up to 12 rows (24
// accumulators of the 32 registers).
#define WIDE_PANEL 32
#define WIDE_ROWS 12

#define DEFINE_WIDE_BLOCK(MR)                                                                         \
    __attribute__((target("avx512f,fma"))) static void wide##MR(                                      \
        int k, const float *a, int lda, const float *panel, float *c, int ldc, int accumulate, int width) { \
        __mmask16 low = width >= 16 ? 0xFFFF : (__mmask16)((1u << width) - 1);                         \
        __mmask16 high = width >= 32 ? 0xFFFF : width > 16 ? (__mmask16)((1u << (width - 16)) - 1) : 0; \
        __m512 left[MR], right[MR];                                                                   \
        _Pragma("clang loop unroll(full)") for (int r = 0; r < MR; r++) {                              \
            left[r] = _mm512_setzero_ps();                                                            \
            right[r] = _mm512_setzero_ps();                                                           \
        }                                                                                             \
        for (int p = 0; p < k; p++) {                                                                 \
            __m512 b0 = _mm512_loadu_ps(panel + p * WIDE_PANEL);                                      \
            __m512 b1 = _mm512_loadu_ps(panel + p * WIDE_PANEL + 16);                                 \
            _Pragma("clang loop unroll(full)") for (int r = 0; r < MR; r++) {                          \
                __m512 value = _mm512_set1_ps(a[r * lda + p]);                                        \
                left[r] = _mm512_fmadd_ps(value, b0, left[r]);                                        \
                right[r] = _mm512_fmadd_ps(value, b1, right[r]);                                      \
            }                                                                                         \
        }                                                                                             \
        _Pragma("clang loop unroll(full)") for (int r = 0; r < MR; r++) {                              \
            float *row = c + r * ldc;                                                                 \
            if (accumulate) {                                                                         \
                left[r] = _mm512_add_ps(left[r], _mm512_maskz_loadu_ps(low, row));                    \
                right[r] = _mm512_add_ps(right[r], _mm512_maskz_loadu_ps(high, row + 16));            \
            }                                                                                         \
            _mm512_mask_storeu_ps(row, low, left[r]);                                                 \
            _mm512_mask_storeu_ps(row + 16, high, right[r]);                                          \
        }                                                                                             \
    }

// AVX2: panels of 16 columns (two vectors), up to 6 rows (12 accumulators
// of the 16 registers).
#define NARROW_PANEL 16
#define NARROW_ROWS 6

// Lanes of a 16-column panel kept when `width` columns are real.
__attribute__((target("avx2"))) static inline __m256i narrow_mask(int width, int offset) {
    __m256i lanes = _mm256_setr_epi32(0, 1, 2, 3, 4, 5, 6, 7);
    return _mm256_cmpgt_epi32(_mm256_set1_epi32(width - offset), lanes);
}

#define DEFINE_NARROW_BLOCK(MR)                                                                       \
    __attribute__((target("avx2,fma"))) static void narrow##MR(                                       \
        int k, const float *a, int lda, const float *panel, float *c, int ldc, int accumulate, int width) { \
        __m256i low = narrow_mask(width, 0), high = narrow_mask(width, 8);                            \
        __m256 left[MR], right[MR];                                                                   \
        _Pragma("clang loop unroll(full)") for (int r = 0; r < MR; r++) {                              \
            left[r] = _mm256_setzero_ps();                                                            \
            right[r] = _mm256_setzero_ps();                                                           \
        }                                                                                             \
        for (int p = 0; p < k; p++) {                                                                 \
            __m256 b0 = _mm256_loadu_ps(panel + p * NARROW_PANEL);                                    \
            __m256 b1 = _mm256_loadu_ps(panel + p * NARROW_PANEL + 8);                                \
            _Pragma("clang loop unroll(full)") for (int r = 0; r < MR; r++) {                          \
                __m256 value = _mm256_broadcast_ss(a + r * lda + p);                                  \
                left[r] = _mm256_fmadd_ps(value, b0, left[r]);                                        \
                right[r] = _mm256_fmadd_ps(value, b1, right[r]);                                      \
            }                                                                                         \
        }                                                                                             \
        _Pragma("clang loop unroll(full)") for (int r = 0; r < MR; r++) {                              \
            float *row = c + r * ldc;                                                                 \
            if (accumulate) {                                                                         \
                left[r] = _mm256_add_ps(left[r], _mm256_maskload_ps(row, low));                       \
                right[r] = _mm256_add_ps(right[r], _mm256_maskload_ps(row + 8, high));                \
            }                                                                                         \
            _mm256_maskstore_ps(row, low, left[r]);                                                   \
            _mm256_maskstore_ps(row + 8, high, right[r]);                                             \
        }                                                                                             \
    }

DEFINE_WIDE_BLOCK(1)
DEFINE_WIDE_BLOCK(2)
DEFINE_WIDE_BLOCK(3)
DEFINE_WIDE_BLOCK(4)
DEFINE_WIDE_BLOCK(5)
DEFINE_WIDE_BLOCK(6)
DEFINE_WIDE_BLOCK(7)
DEFINE_WIDE_BLOCK(8)
DEFINE_WIDE_BLOCK(9)
DEFINE_WIDE_BLOCK(10)
DEFINE_WIDE_BLOCK(11)
DEFINE_WIDE_BLOCK(12)
DEFINE_NARROW_BLOCK(1)
DEFINE_NARROW_BLOCK(2)
DEFINE_NARROW_BLOCK(3)
DEFINE_NARROW_BLOCK(4)
DEFINE_NARROW_BLOCK(5)
DEFINE_NARROW_BLOCK(6)

typedef void (*block_kernel)(int, const float *, int, const float *, float *, int, int, int);

// Indexed by rows per block.
static const block_kernel wide_blocks[WIDE_ROWS + 1] = {
    0, wide1, wide2, wide3, wide4, wide5, wide6, wide7, wide8, wide9, wide10, wide11, wide12,
};
static const block_kernel narrow_blocks[NARROW_ROWS + 1] = {
    0, narrow1, narrow2, narrow3, narrow4, narrow5, narrow6,
};

int packed_gemm_supports(enum packed_gemm_kernel kernel) {
    __builtin_cpu_init();
    switch (kernel) {
    case PACKED_GEMM_AVX512: return __builtin_cpu_supports("avx512f") && __builtin_cpu_supports("fma");
    case PACKED_GEMM_AVX2: return __builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma");
    }
    return 0;
}

int packed_gemm_panel_width(enum packed_gemm_kernel kernel) {
    return kernel == PACKED_GEMM_AVX512 ? WIDE_PANEL : NARROW_PANEL;
}

size_t packed_gemm_packed_count(enum packed_gemm_kernel kernel, int n, int k) {
    size_t width = (size_t)packed_gemm_panel_width(kernel);
    return ((size_t)n + width - 1) / width * width * (size_t)k;
}

void packed_gemm_pack(enum packed_gemm_kernel kernel, const float *w, int n, int k, float *packed) {
    int width = packed_gemm_panel_width(kernel);
    int panels = (n + width - 1) / width;
    for (int q = 0; q < panels; q++) {
        float *panel = packed + (size_t)q * k * width;
        for (int p = 0; p < k; p++) {
            for (int j = 0; j < width; j++) {
                int column = q * width + j;
                panel[(size_t)p * width + j] = column < n ? w[(size_t)column * k + p] : 0;
            }
        }
    }
}

void packed_gemm_multiply(enum packed_gemm_kernel kernel, int m, int n, int k, const float *a, int lda,
                          const float *packed, float *c, int ldc, int accumulate, int first_panel, int end_panel) {
    int wide = kernel == PACKED_GEMM_AVX512;
    int width = wide ? WIDE_PANEL : NARROW_PANEL;
    int most_rows = wide ? WIDE_ROWS : NARROW_ROWS;
    const block_kernel *blocks = wide ? wide_blocks : narrow_blocks;
    // Rows shared out evenly over the fewest blocks: a short block's few
    // accumulator chains would leave the FMA units waiting on latency.
    int block_count = (m + most_rows - 1) / most_rows;
    for (int q = first_panel; q < end_panel; q++) {
        const float *panel = packed + (size_t)q * k * width;
        int column = q * width;
        int columns = n - column < width ? n - column : width;
        for (int b = 0, row = 0; b < block_count; b++) {
            int next = (int)((long)m * (b + 1) / block_count);
            blocks[next - row](k, a + (size_t)row * lda, lda, panel, c + (size_t)row * ldc + column, ldc, accumulate,
                               columns);
            row = next;
        }
    }
}

#else

int packed_gemm_supports(enum packed_gemm_kernel kernel) { (void)kernel; return 0; }
int packed_gemm_panel_width(enum packed_gemm_kernel kernel) { (void)kernel; return 1; }
size_t packed_gemm_packed_count(enum packed_gemm_kernel kernel, int n, int k) { (void)kernel; (void)n; (void)k; return 0; }
void packed_gemm_pack(enum packed_gemm_kernel kernel, const float *w, int n, int k, float *packed) {
    (void)kernel; (void)w; (void)n; (void)k; (void)packed;
}
void packed_gemm_multiply(enum packed_gemm_kernel kernel, int m, int n, int k, const float *a, int lda,
                          const float *packed, float *c, int ldc, int accumulate, int first_panel, int end_panel) {
    (void)kernel; (void)m; (void)n; (void)k; (void)a; (void)lda; (void)packed; (void)c; (void)ldc;
    (void)accumulate; (void)first_panel; (void)end_panel;
}

#endif
