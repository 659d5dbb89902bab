// The kernels of ReLU of 2×2 max pooling (stride 2, no padding), one pass each way, for float32
// CPU tensors in NCHW or channels_last: the numbers of at::relu(at::max_pool2d(x, 2)) and of its
// autograd backward, bit for bit, from fewer passes over memory.
// - Forward: ATen reads the input, writes the maximum and an int64 index per output, then
//   reads and writes them again for the ReLU. Here one pass writes the output and a one-byte
//   code: which of the window's four elements was the maximum, or kNoGradient where the ReLU
//   stopped the gradient.
// - Backward: ATen's threshold_backward masks the gradient, max_pool2d_with_indices_backward
//   zero-fills the input's gradient and adds each output's gradient at its index. Here each
//   input gradient is written once.
// Every step is exact, so the vector width does not change a bit:
// - the window's maximum is ATen's: elements in row order, a later one replacing the maximum
//   when it is greater or NaN (ATen starts from −inf with the first element's index, which
//   picks the same element);
// - the ReLU is ATen's clamp_min(x, 0): negative values become +0; −0 and NaN pass;
// - ReLU's backward (threshold_backward on the output) passes the gradient where the output is
//   above 0 or NaN; pooling's backward adds it to a zero-filled gradient: g + 0 (which turns −0
//   into +0), and +0 at the window's other elements and at the rows and columns no window
//   covers.
#include "relu-max-pool-kernels.h"

#include <ATen/Parallel.h>
#include <ATen/TensorIterator.h>

#include <cmath>
#include <cstring>

#if defined(__SSE2__)
#include <emmintrin.h>
#endif

namespace nnr {
namespace {

constexpr uint8_t kNoGradient = 4;

// Output rows per task: at least ATen's grain of elements, so two threads split large layers
// and small ones stay on one.
int64_t RowGrain(const Pooling& p) {
  int64_t perRow = std::max<int64_t>(1, p.outWidth * p.channels * 4);
  return std::max<int64_t>(1, at::internal::GRAIN_SIZE / perRow);
}

// Runs f(begin, end) over the rows [0, rows) on libtorch's intra-op threads. ATen's
// parallel_for is a header template that runs serially unless its caller is compiled with
// OpenMP, as libtorch is and this addon is not (a second OpenMP runtime would not follow
// libtorch's thread count). A TensorIterator's for_each is compiled inside libtorch and splits
// its range on libtorch's threads: over a one-byte-per-row tensor, each task's first element
// is its first row.
template <typename F>
void ParallelRows(int64_t rows, int64_t grain, const F& f) {
  if (rows <= grain || at::get_num_threads() == 1) {
    f(0, rows);
    return;
  }
  at::Tensor positions = at::empty({rows}, at::TensorOptions().dtype(at::kByte));
  const char* first = static_cast<const char*>(positions.data_ptr());
  at::TensorIterator iter = at::TensorIterator::nullary_op(positions);
  iter.for_each(
      [&](char** data, const int64_t* strides, int64_t size0, int64_t size1) {
        int64_t begin = data[0] - first;
        f(begin, begin + size0 * size1);
      },
      grain);
}

// A later element of the window replaces the maximum when it is greater or NaN.
inline void Consider(float v, uint8_t k, float& best, uint8_t& at) {
  bool take = (v > best) | (v != v);  // without branches: random data mispredicts them
  best = take ? v : best;
  at = take ? k : at;
}

// One window: a, b in the upper row, c, d in the lower.
inline void PoolOne(float a, float b, float c, float d, float* out, uint8_t* code) {
  float best = a;
  uint8_t at = 0;
  Consider(b, 1, best, at);
  Consider(c, 2, best, at);
  Consider(d, 3, best, at);
  float y = best < 0.0f ? 0.0f : best;
  *out = y;
  if (code != nullptr) *code = y <= 0.0f ? kNoGradient : at;
}

// The gradient of one window's four elements, from the output's gradient and code.
inline void UnpoolOne(float g, uint8_t code, float* a, float* b, float* c, float* d) {
  float passed = g + 0.0f;
  *a = code == 0 ? passed : 0.0f;
  *b = code == 1 ? passed : 0.0f;
  *c = code == 2 ? passed : 0.0f;
  *d = code == 3 ? passed : 0.0f;
}

#if defined(__SSE2__)
inline void ConsiderFour(__m128 v, int k, __m128& best, __m128i& at) {
  __m128 take = _mm_or_ps(_mm_cmpgt_ps(v, best), _mm_cmpunord_ps(v, v));
  best = _mm_or_ps(_mm_and_ps(take, v), _mm_andnot_ps(take, best));
  __m128i takeInt = _mm_castps_si128(take);
  at = _mm_or_si128(_mm_and_si128(takeInt, _mm_set1_epi32(k)), _mm_andnot_si128(takeInt, at));
}

// Four windows at once, lane by lane as PoolOne.
inline void PoolFour(__m128 a, __m128 b, __m128 c, __m128 d, float* out, uint8_t* code) {
  __m128 best = a;
  __m128i at = _mm_setzero_si128();
  ConsiderFour(b, 1, best, at);
  ConsiderFour(c, 2, best, at);
  ConsiderFour(d, 3, best, at);
  __m128 zero = _mm_setzero_ps();
  __m128 y = _mm_andnot_ps(_mm_cmplt_ps(best, zero), best);
  _mm_storeu_ps(out, y);
  if (code == nullptr) return;
  __m128i dead = _mm_castps_si128(_mm_cmple_ps(y, zero));
  __m128i codes =
      _mm_or_si128(_mm_and_si128(dead, _mm_set1_epi32(kNoGradient)), _mm_andnot_si128(dead, at));
  codes = _mm_packus_epi16(_mm_packs_epi32(codes, codes), codes);
  int32_t packed = _mm_cvtsi128_si32(codes);
  std::memcpy(code, &packed, 4);
}

// The gradients of four windows' elements j = 0..3, lane by lane as UnpoolOne.
inline void UnpoolFour(const float* g, const uint8_t* code, __m128 out[4]) {
  int32_t packed;
  std::memcpy(&packed, code, 4);
  __m128i zeroInt = _mm_setzero_si128();
  __m128i codes =
      _mm_unpacklo_epi16(_mm_unpacklo_epi8(_mm_cvtsi32_si128(packed), zeroInt), zeroInt);
  __m128 passed = _mm_add_ps(_mm_loadu_ps(g), _mm_setzero_ps());
  auto part = [&](int j) {
    return _mm_and_ps(_mm_castsi128_ps(_mm_cmpeq_epi32(codes, _mm_set1_epi32(j))), passed);
  };
  out[0] = part(0);
  out[1] = part(1);
  out[2] = part(2);
  out[3] = part(3);
}
#endif

// Fewer than four windows (a row's or a pixel's last), their elements `step` apart. With SSE2
// they are padded to four lanes and take the vector path: the scalar one branches, and
// random data mispredicts it.
inline void PoolPartial(int64_t n, int64_t step, const float* a, const float* b, const float* c,
                        const float* d, float* out, uint8_t* code) {
#if defined(__SSE2__)
  alignas(16) float lanes[4][4] = {};
  for (int64_t i = 0; i < n; ++i) {
    lanes[0][i] = a[i * step];
    lanes[1][i] = b[i * step];
    lanes[2][i] = c[i * step];
    lanes[3][i] = d[i * step];
  }
  float pooled[4];
  uint8_t codes[4];
  PoolFour(_mm_load_ps(lanes[0]), _mm_load_ps(lanes[1]), _mm_load_ps(lanes[2]),
           _mm_load_ps(lanes[3]), pooled, codes);
  for (int64_t i = 0; i < n; ++i) {
    out[i] = pooled[i];
    if (code != nullptr) code[i] = codes[i];
  }
#else
  for (int64_t i = 0; i < n; ++i) {
    PoolOne(a[i * step], b[i * step], c[i * step], d[i * step], out + i, code ? code + i : nullptr);
  }
#endif
}

inline void UnpoolPartial(int64_t n, int64_t step, const float* g, const uint8_t* code, float* a,
                          float* b, float* c, float* d) {
#if defined(__SSE2__)
  float gradients[4] = {};
  uint8_t codes[4] = {kNoGradient, kNoGradient, kNoGradient, kNoGradient};
  for (int64_t i = 0; i < n; ++i) {
    gradients[i] = g[i];
    codes[i] = code[i];
  }
  __m128 parts[4];
  UnpoolFour(gradients, codes, parts);
  alignas(16) float lanes[4][4];
  for (int j = 0; j < 4; ++j) _mm_store_ps(lanes[j], parts[j]);
  for (int64_t i = 0; i < n; ++i) {
    a[i * step] = lanes[0][i];
    b[i * step] = lanes[1][i];
    c[i * step] = lanes[2][i];
    d[i * step] = lanes[3][i];
  }
#else
  for (int64_t i = 0; i < n; ++i) {
    UnpoolOne(g[i], code[i], a + i * step, b + i * step, c + i * step, d + i * step);
  }
#endif
}

// Each kernel's loop is a function of its own, called from the task with copies of the
// pooling's sizes and restrict pointers: the compiler then keeps them in registers across the
// stores. Captured by reference in the task's lambda, they were reloaded from memory after
// every store, which took half the kernels' time.

// Channels_last: a window's four elements are C apart (b, d) and W·C apart (c, d); the
// channels run contiguously, four at a time.
// The channels_last forward over the output rows [begin, end).
void ForwardChannelsLastRows(const Pooling p, const float* __restrict in, float* __restrict out,
                             uint8_t* __restrict code, int64_t begin, int64_t end) {
  const int64_t C = p.channels;
  // One division per task: the rows after the first step through (image, row).
  int64_t n = begin / p.outHeight, oh = begin % p.outHeight;
  for (int64_t r = begin; r < end; ++r) {
    const float* upper = in + ((n * p.height + 2 * oh) * p.width) * C;
    const float* lower = upper + p.width * C;
    int64_t o = r * p.outWidth * C;
    for (int64_t ow = 0; ow < p.outWidth; ++ow) {
      const float* a = upper + 2 * ow * C;
      const float* c = lower + 2 * ow * C;
      int64_t ch = 0;
#if defined(__SSE2__)
      for (; ch + 4 <= C; ch += 4) {
        PoolFour(_mm_loadu_ps(a + ch), _mm_loadu_ps(a + C + ch), _mm_loadu_ps(c + ch),
                 _mm_loadu_ps(c + C + ch), out + o + ch, code ? code + o + ch : nullptr);
      }
#endif
      if (ch < C) {
        PoolPartial(C - ch, 1, a + ch, a + C + ch, c + ch, c + C + ch, out + o + ch,
                    code ? code + o + ch : nullptr);
      }
      o += C;
    }
    if (++oh == p.outHeight) {
      oh = 0;
      ++n;
    }
  }
}

// The channels_last backward over the output rows [begin, end).
void BackwardChannelsLastRows(const Pooling p, const float* __restrict g,
                              const uint8_t* __restrict code, float* __restrict gin, int64_t begin,
                              int64_t end) {
  const int64_t C = p.channels;
  const int64_t rowLength = p.width * C;
  // Input rows: 2·oh and 2·oh + 1 for each output row; with an odd height, the last input
  // row of each image has no window.
  // One division per task: the rows after the first step through (image, row).
  int64_t n = begin / p.outHeight, oh = begin % p.outHeight;
  for (int64_t r = begin; r < end; ++r) {
    float* upper = gin + ((n * p.height + 2 * oh) * p.width) * C;
    float* lower = upper + rowLength;
    int64_t o = r * p.outWidth * C;
    for (int64_t ow = 0; ow < p.outWidth; ++ow) {
      float* a = upper + 2 * ow * C;
      float* c = lower + 2 * ow * C;
      int64_t ch = 0;
#if defined(__SSE2__)
      for (; ch + 4 <= C; ch += 4) {
        __m128 parts[4];
        UnpoolFour(g + o + ch, code + o + ch, parts);
        _mm_storeu_ps(a + ch, parts[0]);
        _mm_storeu_ps(a + C + ch, parts[1]);
        _mm_storeu_ps(c + ch, parts[2]);
        _mm_storeu_ps(c + C + ch, parts[3]);
      }
#endif
      if (ch < C) {
        UnpoolPartial(C - ch, 1, g + o + ch, code + o + ch, a + ch, a + C + ch, c + ch, c + C + ch);
      }
      o += C;
    }
    if (p.width % 2 == 1) {
      std::memset(upper + 2 * p.outWidth * C, 0, C * sizeof(float));
      std::memset(lower + 2 * p.outWidth * C, 0, C * sizeof(float));
    }
    if (p.height % 2 == 1 && oh == p.outHeight - 1) {
      std::memset(lower + rowLength, 0, rowLength * sizeof(float));
    }
    if (++oh == p.outHeight) {
      oh = 0;
      ++n;
    }
  }
}

// NCHW: a window's two columns are neighbours; four windows take eight floats of each row,
// split into even and odd columns.
// The NCHW forward over the output rows [begin, end).
void ForwardContiguousRows(const Pooling p, const float* __restrict in, float* __restrict out,
                           uint8_t* __restrict code, int64_t begin, int64_t end) {
  // One division per task: the rows after the first step through (image, row).
  int64_t plane = begin / p.outHeight, oh = begin % p.outHeight;
  for (int64_t r = begin; r < end; ++r) {
    const float* upper = in + (plane * p.height + 2 * oh) * p.width;
    const float* lower = upper + p.width;
    float* o = out + r * p.outWidth;
    uint8_t* k = code ? code + r * p.outWidth : nullptr;
    int64_t ow = 0;
#if defined(__SSE2__)
    for (; ow + 4 <= p.outWidth; ow += 4) {
      __m128 u0 = _mm_loadu_ps(upper + 2 * ow), u1 = _mm_loadu_ps(upper + 2 * ow + 4);
      __m128 l0 = _mm_loadu_ps(lower + 2 * ow), l1 = _mm_loadu_ps(lower + 2 * ow + 4);
      PoolFour(_mm_shuffle_ps(u0, u1, _MM_SHUFFLE(2, 0, 2, 0)),
               _mm_shuffle_ps(u0, u1, _MM_SHUFFLE(3, 1, 3, 1)),
               _mm_shuffle_ps(l0, l1, _MM_SHUFFLE(2, 0, 2, 0)),
               _mm_shuffle_ps(l0, l1, _MM_SHUFFLE(3, 1, 3, 1)), o + ow, k ? k + ow : nullptr);
    }
#endif
    if (ow < p.outWidth) {
      PoolPartial(p.outWidth - ow, 2, upper + 2 * ow, upper + 2 * ow + 1, lower + 2 * ow,
                  lower + 2 * ow + 1, o + ow, k ? k + ow : nullptr);
    }
    if (++oh == p.outHeight) {
      oh = 0;
      ++plane;
    }
  }
}

// The NCHW backward over the output rows [begin, end).
void BackwardContiguousRows(const Pooling p, const float* __restrict g,
                            const uint8_t* __restrict code, float* __restrict gin, int64_t begin,
                            int64_t end) {
  // One division per task: the rows after the first step through (image, row).
  int64_t plane = begin / p.outHeight, oh = begin % p.outHeight;
  for (int64_t r = begin; r < end; ++r) {
    float* upper = gin + (plane * p.height + 2 * oh) * p.width;
    float* lower = upper + p.width;
    const float* go = g + r * p.outWidth;
    const uint8_t* k = code + r * p.outWidth;
    int64_t ow = 0;
#if defined(__SSE2__)
    for (; ow + 4 <= p.outWidth; ow += 4) {
      __m128 parts[4];
      UnpoolFour(go + ow, k + ow, parts);
      _mm_storeu_ps(upper + 2 * ow, _mm_unpacklo_ps(parts[0], parts[1]));
      _mm_storeu_ps(upper + 2 * ow + 4, _mm_unpackhi_ps(parts[0], parts[1]));
      _mm_storeu_ps(lower + 2 * ow, _mm_unpacklo_ps(parts[2], parts[3]));
      _mm_storeu_ps(lower + 2 * ow + 4, _mm_unpackhi_ps(parts[2], parts[3]));
    }
#endif
    if (ow < p.outWidth) {
      UnpoolPartial(p.outWidth - ow, 2, go + ow, k + ow, upper + 2 * ow, upper + 2 * ow + 1,
                    lower + 2 * ow, lower + 2 * ow + 1);
    }
    if (p.width % 2 == 1) upper[p.width - 1] = lower[p.width - 1] = 0.0f;
    if (p.height % 2 == 1 && oh == p.outHeight - 1) {
      std::memset(lower + p.width, 0, p.width * sizeof(float));
    }
    if (++oh == p.outHeight) {
      oh = 0;
      ++plane;
    }
  }
}

// Rows of the task split: an image's output row in channels_last, a plane's in NCHW.
int64_t RowsOf(const Pooling& p) {
  return p.channelsLast ? p.batch * p.outHeight : p.batch * p.channels * p.outHeight;
}

}  // namespace

void ReluMaxPoolForward(const Pooling& p, const float* in, float* out, uint8_t* code) {
  ParallelRows(RowsOf(p), RowGrain(p), [&](int64_t begin, int64_t end) {
    if (p.channelsLast) {
      ForwardChannelsLastRows(p, in, out, code, begin, end);
    } else {
      ForwardContiguousRows(p, in, out, code, begin, end);
    }
  });
}

void ReluMaxPoolBackward(const Pooling& p, const float* g, const uint8_t* code, float* gin) {
  ParallelRows(RowsOf(p), RowGrain(p), [&](int64_t begin, int64_t end) {
    if (p.channelsLast) {
      BackwardChannelsLastRows(p, g, code, gin, begin, end);
    } else {
      BackwardContiguousRows(p, g, code, gin, begin, end);
    }
  });
}

}  // namespace nnr
