// Native build of the overlap-save FFT convolution kernels that the portable tier runs as WebAssembly
// (src/engine/fftconv/fftconv.c, the same source): vectors of 16 (AVX-512), 8 (AVX) or 4 lanes, OpenMP threads.
// JS (src/engine/dnnl.ts) plans the transform and fills the scalar words of the parameter block; this file adds
// the pointers, the twiddle table, the scratch buffers and the threads.
#include <node_api.h>
#include <omp.h>

#include <cmath>
#include <cstdlib>
#include <cstring>
#include <string>
#include <vector>

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
// 2 = filter gradient (a = x, b = dy). `words` (Int32Array, P_COUNT) holds the scalar parameters.
napi_value FftConv1d(napi_env env, napi_callback_info info) {
  size_t argc = 5;
  napi_value argv[5];
  napi_get_cb_info(env, info, &argc, argv, nullptr, nullptr);
  int32_t kind = -1;
  if (argc < 5 || napi_get_value_int32(env, argv[0], &kind) != napi_ok || kind < 0 || kind > 2) {
    napi_throw_error(env, nullptr, "ecgssl-dnnl fftConv1d: expected (kind 0-2, a, b, out, words)");
    return nullptr;
  }
  float *arr[3];
  for (int i = 0; i < 3; i++) {
    napi_typedarray_type t;
    size_t len, off;
    void *data;
    napi_value ab;
    if (napi_get_typedarray_info(env, argv[1 + i], &t, &len, &data, &ab, &off) != napi_ok || t != napi_float32_array) {
      napi_throw_type_error(env, nullptr, ("ecgssl-dnnl fftConv1d: argument " + std::to_string(1 + i) + " must be a Float32Array").c_str());
      return nullptr;
    }
    arr[i] = static_cast<float *>(data);
  }
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
  if (n < 4 || n > kMaxN || (n & (n - 1)) || Ca % FC_LANES || Cb % FC_LANES || chunkRows < 4 || chunkRows % 4) {
    napi_throw_range_error(env, nullptr, "ecgssl-dnnl fftConv1d: bad geometry");
    return nullptr;
  }
  const int threads = std::max(1, omp_get_max_threads());
  const float *tw = twiddles();
  const int F = n / 2 + 1, Cm = std::max(Ca, Cb);
  p[P_COS] = (fc_word)tw;
  p[P_SIN] = (fc_word)(tw + kMaxN);
  p[P_NMAX] = kMaxN;
  p[P_NTHREADS] = threads;
  try {
    if (kind < 2) {
      float *G = g_spectra.get((size_t)F * Ca * 3 * Cb);
      p[P_W] = (fc_word)arr[1];
      p[P_G] = (fc_word)G;
      p[P_MODE] = kind;
      parallel(fc_spectra, p, threads);
      const size_t per = round16(2 * (size_t)n * Cm + (size_t)chunkRows * F * (3 * Ca + 2 * Cb));
      p[P_SCRATCH] = (fc_word)g_scratch.get(per * threads);
      p[P_SCRATCH_BYTES] = (fc_word)(per * 4);
      p[P_A] = (fc_word)arr[0];
      p[P_OUT] = (fc_word)arr[2];
      parallel(fc_convolve, p, threads);
    } else {
      const size_t accPer = round16((size_t)F * Ca * 3 * Cb);
      float *acc = g_acc.get(accPer * threads);
      std::memset(acc, 0, accPer * threads * 4);
      const size_t per = round16(2 * (size_t)n * Cm + (size_t)chunkRows * F * 3 * (Ca + Cb));
      p[P_SCRATCH] = (fc_word)g_scratch.get(per * threads);
      p[P_SCRATCH_BYTES] = (fc_word)(per * 4);
      p[P_ACC] = (fc_word)acc;
      p[P_ACC_BYTES] = (fc_word)(accPer * 4);
      p[P_ACC_THREADS] = threads;
      p[P_A] = (fc_word)arr[0];
      p[P_D] = (fc_word)arr[1];
      p[P_OUT] = (fc_word)arr[2];
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
