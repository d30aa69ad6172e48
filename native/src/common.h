// Shared helpers of the tsgan native engine: the oneDNN engine and stream, argument readers, a small cache.
#pragma once

#include <napi.h>

#include <cstdint>
#include <cstring>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "oneapi/dnnl/dnnl.hpp"

namespace tsgan {

/** The process-wide oneDNN CPU engine (created on first use). */
dnnl::engine& cpuEngine();
/** The process-wide in-order stream on cpuEngine(); every primitive runs on it synchronously. */
dnnl::stream& cpuStream();
/** Number of OpenMP threads used by oneDNN and by the element-wise loops. */
int numThreads();

/**
 * Below this many elements a loop runs on the calling thread only: waking the pool (tens of µs, far more when other
 * processes share the cores) costs more than splitting a memory-bound pass this short saves.
 */
constexpr int64_t kParallelThreshold = 1 << 17;

/** Reads argument `index` as a Float32Array and returns its data (byte offset applied). */
inline float* floatArg(const Napi::CallbackInfo& info, size_t index) {
  if (!info[index].IsTypedArray()) {
    throw Napi::TypeError::New(info.Env(), "argument " + std::to_string(index) + " must be a Float32Array");
  }
  auto array = info[index].As<Napi::TypedArray>();
  if (array.TypedArrayType() != napi_float32_array) {
    throw Napi::TypeError::New(info.Env(), "argument " + std::to_string(index) + " must be a Float32Array");
  }
  return array.As<Napi::Float32Array>().Data();
}

/** Like floatArg but returns nullptr for `null` / `undefined`. */
inline float* optionalFloatArg(const Napi::CallbackInfo& info, size_t index) {
  if (info.Length() <= index || info[index].IsNull() || info[index].IsUndefined()) return nullptr;
  return floatArg(info, index);
}

/** Reads argument `index` as a Uint8Array (TF.js stores bool tensors so). */
inline uint8_t* byteArg(const Napi::CallbackInfo& info, size_t index) {
  if (!info[index].IsTypedArray() || info[index].As<Napi::TypedArray>().TypedArrayType() != napi_uint8_array) {
    throw Napi::TypeError::New(info.Env(), "argument " + std::to_string(index) + " must be a Uint8Array");
  }
  return info[index].As<Napi::Uint8Array>().Data();
}

/** Reads argument `index` as an integer. */
inline int64_t intArg(const Napi::CallbackInfo& info, size_t index) {
  return info[index].As<Napi::Number>().Int64Value();
}

/** Reads argument `index` as a double. */
inline double numberArg(const Napi::CallbackInfo& info, size_t index) {
  return info[index].As<Napi::Number>().DoubleValue();
}

/** Reads argument `index` as an array of integers (a shape or a parameter list). */
inline std::vector<int64_t> intsArg(const Napi::CallbackInfo& info, size_t index) {
  std::vector<int64_t> values;
  if (info[index].IsTypedArray()) {
    auto array = info[index].As<Napi::Int32Array>();
    values.assign(array.Data(), array.Data() + array.ElementLength());
    return values;
  }
  auto array = info[index].As<Napi::Array>();
  values.reserve(array.Length());
  for (uint32_t i = 0; i < array.Length(); i++) values.push_back(array.Get(i).As<Napi::Number>().Int64Value());
  return values;
}

/**
 * A map from an integer key (shapes and parameters) to a compiled primitive bundle. Bundles are never evicted
 * while the map holds fewer than `capacity` entries; past that the whole map is cleared (shapes in a training
 * loop repeat, so this only happens for workloads with unbounded shape variety).
 */
template <typename Value>
class PrimitiveCache {
 public:
  explicit PrimitiveCache(size_t capacity) : capacity_(capacity) {}

  template <typename Make>
  Value& get(const std::vector<int64_t>& key, Make make) {
    auto found = entries_.find(key);
    if (found != entries_.end()) return *found->second;
    if (entries_.size() >= capacity_) entries_.clear();
    auto inserted = entries_.emplace(key, std::make_unique<Value>(make()));
    return *inserted.first->second;
  }

  size_t size() const { return entries_.size(); }
  void clear() { entries_.clear(); }

 private:
  size_t capacity_;
  std::map<std::vector<int64_t>, std::unique_ptr<Value>> entries_;
};

/**
 * One argument of a oneDNN primitive whose user layout (e.g. NHWC) may differ from the layout the primitive
 * chose: holds the reorder and the primitive-layout buffer when they differ.
 */
struct LayoutBridge {
  dnnl::memory::desc user;
  dnnl::memory::desc chosen;
  bool needsReorder = false;
  mutable dnnl::memory buffer;  // in the chosen layout, owned here
  dnnl::reorder toChosen;       // user -> chosen (inputs)
  dnnl::reorder toUser;         // chosen -> user (outputs)

  LayoutBridge() = default;
  LayoutBridge(const dnnl::memory::desc& userDesc, const dnnl::memory::desc& chosenDesc, bool isInput)
      : user(userDesc), chosen(chosenDesc), needsReorder(userDesc != chosenDesc) {
    if (!needsReorder) return;
    buffer = dnnl::memory(chosen, cpuEngine());
    if (isInput) {
      toChosen = dnnl::reorder(dnnl::reorder::primitive_desc(cpuEngine(), user, cpuEngine(), chosen));
    } else {
      toUser = dnnl::reorder(dnnl::reorder::primitive_desc(cpuEngine(), chosen, cpuEngine(), user));
    }
  }

  /** Wraps `data` (user layout) and, for an input, reorders it; returns the memory to hand to the primitive. */
  dnnl::memory input(float* data) const {
    dnnl::memory userMemory(user, cpuEngine(), data);
    if (!needsReorder) return userMemory;
    toChosen.execute(cpuStream(), userMemory, buffer);
    return buffer;
  }

  /** The memory a primitive writes this output to (`data` itself when no reorder is needed). */
  dnnl::memory output(float* data) const {
    if (!needsReorder) return dnnl::memory(user, cpuEngine(), data);
    return buffer;
  }

  /** After the primitive ran: copies the chosen-layout output into `data`. */
  void finishOutput(float* data) const {
    if (!needsReorder) return;
    dnnl::memory userMemory(user, cpuEngine(), data);
    toUser.execute(cpuStream(), buffer, userMemory);
  }
};

/** Registration hooks of the source files (each adds its functions to the module's exports). */
void registerConvolution(Napi::Env env, Napi::Object exports);
void registerMatmul(Napi::Env env, Napi::Object exports);
void registerElementwise(Napi::Env env, Napi::Object exports);
void registerReduce(Napi::Env env, Napi::Object exports);
void registerLayout(Napi::Env env, Napi::Object exports);
void registerGradients(Napi::Env env, Napi::Object exports);
void registerOptimizers(Napi::Env env, Napi::Object exports);
void registerBatchNorm(Napi::Env env, Napi::Object exports);

}  // namespace tsgan
