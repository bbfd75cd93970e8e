// ecgssl-dnnl: N-API addon exposing oneDNN (2.x) 1-D convolution and max-pooling primitives that work in
// place on Float32Arrays laid out as tfjs tensors (channels-last):
//   x  [B, T, Cin]       (tfjs NHWC with H = 1  -> oneDNN nwc)
//   w  [K, Cin, Cout]    (tfjs [1, K, Cin, Cout] -> oneDNN wio)
//   y  [B, Tout, Cout]
// Primitives (and the reorders into oneDNN's preferred blocked layouts) are cached per shape. Threads: OpenMP.
#include <node_api.h>
#include <omp.h>
#include <oneapi/dnnl/dnnl.hpp>

#include <cstdio>
#include <map>
#include <memory>
#include <string>
#include <unordered_map>
#include <vector>

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
};

static std::string key(const char *k, const CD &d) {
  char buf[256];
  snprintf(buf, sizeof buf, "%s_%ld_%ld_%ld_%ld_%ld_%ld_%ld_%ld", k, (long)d.B, (long)d.T, (long)d.Cin, (long)d.K,
           (long)d.Cout, (long)d.pl, (long)d.pr, (long)d.stride);
  return buf;
}

static memory::desc src_user(const CD &d) { return memory::desc({d.B, d.Cin, d.T}, dt::f32, tag::nwc); }
static memory::desc dst_user(const CD &d) { return memory::desc({d.B, d.Cout, d.To}, dt::f32, tag::nwc); }
static memory::desc wei_user(const CD &d) { return memory::desc({d.Cout, d.Cin, d.K}, dt::f32, tag::wio); }
static memory::desc any_md(memory::dims dims) { return memory::desc(dims, dt::f32, tag::any); }

static convolution_forward::primitive_desc &fwd_pd(const CD &d) {
  std::string k = key("fwdpd", d);
  auto it = g_fwd_pd.find(k);
  if (it != g_fwd_pd.end()) return it->second;
  auto desc = convolution_forward::desc(prop_kind::forward_training, algorithm::convolution_direct,
                                        any_md({d.B, d.Cin, d.T}), any_md({d.Cout, d.Cin, d.K}),
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
                                                any_md({d.Cout, d.Cin, d.K}), any_md({d.B, d.Cout, d.To}),
                                                {d.stride}, {d.pl}, {d.pr});
    auto pd = convolution_backward_data::primitive_desc(desc, eng(), fpd);
    p->prim = convolution_backward_data(pd);
    p->impl = pd.impl_info_str();
    add_arg(*p, DNNL_ARG_DIFF_DST, dst_user(d), pd.diff_dst_desc(), false);
    add_arg(*p, DNNL_ARG_WEIGHTS, wei_user(d), pd.weights_desc(), false);
    add_arg(*p, DNNL_ARG_DIFF_SRC, src_user(d), pd.diff_src_desc(), true);
  } else if (kd == "wei") {
    auto &fpd = fwd_pd(d);
    auto desc = convolution_backward_weights::desc(algorithm::convolution_direct, any_md({d.B, d.Cin, d.T}),
                                                   any_md({d.Cout, d.Cin, d.K}), any_md({d.B, d.Cout, d.To}),
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

static napi_value str(napi_env env, const std::string &s) {
  napi_value v;
  napi_create_string_utf8(env, s.c_str(), NAPI_AUTO_LENGTH, &v);
  return v;
}

// conv JS: fn(a, b, out: Float32Array, B, T, Cin, K, Cout, padL, padR, stride) -> impl string
// pool JS: fn(x, out: Float32Array, B, T, C, K, stride, padL, padR) / backward fn(x, dy, dx, B, T, C, K, stride, padL, padR)
static napi_value call(napi_env env, napi_callback_info info, const char *kind) {
  std::string kd(kind);
  const bool pool = kd[0] == 'p';
  const size_t nArr = kd == "pfw" ? 2 : 3;
  const size_t nInt = pool ? 7 : 8;
  size_t argc = 12;
  napi_value argv[12];
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
  for (size_t i = 0; i < nArr; i++) {
    if (len[i] != need[i]) {
      napi_throw_range_error(env, nullptr, ("ecgssl-dnnl " + kd + ": argument " + std::to_string(i) + " has " + std::to_string(len[i]) + " elements, expected " + std::to_string(need[i])).c_str());
      return nullptr;
    }
  }
  try {
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
  return GetThreads(env, info);
}
static napi_value CachedPlans(napi_env env, napi_callback_info) {
  napi_value r;
  napi_create_int32(env, (int32_t)g_plans.size(), &r);
  return r;
}

static napi_value Init(napi_env env, napi_value exports) {
  napi_property_descriptor desc[] = {
      {"conv1dForward", nullptr, Fwd, nullptr, nullptr, nullptr, napi_default, nullptr},
      {"conv1dBackwardData", nullptr, BwdData, nullptr, nullptr, nullptr, napi_default, nullptr},
      {"conv1dBackwardWeights", nullptr, BwdWeights, nullptr, nullptr, nullptr, napi_default, nullptr},
      {"maxPool1dForward", nullptr, PoolFwd, nullptr, nullptr, nullptr, napi_default, nullptr},
      {"maxPool1dBackward", nullptr, PoolBwd, nullptr, nullptr, nullptr, napi_default, nullptr},
      {"version", nullptr, Version, nullptr, nullptr, nullptr, napi_default, nullptr},
      {"getThreads", nullptr, GetThreads, nullptr, nullptr, nullptr, napi_default, nullptr},
      {"setThreads", nullptr, SetThreads, nullptr, nullptr, nullptr, napi_default, nullptr},
      {"cachedPlans", nullptr, CachedPlans, nullptr, nullptr, nullptr, napi_default, nullptr},
  };
  napi_define_properties(env, exports, sizeof desc / sizeof desc[0], desc);
  return exports;
}
NAPI_MODULE(NODE_GYP_MODULE_NAME, Init)
