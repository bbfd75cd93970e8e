// Argument checks shared by the addon's entry points (addon.cc, fftconv.cc): typed-array and number arguments
// read onto the stack, and the named errors they throw ("ecgssl-dnnl <name>: argument i ...", i counted from 0
// over all of the call's arguments).
#pragma once
#include <node_api.h>

#include <cstddef>
#include <string>

// Float32Array arguments (data, element count) and number arguments of one call.
struct F32Args {
  static constexpr size_t kMax = 8;
  float *arr[kMax];
  size_t len[kMax];
  double num[kMax];
};

// Reads nArr Float32Arrays starting at argument `first`, then nNum numbers (first + nArr + nNum <= 8). On a
// missing or mistyped argument throws a named error and returns false.
inline bool f32_args(napi_env env, napi_callback_info info, size_t nArr, size_t nNum, const char *name, F32Args &a,
                     size_t first = 0) {
  size_t argc = 8;
  napi_value argv[8];
  napi_get_cb_info(env, info, &argc, argv, nullptr, nullptr);
  if (argc < first + nArr + nNum || first + nArr + nNum > 8 || nArr > F32Args::kMax || nNum > F32Args::kMax) {
    napi_throw_error(env, nullptr, (std::string("ecgssl-dnnl ") + name + ": expected " + std::to_string(first + nArr + nNum) + " arguments").c_str());
    return false;
  }
  for (size_t i = 0; i < nArr; i++) {
    napi_typedarray_type t;
    napi_value ab;
    size_t off;
    void *data;
    if (napi_get_typedarray_info(env, argv[first + i], &t, &a.len[i], &data, &ab, &off) != napi_ok || t != napi_float32_array) {
      napi_throw_type_error(env, nullptr, (std::string("ecgssl-dnnl ") + name + ": argument " + std::to_string(first + i) + " must be a Float32Array").c_str());
      return false;
    }
    a.arr[i] = static_cast<float *>(data);
  }
  for (size_t i = 0; i < nNum; i++) {
    if (napi_get_value_double(env, argv[first + nArr + i], &a.num[i]) != napi_ok) {
      napi_throw_type_error(env, nullptr, (std::string("ecgssl-dnnl ") + name + ": argument " + std::to_string(first + nArr + i) + " must be a number").c_str());
      return false;
    }
  }
  return true;
}

// Throws the named RangeError of a typed array argument (argument i) with the wrong number of elements.
inline bool expect_len(napi_env env, const std::string &name, size_t i, size_t len, size_t need) {
  if (len == need) return true;
  napi_throw_range_error(env, nullptr, ("ecgssl-dnnl " + name + ": argument " + std::to_string(i) + " has " + std::to_string(len) + " elements, expected " + std::to_string(need)).c_str());
  return false;
}
