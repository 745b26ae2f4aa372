// Linear layers on weights packed once, for inference (see PackedWeights in
// the Kernels module for why): the weights in panels laid out in the order
// the inner loop reads them, the activations read in place.
//
// Each kernel multiplies a block of rows by one panel over the whole depth
// k, its accumulators in registers: per step, the panel's vectors are loaded
// once and each row's value is broadcast against them.
#include "packed_gemm.h"

#if defined(__x86_64__)
#include <immintrin.h>
#include <string.h>

// The same block kernel for each instruction set, in the compiler's vector
// types (arithmetic on them compiles to that set's instructions; `x * y + z`
// contracts to a fused multiply-add) plus per-set helpers for the partial
// last panel: ISA_mask (the lanes of the half of a panel at `offset` below
// `width`), ISA_load_masked and ISA_store_masked. A panel is two vectors.
#define DEFINE_BLOCK(ISA, TARGET, VECTOR, MASK, PANEL, MR)                                           \
    __attribute__((target(TARGET))) static void ISA##MR(                                             \
        int k, const float *a, int lda, const float *panel, float *c, int ldc, int accumulate, int width) { \
        _Pragma("clang fp contract(fast)")                                                           \
        const int half = PANEL / 2;                                                                  \
        MASK low = ISA##_mask(width, 0), high = ISA##_mask(width, half);                             \
        const VECTOR zero = {0};                                                                     \
        VECTOR left[MR], right[MR];                                                                  \
        _Pragma("clang loop unroll(full)") for (int r = 0; r < MR; r++) left[r] = right[r] = zero;    \
        for (int p = 0; p < k; p++) {                                                                \
            VECTOR b0, b1;                                                                           \
            memcpy(&b0, panel + p * PANEL, sizeof b0);                                               \
            memcpy(&b1, panel + p * PANEL + half, sizeof b1);                                        \
            _Pragma("clang loop unroll(full)") for (int r = 0; r < MR; r++) {                         \
                VECTOR value = (VECTOR)(a[r * lda + p]);                                             \
                left[r] = value * b0 + left[r];                                                      \
                right[r] = value * b1 + right[r];                                                    \
            }                                                                                        \
        }                                                                                            \
        _Pragma("clang loop unroll(full)") for (int r = 0; r < MR; r++) {                             \
            float *row = c + r * ldc;                                                                \
            if (accumulate) {                                                                        \
                left[r] += ISA##_load_masked(row, low);                                              \
                right[r] += ISA##_load_masked(row + half, high);                                     \
            }                                                                                        \
            ISA##_store_masked(row, low, left[r]);                                                   \
            ISA##_store_masked(row + half, high, right[r]);                                          \
        }                                                                                            \
    }

// Clang's extended vectors: a scalar cast to one fills every lane.
typedef float vector16 __attribute__((ext_vector_type(16)));
typedef float vector8 __attribute__((ext_vector_type(8)));

// AVX-512: panels of 32 columns, up to 12 rows (24 accumulators of the 32
// registers).
#define WIDE_TARGET "avx512f,fma"
#define WIDE_PANEL 32
#define WIDE_ROWS 12
__attribute__((target(WIDE_TARGET))) static inline __mmask16 wide_mask(int width, int offset) {
    int lanes = width - offset;
    return lanes >= 16 ? 0xFFFF : lanes <= 0 ? 0 : (__mmask16)((1u << lanes) - 1);
}
__attribute__((target(WIDE_TARGET))) static inline vector16 wide_load_masked(const float *p, __mmask16 mask) {
    return (vector16)_mm512_maskz_loadu_ps(mask, p);
}
__attribute__((target(WIDE_TARGET))) static inline void wide_store_masked(float *p, __mmask16 mask, vector16 x) {
    _mm512_mask_storeu_ps(p, mask, (__m512)x);
}

// AVX2: panels of 16 columns, up to 6 rows (12 accumulators of the 16
// registers). Its masks are vectors: all ones in the lanes to keep.
#define NARROW_TARGET "avx2,fma"
#define NARROW_PANEL 16
#define NARROW_ROWS 6
__attribute__((target(NARROW_TARGET))) static inline __m256i narrow_mask(int width, int offset) {
    return _mm256_cmpgt_epi32(_mm256_set1_epi32(width - offset), _mm256_setr_epi32(0, 1, 2, 3, 4, 5, 6, 7));
}
__attribute__((target(NARROW_TARGET))) static inline vector8 narrow_load_masked(const float *p, __m256i mask) {
    return (vector8)_mm256_maskload_ps(p, mask);
}
__attribute__((target(NARROW_TARGET))) static inline void narrow_store_masked(float *p, __m256i mask, vector8 x) {
    _mm256_maskstore_ps(p, mask, (__m256)x);
}

#define DEFINE_WIDE_BLOCK(MR) DEFINE_BLOCK(wide, WIDE_TARGET, vector16, __mmask16, WIDE_PANEL, MR)
#define DEFINE_NARROW_BLOCK(MR) DEFINE_BLOCK(narrow, NARROW_TARGET, vector8, __m256i, NARROW_PANEL, MR)

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
