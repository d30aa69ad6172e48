// Fused activations shared by convolution and matmul (codes mirror src/node/engine/native/addon.ts).
#pragma once

#include "common.h"

namespace tsgan {

/** Activation codes passed from TypeScript. */
enum class Activation : int { None = 0, Relu = 1, Relu6 = 2, Elu = 3, LeakyRelu = 4, Sigmoid = 5, Tanh = 6 };

/** Appends `activation` as a oneDNN eltwise post-op; returns false for a code it does not know. */
inline bool appendActivation(dnnl::post_ops& ops, int code, float alpha) {
  using algorithm = dnnl::algorithm;
  switch (static_cast<Activation>(code)) {
    case Activation::None: return true;
    case Activation::Relu: ops.append_eltwise(1.f, algorithm::eltwise_relu, 0.f, 0.f); return true;
    case Activation::Relu6: ops.append_eltwise(1.f, algorithm::eltwise_clip, 0.f, 6.f); return true;
    case Activation::Elu: ops.append_eltwise(1.f, algorithm::eltwise_elu, 1.f, 0.f); return true;
    case Activation::LeakyRelu: ops.append_eltwise(1.f, algorithm::eltwise_relu, alpha, 0.f); return true;
    case Activation::Sigmoid: ops.append_eltwise(1.f, algorithm::eltwise_logistic, 0.f, 0.f); return true;
    case Activation::Tanh: ops.append_eltwise(1.f, algorithm::eltwise_tanh, 0.f, 0.f); return true;
  }
  return false;
}

/** Reinterprets a float's bits as an integer, to put a float parameter into an integer cache key. */
inline int64_t floatKey(float value) {
  int32_t bits;
  static_assert(sizeof(bits) == sizeof(value), "float is 32-bit");
  std::memcpy(&bits, &value, sizeof(bits));
  return bits;
}

}  // namespace tsgan
