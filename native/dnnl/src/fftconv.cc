// Native build of the overlap-save FFT convolution kernels that the portable tier runs as WebAssembly
// (native/fftconv/fftconv.c, the same source): vectors of 16 (AVX-512), 8 (AVX) or 4 lanes, OpenMP threads.
// JS (src/engine/dnnl.ts) plans the transform and fills the scalar words of the parameter block; this file checks
// them against the arrays and adds the pointers, the twiddle table, the scratch buffers and the threads.
#include <node_api.h>
#include <omp.h>

#include <algorithm>
#include <cmath>
#include <cstdlib>
#include <new>
#include <vector>

#include "napi_args.h"

#if defined(__AVX512F__)
#define FC_LANES 16
#elif defined(__AVX__)
#define FC_LANES 8
#else
#define FC_LANES 4
#endif

extern "C" {
#include "fftconv.c"
}

namespace {

constexpr int kMaxN = 1024;

const float *twiddles() {
  static std::vector<float> t = [] {
    std::vector<float> v(2 * kMaxN);
    for (int k = 0; k < kMaxN; k++) {
      v[k] = (float)std::cos(2.0 * M_PI * k / kMaxN);
      v[kMaxN + k] = (float)std::sin(2.0 * M_PI * k / kMaxN);
    }
    return v;
  }();
  return t.data();
}

// Grow-only 64-byte aligned buffers reused across calls (one JS thread calls the addon).
struct Buffer {
  float *p = nullptr;
  size_t n = 0;
  float *get(size_t floats) {
    if (floats > n) {
      std::free(p);
      p = static_cast<float *>(std::aligned_alloc(64, ((floats * 4 + 63) / 64) * 64));
      n = p ? floats : 0;
      if (!p) throw std::bad_alloc();
    }
    return p;
  }
};
Buffer g_spectra, g_scratch, g_acc;

size_t round16(size_t floats) { return (floats + 15) / 16 * 16; }

// Runs fn(tid, p) on `threads` OpenMP threads; if fewer start, the first runs the missing ones' share too.
void parallel(void (*fn)(int, const fc_word *), const fc_word *p, int threads) {
  int started = 0;
#pragma omp parallel num_threads(threads)
  {
#pragma omp single
    started = omp_get_num_threads();
    const int t = omp_get_thread_num();
    fn(t, p);
    if (t == 0)
      for (int extra = started; extra < threads; extra++) fn(extra, p);
  }
}

}  // namespace

// fftConv1d(kind, a, b, out, words): kind 0 = forward (a = x, b = w), 1 = input gradient (a = dy, b = w),
// 2 = filter gradient (a = x, b = dy). `words` (Int32Array, P_COUNT) holds the scalar parameters (fftConvJob in
// src/engine/fftconv/fftconv.ts, whose MODE word is kind for kinds 0 and 1); a, b, out must have the lengths they
// give: B La Ca (a), K Ca Cb (w) or B Lo Cb (dy), and B Lo Cb (y, dx) or K Ca Cb (dw).
napi_value FftConv1d(napi_env env, napi_callback_info info) {
  size_t argc = 5;
  napi_value argv[5];
  napi_get_cb_info(env, info, &argc, argv, nullptr, nullptr);
  int32_t kind = -1;
  if (argc < 5 || napi_get_value_int32(env, argv[0], &kind) != napi_ok || kind < 0 || kind > 2) {
    napi_throw_error(env, nullptr, "ecgssl-dnnl fftConv1d: expected (kind 0-2, a, b, out, words)");
    return nullptr;
  }
  F32Args arr;
  if (!f32_args(env, info, 3, 0, "fftConv1d", arr, 1)) return nullptr;
  napi_typedarray_type wt;
  size_t wlen, woff;
  void *wdata;
  napi_value wab;
  if (napi_get_typedarray_info(env, argv[4], &wt, &wlen, &wdata, &wab, &woff) != napi_ok || wt != napi_int32_array ||
      wlen < P_COUNT) {
    napi_throw_type_error(env, nullptr, "ecgssl-dnnl fftConv1d: argument 4 must be an Int32Array of the parameter words");
    return nullptr;
  }
  const int32_t *words = static_cast<const int32_t *>(wdata);
  fc_word p[P_COUNT];
  for (int i = 0; i < P_COUNT; i++) p[i] = words[i];
  const int n = (int)p[P_N], Ca = (int)p[P_CA], Cb = (int)p[P_CB], chunkRows = (int)p[P_CHUNK_ROWS];
  const int B = (int)p[P_B], La = (int)p[P_LA], Lo = (int)p[P_LO], K = (int)p[P_K], H = (int)p[P_H];
  const int T = (int)p[P_T], log2n = (int)p[P_LOG2N], keep0 = (int)p[P_KEEP0];
  // (Beyond the lengths: what keeps every access inside the buffers; K < n also bounds fc_spectra's K x Cb of
  // filter taps in the scratch.)
  if (n < 4 || n > kMaxN || (n & (n - 1)) || log2n < 0 || log2n > 30 || (1 << log2n) != n || Ca < 1 || Cb < 1 ||
      Ca % FC_LANES || Cb % FC_LANES || chunkRows < 4 || chunkRows % 4 || B < 1 || La < 1 || Lo < 1 || K < 1 ||
      K >= n || H < 1 || T < 1 || keep0 < 0 || keep0 + H > n || (kind < 2 && p[P_MODE] != kind)) {
    napi_throw_range_error(env, nullptr, "ecgssl-dnnl fftConv1d: bad geometry");
    return nullptr;
  }
  const size_t nA = (size_t)B * La * Ca, nW = (size_t)K * Ca * Cb, nO = (size_t)B * Lo * Cb;
  const size_t need[3] = {nA, kind < 2 ? nW : nO, kind < 2 ? nO : nW};
  for (int i = 0; i < 3; i++)
    if (!expect_len(env, "fftConv1d", 1 + i, arr.len[i], need[i])) return nullptr;
  const int threads = std::max(1, omp_get_max_threads());
  const float *tw = twiddles();
  p[P_COS] = (fc_word)tw;
  p[P_SIN] = (fc_word)(tw + kMaxN);
  p[P_NMAX] = kMaxN;
  p[P_NTHREADS] = threads;
  p[P_A] = (fc_word)arr.arr[0];
  p[P_OUT] = (fc_word)arr.arr[2];
  try {
    const size_t per = round16((size_t)fc_scratch_floats(p, kind == 2));
    p[P_SCRATCH] = (fc_word)g_scratch.get(per * threads);
    p[P_SCRATCH_BYTES] = (fc_word)(per * 4);
    if (kind < 2) {
      p[P_W] = (fc_word)arr.arr[1];
      p[P_G] = (fc_word)g_spectra.get((size_t)fc_spectra_floats(p));
      parallel(fc_spectra, p, threads);
      parallel(fc_convolve, p, threads);
    } else {
      const size_t accPer = round16((size_t)fc_acc_floats(p));
      p[P_ACC] = (fc_word)g_acc.get(accPer * threads);  // zeroed by each thread in fc_filter_accumulate
      p[P_ACC_BYTES] = (fc_word)(accPer * 4);
      p[P_ACC_THREADS] = threads;
      p[P_D] = (fc_word)arr.arr[1];
      parallel(fc_filter_accumulate, p, threads);
      parallel(fc_filter_finish, p, threads);
    }
  } catch (std::bad_alloc &) {
    napi_throw_error(env, nullptr, "ecgssl-dnnl fftConv1d: out of memory");
    return nullptr;
  }
  napi_value r;
  napi_create_int32(env, FC_LANES, &r);
  return r;
}

// fftLanes(): the vector width the kernels were compiled for (channel counts must be multiples of it).
napi_value FftLanes(napi_env env, napi_callback_info) {
  napi_value r;
  napi_create_int32(env, FC_LANES, &r);
  return r;
}
