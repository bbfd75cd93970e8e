// ecgssl-dnnl: N-API addon exposing oneDNN (2.x) 1-D convolution and max-pooling primitives that work in
// place on Float32Arrays laid out as tfjs tensors (channels-last):
//   x  [B, T, Cin]       (tfjs NHWC with H = 1  -> oneDNN nwc)
//   w  [K, Cin, Cout]    (tfjs [1, K, Cin, Cout] -> oneDNN wio)
//   y  [B, Tout, Cout]
// Primitives (and the reorders into oneDNN's preferred blocked layouts) are cached per shape. Threads: OpenMP.
//
// Precision (optional last argument of the conv functions, 1 = bf16): the convolution's src/weights/diff_dst are
// reordered from the float32 tensors into plan-owned bf16 buffers (oneDNN reorders), the primitive multiplies in
// bf16 and accumulates in f32, and its output (dst / diff_src / diff_weights) is float32 again. The tensors, the
// master weights and the optimiser state stay float32 (tfjs). bf16Native() says whether the CPU does bf16 natively.
//
// Rewrites (stride 1; off with ECGSSL_DNNL_REWRITE=0): oneDNN 2.x falls back to its much slower gemm convolution
// for the paper's wide kernels (k32 'same': padding 15/16 is too wide for the jit kernels; backward weights only
// has a jit kernel for k <= ~14). When the direct primitive would be gemm, and the rewrite gets a jit kernel:
//   fwd: the input is zero-padded explicitly into a plan-owned buffer and convolved with padding 0;
//   dat: dx = forward conv (padding 0) of the zero-padded dy with the time-reversed, in/out-swapped filter;
//   wei: dW is computed in chunks of at most 8 taps, each a padding-0 backward-weights primitive on a strided view
//        of the zero-padded input, writing its rows of dW.
#include <node_api.h>
#include <omp.h>
#include <oneapi/dnnl/dnnl.hpp>

#include <algorithm>
#include <csignal>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <map>
#include <memory>
#include <string>
#include <unordered_map>
#include <vector>

#include "napi_args.h"

using namespace dnnl;
using tag = memory::format_tag;
using dt = memory::data_type;

static engine &eng() {
  static engine e(engine::kind::cpu, 0);
  return e;
}
static stream &strm() {
  static stream s(eng());
  return s;
}

struct ArgSpec {
  int arg;
  memory::desc user_md;
  bool output;
  bool needs_reorder;
  memory internal;
  reorder to_prim, from_prim;
};

struct Plan {
  primitive prim;
  std::vector<ArgSpec> args;
  std::vector<std::pair<int, memory>> scratch;  // plan-owned buffers (workspace, pooling dst)
  primitive pre;                                // pooling backward: forward-training pass giving the workspace
  std::unordered_map<int, int> pre_args;        // pre arg -> index into args (input) or -1-scratch index
  bool has_pre = false;
  std::string impl;
};

static std::map<std::string, std::unique_ptr<Plan>> g_plans;
static std::map<std::string, convolution_forward::primitive_desc> g_fwd_pd;

struct CD {
  memory::dim B, T, Cin, K, Cout, pl, pr, stride, To;
  memory::dim rs = 0;  // src (x) batch stride in time steps when it is a view of a longer buffer; 0 = dense
  bool bf16 = false;   // bf16 multiplications (inputs of the primitive), f32 accumulation and output
};

static std::string key(const char *k, const CD &d) {
  char buf[256];
  snprintf(buf, sizeof buf, "%s_%ld_%ld_%ld_%ld_%ld_%ld_%ld_%ld_%ld_%ld%s", k, (long)d.B, (long)d.T, (long)d.Cin,
           (long)d.K, (long)d.Cout, (long)d.pl, (long)d.pr, (long)d.stride, (long)d.To, (long)d.rs,
           d.bf16 ? "_bf16" : "");
  return buf;
}

static memory::desc src_user(const CD &d) {
  if (d.rs > 0) return memory::desc({d.B, d.Cin, d.T}, dt::f32, memory::dims{d.rs * d.Cin, 1, d.Cin});
  return memory::desc({d.B, d.Cin, d.T}, dt::f32, tag::nwc);
}
static memory::desc dst_user(const CD &d) { return memory::desc({d.B, d.Cout, d.To}, dt::f32, tag::nwc); }
static memory::desc wei_user(const CD &d) { return memory::desc({d.Cout, d.Cin, d.K}, dt::f32, tag::wio); }
static memory::desc any_md(memory::dims dims, dt t = dt::f32) { return memory::desc(dims, t, tag::any); }
// The data type of the primitive's inputs (src, weights, diff_dst): bf16 in a bf16 plan; outputs stay f32.
static dt in_dt(const CD &d) { return d.bf16 ? dt::bf16 : dt::f32; }

static convolution_forward::primitive_desc &fwd_pd(const CD &d) {
  std::string k = key("fwdpd", d);
  auto it = g_fwd_pd.find(k);
  if (it != g_fwd_pd.end()) return it->second;
  auto desc = convolution_forward::desc(prop_kind::forward_training, algorithm::convolution_direct,
                                        any_md({d.B, d.Cin, d.T}, in_dt(d)), any_md({d.Cout, d.Cin, d.K}, in_dt(d)),
                                        any_md({d.B, d.Cout, d.To}), {d.stride}, {d.pl}, {d.pr});
  return g_fwd_pd.emplace(k, convolution_forward::primitive_desc(desc, eng())).first->second;
}

static void add_arg(Plan &p, int arg, const memory::desc &user, const memory::desc &prim, bool output) {
  ArgSpec a{arg, user, output, !(user == prim), memory(), reorder(), reorder()};
  if (a.needs_reorder) {
    a.internal = memory(prim, eng());
    memory dummy_user(user, eng(), DNNL_MEMORY_NONE);
    if (output)
      a.from_prim = reorder(a.internal, dummy_user);
    else
      a.to_prim = reorder(dummy_user, a.internal);
  }
  p.args.push_back(std::move(a));
}

static Plan &plan(const char *kind, const CD &d) {
  std::string k = key(kind, d);
  auto it = g_plans.find(k);
  if (it != g_plans.end()) return *it->second;
  auto p = std::make_unique<Plan>();
  std::string kd(kind);
  if (kd == "fwd") {
    auto &fpd = fwd_pd(d);
    p->prim = convolution_forward(fpd);
    p->impl = fpd.impl_info_str();
    add_arg(*p, DNNL_ARG_SRC, src_user(d), fpd.src_desc(), false);
    add_arg(*p, DNNL_ARG_WEIGHTS, wei_user(d), fpd.weights_desc(), false);
    add_arg(*p, DNNL_ARG_DST, dst_user(d), fpd.dst_desc(), true);
  } else if (kd == "dat") {
    auto &fpd = fwd_pd(d);
    auto desc = convolution_backward_data::desc(algorithm::convolution_direct, any_md({d.B, d.Cin, d.T}),
                                                any_md({d.Cout, d.Cin, d.K}, in_dt(d)),
                                                any_md({d.B, d.Cout, d.To}, in_dt(d)),
                                                {d.stride}, {d.pl}, {d.pr});
    auto pd = convolution_backward_data::primitive_desc(desc, eng(), fpd);
    p->prim = convolution_backward_data(pd);
    p->impl = pd.impl_info_str();
    add_arg(*p, DNNL_ARG_DIFF_DST, dst_user(d), pd.diff_dst_desc(), false);
    add_arg(*p, DNNL_ARG_WEIGHTS, wei_user(d), pd.weights_desc(), false);
    add_arg(*p, DNNL_ARG_DIFF_SRC, src_user(d), pd.diff_src_desc(), true);
  } else if (kd == "wei") {
    auto &fpd = fwd_pd(d);
    auto desc = convolution_backward_weights::desc(algorithm::convolution_direct, any_md({d.B, d.Cin, d.T}, in_dt(d)),
                                                   any_md({d.Cout, d.Cin, d.K}),
                                                   any_md({d.B, d.Cout, d.To}, in_dt(d)),
                                                   {d.stride}, {d.pl}, {d.pr});
    auto pd = convolution_backward_weights::primitive_desc(desc, eng(), fpd);
    p->prim = convolution_backward_weights(pd);
    p->impl = pd.impl_info_str();
    add_arg(*p, DNNL_ARG_SRC, src_user(d), pd.src_desc(), false);
    add_arg(*p, DNNL_ARG_DIFF_DST, dst_user(d), pd.diff_dst_desc(), false);
    add_arg(*p, DNNL_ARG_DIFF_WEIGHTS, wei_user(d), pd.diff_weights_desc(), true);
  } else {
    // max pooling; Cin == Cout == channels, K = pool size. Plain nwc layouts: no reorders.
    auto src = src_user(d), dst = dst_user(d);
    auto fdesc_train = pooling_forward::desc(prop_kind::forward_training, algorithm::pooling_max, src, dst,
                                             {d.stride}, {d.K}, {d.pl}, {d.pr});
    if (kd == "pfw") {
      auto fdesc = pooling_forward::desc(prop_kind::forward_inference, algorithm::pooling_max, src, dst, {d.stride},
                                         {d.K}, {d.pl}, {d.pr});
      auto pd = pooling_forward::primitive_desc(fdesc, eng());
      p->prim = pooling_forward(pd);
      p->impl = pd.impl_info_str();
      add_arg(*p, DNNL_ARG_SRC, src, src, false);
      add_arg(*p, DNNL_ARG_DST, dst, dst, true);
    } else {  // "pbw": args x, dy, dx; recomputes the forward-training pass for the argmax workspace
      auto fpd = pooling_forward::primitive_desc(fdesc_train, eng());
      auto bdesc = pooling_backward::desc(algorithm::pooling_max, src, dst, {d.stride}, {d.K}, {d.pl}, {d.pr});
      auto pd = pooling_backward::primitive_desc(bdesc, eng(), fpd);
      p->prim = pooling_backward(pd);
      p->pre = pooling_forward(fpd);
      p->has_pre = true;
      p->impl = pd.impl_info_str();
      add_arg(*p, DNNL_ARG_SRC, src, src, false);  // used only by the pre pass
      add_arg(*p, DNNL_ARG_DIFF_DST, dst, dst, false);
      add_arg(*p, DNNL_ARG_DIFF_SRC, src, src, true);
      p->scratch.push_back({DNNL_ARG_WORKSPACE, memory(fpd.workspace_desc(), eng())});
      p->scratch.push_back({DNNL_ARG_DST, memory(fpd.dst_desc(), eng())});
    }
  }
  return *g_plans.emplace(k, std::move(p)).first->second;
}

static void run(Plan &p, const std::vector<void *> &ptrs) {
  std::unordered_map<int, memory> exec;
  std::vector<memory> users;
  for (size_t i = 0; i < p.args.size(); i++) {
    auto &a = p.args[i];
    memory um(a.user_md, eng(), ptrs[i]);
    users.push_back(um);
    if (!a.needs_reorder) {
      exec[a.arg] = um;
      continue;
    }
    if (!a.output) a.to_prim.execute(strm(), um, a.internal);
    exec[a.arg] = a.internal;
  }
  if (p.has_pre) {
    std::unordered_map<int, memory> pre{{DNNL_ARG_SRC, exec[DNNL_ARG_SRC]}};
    for (auto &s : p.scratch) pre[s.first] = s.second;
    p.pre.execute(strm(), pre);
    exec.erase(DNNL_ARG_SRC);
    exec[DNNL_ARG_WORKSPACE] = p.scratch[0].second;
  }
  p.prim.execute(strm(), exec);
  for (size_t i = 0; i < p.args.size(); i++) {
    auto &a = p.args[i];
    if (a.needs_reorder && a.output) a.from_prim.execute(strm(), a.internal, users[i]);
  }
  strm().wait();
}

static bool rewrite_enabled() {
  static const bool on = [] {
    const char *e = std::getenv("ECGSSL_DNNL_REWRITE");
    return !(e && std::strcmp(e, "0") == 0);
  }();
  return on;
}
static bool slow_impl(const std::string &impl) {
  return impl.find("gemm") != std::string::npos || impl.find("ref") != std::string::npos;
}

// Plan-owned float buffers (zero-initialised; padded buffers only ever get their interior rewritten, so their
// zero borders persist). Keyed by purpose and geometry; the forward and backward-weights passes of a layer share
// their padded input buffer ("xp": the same layer input padded the same way).
static std::map<std::string, std::vector<float>> g_bufs;
static float *buffer(const std::string &k, size_t n) {
  auto &v = g_bufs[k];
  if (v.size() != n) v.assign(n, 0.f);
  return v.data();
}

// xp[b, padL + t, c] = x[b, t, c] for a [B, T, C] x into a [B, T + padL + padR, C] buffer with zero borders.
static float *padded_copy(const char *purpose, const CD &d, const float *x, memory::dim T, memory::dim C,
                          memory::dim padL, memory::dim padR) {
  const memory::dim Tp = T + padL + padR;
  float *xp = buffer(key(purpose, d), (size_t)(d.B * Tp * C));
  for (memory::dim b = 0; b < d.B; b++)
    std::memcpy(xp + (b * Tp + padL) * C, x + b * T * C, sizeof(float) * (size_t)(T * C));
  return xp;
}

// Each strategy returns the name of the implementation(s) that ran.
static std::string conv_fwd(const CD &d, float *x, float *w, float *y) {
  Plan &p = plan("fwd", d);
  if ((d.pl > 0 || d.pr > 0) && slow_impl(p.impl) && rewrite_enabled()) {
    CD e = d;
    e.T = d.T + d.pl + d.pr;
    e.pl = e.pr = 0;
    Plan &q = plan("fwd", e);
    if (!slow_impl(q.impl)) {
      float *xp = padded_copy("xp", d, x, d.T, d.Cin, d.pl, d.pr);
      run(q, {xp, w, y});
      return q.impl + " (explicit padding)";
    }
  }
  run(p, {x, w, y});
  return p.impl;
}

static std::string conv_dat(const CD &d, float *dy, float *w, float *dx) {
  Plan &p = plan("dat", d);
  // (Not for few input channels: a forward conv with so few output channels is slower than gemm, 23 vs 6 ms for
  // Cin = 1, k32, batch 32 x 2560.)
  if (d.stride == 1 && d.Cin >= 16 && slow_impl(p.impl) && rewrite_enabled() && d.pl <= d.K - 1 &&
      d.pr <= d.K - 1) {
    // forward conv of dyp [B, T + K - 1, Cout] with wf [K, Cout, Cin] -> [B, T, Cin]
    CD e{d.B, d.T + d.K - 1, d.Cout, d.K, d.Cin, 0, 0, 1, d.T};
    e.bf16 = d.bf16;
    Plan &q = plan("fwd", e);
    if (!slow_impl(q.impl)) {
      float *dyp = padded_copy("dat_dyp", d, dy, d.To, d.Cout, d.K - 1 - d.pl, d.K - 1 - d.pr);
      float *wf = buffer(key("dat_wf", d), (size_t)(d.K * d.Cin * d.Cout));
      for (memory::dim j = 0; j < d.K; j++)
        for (memory::dim ci = 0; ci < d.Cin; ci++)
          for (memory::dim co = 0; co < d.Cout; co++)
            wf[(j * d.Cout + co) * d.Cin + ci] = w[((d.K - 1 - j) * d.Cin + ci) * d.Cout + co];
      run(q, {dyp, wf, dx});
      return q.impl + " (as forward)";
    }
  }
  run(p, {dy, w, dx});
  return p.impl;
}

#ifndef ECGSSL_WEI_CHUNK
#define ECGSSL_WEI_CHUNK 8
#endif
static const memory::dim kWeiChunk = ECGSSL_WEI_CHUNK;

static std::string conv_wei(const CD &d, float *x, float *dy, float *dw) {
  Plan &p = plan("wei", d);
  if (d.stride == 1 && slow_impl(p.impl) && rewrite_enabled() && d.K > 1) {
    const memory::dim Tp = d.T + d.pl + d.pr;  // = To + K - 1
    std::vector<std::pair<Plan *, memory::dim>> chunks;
    bool fast = true;
    for (memory::dim k0 = 0; k0 < d.K && fast; k0 += kWeiChunk) {
      const memory::dim kc = std::min(kWeiChunk, d.K - k0);
      CD e{d.B, d.To + kc - 1, d.Cin, kc, d.Cout, 0, 0, 1, d.To};
      e.rs = Tp;
      e.bf16 = d.bf16;
      Plan &q = plan("wei", e);
      fast = !slow_impl(q.impl);
      chunks.push_back({&q, k0});
    }
    if (fast) {
      float *xp = padded_copy("xp", d, x, d.T, d.Cin, d.pl, d.pr);
      for (auto &c : chunks) run(*c.first, {xp + c.second * d.Cin, dy, dw + c.second * d.Cin * d.Cout});
      return chunks[0].first->impl + " (" + std::to_string(chunks.size()) + " tap chunks)";
    }
  }
  run(p, {x, dy, dw});
  return p.impl;
}

// Asynchronous signals are blocked while oneDNN runs. oneDNN 2.x's generated f32 GEMM kernels (used by its gemm
// convolutions) point rsp at a heap workspace; a signal taken inside one writes its frame there and corrupts the
// malloc heap (oneDNN issue #4845, fixed upstream in 2026 by PR #4855). Node's --cpu-prof samples with SIGPROF,
// which aborted training runs with "corrupted size vs. prev_size while consolidating".
// The OpenMP worker threads are created once, inside this scope, by setThreads (which registration calls before any
// kernel runs; a later setThreads grows the pool the same way): they inherit the blocked mask for good and never
// take process-directed signals (SIGINT/SIGTERM) either. So a per-call block is needed only where oneDNN runs on
// the calling thread (call()); the addon's own OpenMP loops (element-wise, FFT) run with the caller's mask. The
// calling thread gets its mask back at the end of the scope, and pending signals are delivered then.
struct SignalBlock {
#ifndef _WIN32
  sigset_t old;
  SignalBlock() {
    sigset_t all;
    sigfillset(&all);
    for (int s : {SIGSEGV, SIGBUS, SIGFPE, SIGILL, SIGTRAP, SIGABRT}) sigdelset(&all, s);
    pthread_sigmask(SIG_BLOCK, &all, &old);
  }
  ~SignalBlock() { pthread_sigmask(SIG_SETMASK, &old, nullptr); }
#endif
  SignalBlock(const SignalBlock &) = delete;
  SignalBlock &operator=(const SignalBlock &) = delete;
};

static napi_value str(napi_env env, const std::string &s) {
  napi_value v;
  napi_create_string_utf8(env, s.c_str(), NAPI_AUTO_LENGTH, &v);
  return v;
}

// conv JS: fn(a, b, out: Float32Array, B, T, Cin, K, Cout, padL, padR, stride[, precision]) -> impl string
//   (precision 0: f32, default; 1: bf16 inputs of the primitive, f32 accumulation and output)
// pool JS: fn(x, out: Float32Array, B, T, C, K, stride, padL, padR) / backward fn(x, dy, dx, B, T, C, K, stride, padL, padR)
static napi_value call(napi_env env, napi_callback_info info, const char *kind) {
  std::string kd(kind);
  const bool pool = kd[0] == 'p';
  const size_t nArr = kd == "pfw" ? 2 : 3;
  const size_t nInt = pool ? 7 : 8;
  size_t argc = 13;
  napi_value argv[13];
  napi_get_cb_info(env, info, &argc, argv, nullptr, nullptr);
  if (argc < nArr + nInt) {
    napi_throw_error(env, nullptr, ("ecgssl-dnnl " + kd + ": expected " + std::to_string(nArr + nInt) + " arguments, got " + std::to_string(argc)).c_str());
    return nullptr;
  }
  std::vector<void *> ptr(nArr);
  std::vector<size_t> len(nArr);
  for (size_t i = 0; i < nArr; i++) {
    napi_typedarray_type t;
    napi_value ab;
    size_t off;
    if (napi_get_typedarray_info(env, argv[i], &t, &len[i], &ptr[i], &ab, &off) != napi_ok || t != napi_float32_array) {
      napi_throw_type_error(env, nullptr, ("ecgssl-dnnl " + kd + ": argument " + std::to_string(i) + " must be a Float32Array").c_str());
      return nullptr;
    }
  }
  int64_t v[8] = {0};
  for (size_t i = 0; i < nInt; i++) {
    if (napi_get_value_int64(env, argv[nArr + i], &v[i]) != napi_ok || v[i] < 0) {
      napi_throw_type_error(env, nullptr, ("ecgssl-dnnl " + kd + ": argument " + std::to_string(nArr + i) + " must be a non-negative integer").c_str());
      return nullptr;
    }
  }
  CD d{};
  if (pool) {
    d = CD{v[0], v[1], v[2], v[3], v[2], v[5], v[6], v[4], 0};
  } else {
    d = CD{v[0], v[1], v[2], v[3], v[4], v[5], v[6], v[7], 0};
  }
  if (!pool && argc > nArr + nInt) {
    int32_t prec = 0;
    if (napi_get_value_int32(env, argv[nArr + nInt], &prec) != napi_ok || prec < 0 || prec > 1) {
      napi_throw_type_error(env, nullptr, ("ecgssl-dnnl " + kd + ": argument " + std::to_string(nArr + nInt) + " (precision) must be 0 (f32) or 1 (bf16)").c_str());
      return nullptr;
    }
    d.bf16 = prec == 1;
  }
  if (d.stride < 1 || d.K < 1 || d.T + d.pl + d.pr < d.K) {
    napi_throw_range_error(env, nullptr, ("ecgssl-dnnl " + kd + ": bad geometry").c_str());
    return nullptr;
  }
  d.To = (d.T + d.pl + d.pr - d.K) / d.stride + 1;
  const size_t nx = d.B * d.T * d.Cin, ny = d.B * d.To * d.Cout, nw = d.K * d.Cin * d.Cout;
  std::vector<size_t> need;
  if (kd == "fwd") need = {nx, nw, ny};
  else if (kd == "dat") need = {ny, nw, nx};
  else if (kd == "wei") need = {nx, ny, nw};
  else if (kd == "pfw") need = {nx, ny};
  else need = {nx, ny, nx};
  for (size_t i = 0; i < nArr; i++)
    if (!expect_len(env, kd, i, len[i], need[i])) return nullptr;
  try {
    SignalBlock no_signals;
    float *a = static_cast<float *>(ptr[0]), *b = static_cast<float *>(ptr[1]);
    float *c = nArr > 2 ? static_cast<float *>(ptr[2]) : nullptr;
    if (kd == "fwd") return str(env, conv_fwd(d, a, b, c));
    if (kd == "dat") return str(env, conv_dat(d, a, b, c));
    if (kd == "wei") return str(env, conv_wei(d, a, b, c));
    Plan &p = plan(kind, d);
    run(p, ptr);
    return str(env, p.impl);
  } catch (dnnl::error &e) {
    napi_throw_error(env, nullptr, ("ecgssl-dnnl " + kd + ": oneDNN error: " + e.what()).c_str());
    return nullptr;
  }
}
static napi_value Fwd(napi_env env, napi_callback_info info) { return call(env, info, "fwd"); }
static napi_value BwdData(napi_env env, napi_callback_info info) { return call(env, info, "dat"); }
static napi_value BwdWeights(napi_env env, napi_callback_info info) { return call(env, info, "wei"); }
static napi_value PoolFwd(napi_env env, napi_callback_info info) { return call(env, info, "pfw"); }
static napi_value PoolBwd(napi_env env, napi_callback_info info) { return call(env, info, "pbw"); }

// ---- element-wise helpers for the wasm tier (OpenMP-parallel loops on the wasm heap views) ----

static napi_value undef(napi_env env) {
  napi_value u;
  napi_get_undefined(env, &u);
  return u;
}
static bool same_len(napi_env env, const F32Args &a, size_t nArr, const char *name) {
  for (size_t i = 1; i < nArr; i++)
    if (a.len[i] != a.len[0]) {
      napi_throw_range_error(env, nullptr, (std::string("ecgssl-dnnl ") + name + ": arrays differ in length").c_str());
      return false;
    }
  return true;
}

// Branch-free loops (activation signs are random: a branch per element ran at ~4 ns/element). x * 1 is exact, so
// the values are those of x > 0 ? x : alpha * x. They vectorise with -fno-trapping-math (binding.gyp).
static void leaky_chunk(const float *__restrict__ x, float *__restrict__ y, long n, float alpha) {
#pragma omp simd
  for (long i = 0; i < n; i++) y[i] = x[i] * (x[i] > 0.f ? 1.f : alpha);
}
static void leaky_grad_chunk(const float *__restrict__ x, const float *__restrict__ dy, float *__restrict__ dx, long n,
                             float alpha) {
#pragma omp simd
  for (long i = 0; i < n; i++) dx[i] = dy[i] * (x[i] > 0.f ? 1.f : alpha);
}
// [lo, hi) of thread t of nt over n elements, in multiples of 16 (cache-line aligned splits)
static void split(long n, int t, int nt, long &lo, long &hi) {
  const long blocks = (n + 15) / 16;
  lo = std::min(n, blocks * t / nt * 16);
  hi = std::min(n, blocks * (t + 1) / nt * 16);
}
// Runs chunk(lo, hi) on every OpenMP thread over its split of [0, n).
template <class Chunk>
static void parallel_split(long n, const Chunk &chunk) {
#pragma omp parallel
  {
    long lo, hi;
    split(n, omp_get_thread_num(), omp_get_num_threads(), lo, hi);
    chunk(lo, hi);
  }
}

// leakyRelu(x, y, alpha): y = x > 0 ? x : alpha * x
static napi_value LeakyRelu(napi_env env, napi_callback_info info) {
  F32Args a;
  if (!f32_args(env, info, 2, 1, "leakyRelu", a) || !same_len(env, a, 2, "leakyRelu")) return nullptr;
  const float *x = a.arr[0];
  float *y = a.arr[1];
  const float alpha = (float)a.num[0];  // float products, as tfjs-backend-wasm's own kernel
  parallel_split((long)a.len[0], [&](long lo, long hi) { leaky_chunk(x + lo, y + lo, hi - lo, alpha); });
  return undef(env);
}

// leakyReluGrad(x, dy, dx, alpha): dx = x > 0 ? dy : alpha * dy
static napi_value LeakyReluGrad(napi_env env, napi_callback_info info) {
  F32Args a;
  if (!f32_args(env, info, 3, 1, "leakyReluGrad", a) || !same_len(env, a, 3, "leakyReluGrad")) return nullptr;
  const float *x = a.arr[0], *dy = a.arr[1];
  float *dx = a.arr[2];
  const float alpha = (float)a.num[0];
  parallel_split((long)a.len[0], [&](long lo, long hi) { leaky_grad_chunk(x + lo, dy + lo, dx + lo, hi - lo, alpha); });
  return undef(env);
}

// sumLeading(x, out, outer, inner): out[j] = sum_i x[i * inner + j], float64 accumulation per thread
static napi_value SumLeading(napi_env env, napi_callback_info info) {
  F32Args a;
  if (!f32_args(env, info, 2, 2, "sumLeading", a)) return nullptr;
  const long outer = (long)a.num[0], inner = (long)a.num[1];
  if (outer < 0 || inner < 1 || (size_t)(outer * inner) != a.len[0] || (size_t)inner != a.len[1]) {
    napi_throw_range_error(env, nullptr, "ecgssl-dnnl sumLeading: sizes do not match outer x inner");
    return nullptr;
  }
  const float *x = a.arr[0];
  float *out = a.arr[1];
  const int nthr = std::max(1, std::min<int>(omp_get_max_threads(), (int)std::max<long>(1, outer / 64)));
  std::vector<double> part((size_t)nthr * (size_t)inner, 0.0);
#pragma omp parallel num_threads(nthr)
  {
    const int t = omp_get_thread_num(), nt = omp_get_num_threads();
    const long lo = outer * t / nt, hi = outer * (t + 1) / nt;
    double *acc = part.data() + (size_t)t * (size_t)inner;
    if (inner == 1) {
      double s = 0;
      for (long i = lo; i < hi; i++) s += x[i];
      acc[0] = s;
    } else {
      for (long i = lo; i < hi; i++) {
        const float *row = x + i * inner;
#pragma omp simd
        for (long j = 0; j < inner; j++) acc[j] += row[j];
      }
    }
  }
  for (long j = 0; j < inner; j++) {
    double s = 0;
    for (int t = 0; t < nthr; t++) s += part[(size_t)t * (size_t)inner + (size_t)j];
    out[j] = (float)s;
  }
  return undef(env);
}

static void bias_chunk(const float *__restrict__ x, const float *__restrict__ b, float *__restrict__ y, long rows,
                       long inner) {
  for (long r = 0; r < rows; r++) {
    const float *xr = x + r * inner;
    float *yr = y + r * inner;
#pragma omp simd
    for (long j = 0; j < inner; j++) yr[j] = xr[j] + b[j];
  }
}

// addBias(x, b, y): y[i * inner + j] = x[i * inner + j] + b[j], inner = b.length (a bias add over the last axis)
static napi_value AddBias(napi_env env, napi_callback_info info) {
  F32Args a;
  if (!f32_args(env, info, 3, 0, "addBias", a)) return nullptr;
  const long inner = (long)a.len[1];
  if (inner < 1 || a.len[0] % (size_t)inner != 0 || a.len[2] != a.len[0]) {
    napi_throw_range_error(env, nullptr, "ecgssl-dnnl addBias: x and y must have the same length, a multiple of b's");
    return nullptr;
  }
  const long rows = (long)a.len[0] / inner;
  const float *x = a.arr[0], *b = a.arr[1];
  float *y = a.arr[2];
#pragma omp parallel
  {
    const int t = omp_get_thread_num(), nt = omp_get_num_threads();
    const long lo = rows * t / nt, hi = rows * (t + 1) / nt;
    bias_chunk(x + lo * inner, b, y + lo * inner, hi - lo, inner);
  }
  return undef(env);
}

// maxMiddle(x, out, outer, mid, inner): out[o * inner + j] = max over m of x[(o * mid + m) * inner + j], NaN
// propagating (the global max pool over time of [B, T, C]); parallel over outer.
static napi_value MaxMiddle(napi_env env, napi_callback_info info) {
  F32Args a;
  if (!f32_args(env, info, 2, 3, "maxMiddle", a)) return nullptr;
  const long outer = (long)a.num[0], mid = (long)a.num[1], inner = (long)a.num[2];
  if (outer < 1 || mid < 1 || inner < 1 || a.len[0] != (size_t)(outer * mid * inner) || a.len[1] != (size_t)(outer * inner)) {
    napi_throw_range_error(env, nullptr, "ecgssl-dnnl maxMiddle: lengths do not match outer x mid x inner");
    return nullptr;
  }
  const float *x = a.arr[0];
  float *y = a.arr[1];
#pragma omp parallel for
  for (long o = 0; o < outer; o++) {
    const float *xo = x + o * mid * inner;
    float *yo = y + o * inner;
    for (long j = 0; j < inner; j++) yo[j] = xo[j];
    for (long m = 1; m < mid; m++) {
      const float *xr = xo + m * inner;
#pragma omp simd
      for (long j = 0; j < inner; j++) {
        const float v = xr[j], c = yo[j];
        yo[j] = (v > c || v != v) ? v : c;
      }
    }
  }
  return undef(env);
}

static napi_value Version(napi_env env, napi_callback_info) {
  const dnnl_version_t *v = dnnl_version();
  char buf[64];
  snprintf(buf, sizeof buf, "%d.%d.%d", v->major, v->minor, v->patch);
  return str(env, buf);
}
static napi_value GetThreads(napi_env env, napi_callback_info) {
  napi_value r;
  napi_create_int32(env, omp_get_max_threads(), &r);
  return r;
}
static napi_value SetThreads(napi_env env, napi_callback_info info) {
  size_t argc = 1;
  napi_value argv[1];
  napi_get_cb_info(env, info, &argc, argv, nullptr, nullptr);
  int32_t n = 0;
  if (argc < 1 || napi_get_value_int32(env, argv[0], &n) != napi_ok || n < 1) {
    napi_throw_range_error(env, nullptr, "ecgssl-dnnl setThreads: expected an integer >= 1");
    return nullptr;
  }
  omp_set_num_threads(n);
  {
    // Start (or grow) the OpenMP pool now, with signals blocked: see SignalBlock. (The region needs a side
    // effect: an empty one is optimised away.)
    SignalBlock no_signals;
    volatile int team = 0;
#pragma omp parallel
    if (omp_get_thread_num() == 0) team = omp_get_num_threads();
    (void)team;
  }
  return GetThreads(env, info);
}
// bf16Native(): whether oneDNN runs bf16 natively here (its effective ISA includes AVX512-BF16, e.g. also AMX);
// elsewhere oneDNN 2.x emulates bf16 on AVX-512 (slower than f32) or has no bf16 kernels at all.
static napi_value Bf16Native(napi_env env, napi_callback_info) {
  const unsigned isa = (unsigned)dnnl_get_effective_cpu_isa();
  const unsigned need = (unsigned)dnnl_cpu_isa_avx512_core_bf16;
  napi_value r;
  napi_get_boolean(env, (isa & need) == need, &r);
  return r;
}
static napi_value CachedPlans(napi_env env, napi_callback_info) {
  napi_value r;
  napi_create_int32(env, (int32_t)g_plans.size(), &r);
  return r;
}

// FFT convolution kernels (fftconv.cc).
napi_value FftConv1d(napi_env env, napi_callback_info info);
napi_value FftLanes(napi_env env, napi_callback_info info);

static napi_value Init(napi_env env, napi_value exports) {
  napi_property_descriptor desc[] = {
      {"conv1dForward", nullptr, Fwd, nullptr, nullptr, nullptr, napi_default, nullptr},
      {"conv1dBackwardData", nullptr, BwdData, nullptr, nullptr, nullptr, napi_default, nullptr},
      {"conv1dBackwardWeights", nullptr, BwdWeights, nullptr, nullptr, nullptr, napi_default, nullptr},
      {"maxPool1dForward", nullptr, PoolFwd, nullptr, nullptr, nullptr, napi_default, nullptr},
      {"maxPool1dBackward", nullptr, PoolBwd, nullptr, nullptr, nullptr, napi_default, nullptr},
      {"leakyRelu", nullptr, LeakyRelu, nullptr, nullptr, nullptr, napi_default, nullptr},
      {"leakyReluGrad", nullptr, LeakyReluGrad, nullptr, nullptr, nullptr, napi_default, nullptr},
      {"addBias", nullptr, AddBias, nullptr, nullptr, nullptr, napi_default, nullptr},
      {"maxMiddle", nullptr, MaxMiddle, nullptr, nullptr, nullptr, napi_default, nullptr},
      {"sumLeading", nullptr, SumLeading, nullptr, nullptr, nullptr, napi_default, nullptr},
      {"version", nullptr, Version, nullptr, nullptr, nullptr, napi_default, nullptr},
      {"getThreads", nullptr, GetThreads, nullptr, nullptr, nullptr, napi_default, nullptr},
      {"setThreads", nullptr, SetThreads, nullptr, nullptr, nullptr, napi_default, nullptr},
      {"cachedPlans", nullptr, CachedPlans, nullptr, nullptr, nullptr, napi_default, nullptr},
      {"bf16Native", nullptr, Bf16Native, nullptr, nullptr, nullptr, napi_default, nullptr},
      {"fftConv1d", nullptr, FftConv1d, nullptr, nullptr, nullptr, napi_default, nullptr},
      {"fftLanes", nullptr, FftLanes, nullptr, nullptr, nullptr, napi_default, nullptr},
  };
  napi_define_properties(env, exports, sizeof desc / sizeof desc[0], desc);
  return exports;
}
NAPI_MODULE(NODE_GYP_MODULE_NAME, Init)
