// Linear layers on weights packed once, for inference (see PackedWeights in
// the Kernels module for why): the weights in panels laid out in the order
// the inner loop reads them, the activations read in place.
#include "packed_gemm.h"

#if defined(__x86_64__)
#include <immintrin.h>

#define PANEL 32
#define MAX_ROWS 12

// One block of MR rows by one panel of 32 columns, accumulated over all k in
// registers: 2·MR vector accumulators, two panel loads and MR broadcasts
// per step.
#define DEFINE_BLOCK_KERNEL(MR)                                                                   \
    __attribute__((target("avx512f,fma"))) static void block##MR(                                 \
        int k, const float *a, int lda, const float *panel, float *c, int ldc, int accumulate,    \
        __mmask16 low, __mmask16 high) {                                                          \
        __m512 left[MR], right[MR];                                                               \
        _Pragma("clang loop unroll(full)") for (int r = 0; r < MR; r++) {                          \
            left[r] = _mm512_setzero_ps();                                                        \
            right[r] = _mm512_setzero_ps();                                                       \
        }                                                                                         \
        for (int p = 0; p < k; p++) {                                                             \
            __m512 b0 = _mm512_loadu_ps(panel + p * PANEL);                                        \
            __m512 b1 = _mm512_loadu_ps(panel + p * PANEL + 16);                                   \
            _Pragma("clang loop unroll(full)") for (int r = 0; r < MR; r++) {                      \
                __m512 value = _mm512_set1_ps(a[r * lda + p]);                                    \
                left[r] = _mm512_fmadd_ps(value, b0, left[r]);                                    \
                right[r] = _mm512_fmadd_ps(value, b1, right[r]);                                  \
            }                                                                                     \
        }                                                                                         \
        _Pragma("clang loop unroll(full)") for (int r = 0; r < MR; r++) {                          \
            float *row = c + r * ldc;                                                             \
            if (accumulate) {                                                                     \
                left[r] = _mm512_add_ps(left[r], _mm512_maskz_loadu_ps(low, row));                \
                right[r] = _mm512_add_ps(right[r], _mm512_maskz_loadu_ps(high, row + 16));        \
            }                                                                                     \
            _mm512_mask_storeu_ps(row, low, left[r]);                                             \
            _mm512_mask_storeu_ps(row + 16, high, right[r]);                                      \
        }                                                                                         \
    }

DEFINE_BLOCK_KERNEL(1)
DEFINE_BLOCK_KERNEL(2)
DEFINE_BLOCK_KERNEL(3)
DEFINE_BLOCK_KERNEL(4)
DEFINE_BLOCK_KERNEL(5)
DEFINE_BLOCK_KERNEL(6)
DEFINE_BLOCK_KERNEL(7)
DEFINE_BLOCK_KERNEL(8)
DEFINE_BLOCK_KERNEL(9)
DEFINE_BLOCK_KERNEL(10)
DEFINE_BLOCK_KERNEL(11)
DEFINE_BLOCK_KERNEL(12)

typedef void (*block_kernel)(int, const float *, int, const float *, float *, int, int, __mmask16, __mmask16);

// Indexed by rows per block.
static const block_kernel block_kernels[MAX_ROWS + 1] = {
    0, block1, block2, block3, block4, block5, block6, block7, block8, block9, block10, block11, block12,
};

static int has_avx512(void) {
    static int known = -1;
    if (known < 0) {
        __builtin_cpu_init();
        known = __builtin_cpu_supports("avx512f") && __builtin_cpu_supports("fma");
    }
    return known;
}

int packed_gemm_panel_width(void) { return has_avx512() ? PANEL : 0; }

size_t packed_gemm_packed_count(int n, int k) {
    size_t panels = ((size_t)n + PANEL - 1) / PANEL;
    return panels * (size_t)k * PANEL;
}

void packed_gemm_pack(const float *w, int n, int k, float *packed) {
    int panels = (n + PANEL - 1) / PANEL;
    for (int q = 0; q < panels; q++) {
        float *panel = packed + (size_t)q * k * PANEL;
        for (int p = 0; p < k; p++) {
            for (int j = 0; j < PANEL; j++) {
                int column = q * PANEL + j;
                panel[p * PANEL + j] = column < n ? w[(size_t)column * k + p] : 0;
            }
        }
    }
}

static __mmask16 lane_mask(int lanes) {
    if (lanes >= 16) return 0xFFFF;
    if (lanes <= 0) return 0;
    return (__mmask16)((1u << lanes) - 1);
}

void packed_gemm_multiply(int m, int n, int k, const float *a, int lda, const float *packed,
                          float *c, int ldc, int accumulate, int first_panel, int end_panel) {
    for (int q = first_panel; q < end_panel; q++) {
        const float *panel = packed + (size_t)q * k * PANEL;
        int column = q * PANEL;
        int width = n - column < PANEL ? n - column : PANEL;
        __mmask16 low = lane_mask(width), high = lane_mask(width - 16);
        float *out = c + column;
        // Rows shared out evenly over the fewest blocks: a short block's few
        // accumulator chains would leave the FMA units waiting on latency.
        int blocks = (m + MAX_ROWS - 1) / MAX_ROWS;
        for (int b = 0, row = 0; b < blocks; b++) {
            int next = (int)((long)m * (b + 1) / blocks);
            block_kernels[next - row](k, a + (size_t)row * lda, lda, panel, out + (size_t)row * ldc, ldc, accumulate,
                                      low, high);
            row = next;
        }
    }
}

#else

int packed_gemm_panel_width(void) { return 0; }
size_t packed_gemm_packed_count(int n, int k) { (void)n; (void)k; return 0; }
void packed_gemm_pack(const float *w, int n, int k, float *packed) { (void)w; (void)n; (void)k; (void)packed; }
void packed_gemm_multiply(int m, int n, int k, const float *a, int lda, const float *packed,
                          float *c, int ldc, int accumulate, int first_panel, int end_panel) {
    (void)m; (void)n; (void)k; (void)a; (void)lda; (void)packed; (void)c; (void)ldc; (void)accumulate;
    (void)first_panel; (void)end_panel;
}

#endif
