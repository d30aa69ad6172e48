// Fused gradient kernels for the native backend (used by src/node/engine/native/gradients.ts in place of TF.js's
// multi-op gradient formulas): activation gradients in one pass, batch normalisation's five gradients in two.
#include <omp.h>

#include <cmath>
#include <vector>

#include "common.h"
#include "parallel.h"

namespace tsgan {
namespace {

/** Activation-gradient codes (mirror ActivationGradOp in addon.ts). */
enum class ActivationGradOp : int { Relu = 0, LeakyRelu = 1, Tanh = 2, Sigmoid = 3, Square = 4 };

template <typename Function>
void mapBinaryRange(const float* __restrict dy, const float* __restrict other, float* __restrict out, int64_t begin,
                    int64_t end, Function function) {
#pragma omp simd
  for (int64_t i = begin; i < end; i++) out[i] = function(dy[i], other[i]);
}

template <typename Function>
void mapBinary(const float* dy, const float* other, float* out, int64_t n, Function function) {
  parallelFor(n, [dy, other, out, function](int64_t begin, int64_t end) {
    mapBinaryRange(dy, other, out, begin, end, function);
  });
}

/**
 * activationGrad(op, dy, other, out, alpha): dx for y = f(x), with `other` = x (Relu, LeakyRelu, Square) or
 * y (Tanh, Sigmoid). Same formulas, in the same order, as TF.js's gradients:
 *   Relu: dy·step(x)   LeakyRelu: x > 0 ? dy : dy·α   Tanh: (1 − y²)·dy   Sigmoid: dy·(y·(1 − y))   Square: dy·(2x)
 */
Napi::Value ActivationGrad(const Napi::CallbackInfo& info) {
  auto op = static_cast<ActivationGradOp>(intArg(info, 0));
  auto dyArray = info[1].As<Napi::Float32Array>();
  const float* dy = floatArg(info, 1);
  const float* other = floatArg(info, 2);
  float* out = floatArg(info, 3);
  const float alpha = static_cast<float>(numberArg(info, 4));
  const int64_t n = static_cast<int64_t>(dyArray.ElementLength());
  switch (op) {
    case ActivationGradOp::Relu:
      mapBinary(dy, other, out, n, [](float g, float x) {
        const float step = x > 0.f ? 1.f : 0.f;
        return g * (x != x ? x : step);
      });
      break;
    case ActivationGradOp::LeakyRelu:
      mapBinary(dy, other, out, n, [alpha](float g, float x) {
        const float scaled = g * alpha;
        return x > 0.f ? g : scaled;
      });
      break;
    case ActivationGradOp::Tanh:
      mapBinary(dy, other, out, n, [](float g, float y) {
        const float square = y * y;
        const float slope = 1.f - square;
        return slope * g;
      });
      break;
    case ActivationGradOp::Sigmoid:
      mapBinary(dy, other, out, n, [](float g, float y) {
        const float complement = 1.f - y;
        const float slope = y * complement;
        return g * slope;
      });
      break;
    case ActivationGradOp::Square:
      mapBinary(dy, other, out, n, [](float g, float x) {
        const float twice = x * 2.f;
        return g * twice;
      });
      break;
    default:
      throw Napi::Error::New(info.Env(), "activationGrad: unknown op");
  }
  return info.Env().Undefined();
}

/**
 * batchNormGrad(x, dy, mean, variance, scale|null, epsilon, channels, dx, dMean, dVariance, dScale, dOffset):
 * the gradients of y = (x − μ)·γ/√(σ² + ε) + β with respect to x, μ, σ², γ, β (μ, σ² as independent inputs,
 * as TF.js's FusedBatchNorm gradient defines them). x, dy, dx: [rows, channels]; the rest: [channels].
 */
Napi::Value BatchNormGrad(const Napi::CallbackInfo& info) {
  auto xArray = info[0].As<Napi::Float32Array>();
  const float* x = floatArg(info, 0);
  const float* dy = floatArg(info, 1);
  const float* mean = floatArg(info, 2);
  const float* variance = floatArg(info, 3);
  const float* scale = optionalFloatArg(info, 4);
  const float epsilon = static_cast<float>(numberArg(info, 5));
  const int64_t channels = intArg(info, 6);
  float* dx = floatArg(info, 7);
  float* dMean = floatArg(info, 8);
  float* dVariance = floatArg(info, 9);
  float* dScale = floatArg(info, 10);
  float* dOffset = floatArg(info, 11);
  const int64_t total = static_cast<int64_t>(xArray.ElementLength());
  if (channels < 1 || total % channels != 0) throw Napi::Error::New(info.Env(), "batchNormGrad: bad channel count");
  const int64_t rows = total / channels;

  // Pass 1: per-channel Σ dy and Σ dy·(x − μ), per-thread partial sums in double.
  const int threads = numThreads();
  std::vector<double> partial(static_cast<size_t>(threads) * 2 * channels, 0.0);
  auto accumulate = [&](int part, int64_t rowBegin, int64_t rowEnd) {
    double* sumDy = partial.data() + static_cast<size_t>(part) * 2 * channels;
    double* sumDyCentred = sumDy + channels;
    for (int64_t row = rowBegin; row < rowEnd; row++) {
      const float* xRow = x + row * channels;
      const float* dyRow = dy + row * channels;
#pragma omp simd
      for (int64_t c = 0; c < channels; c++) {
        sumDy[c] += dyRow[c];
        sumDyCentred[c] += static_cast<double>(dyRow[c]) * (xRow[c] - mean[c]);
      }
    }
  };
  if (total >= kParallelThreshold && threads > 1 && rows >= threads) {
#pragma omp parallel num_threads(threads)
    {
      const int part = omp_get_thread_num(), parts = omp_get_num_threads();
      accumulate(part, rows * part / parts, rows * (part + 1) / parts);
    }
  } else {
    accumulate(0, 0, rows);
  }
  std::vector<float> inverseStd(channels), factor(channels);
  for (int64_t c = 0; c < channels; c++) {
    double sumDy = 0, sumDyCentred = 0;
    for (int t = 0; t < threads; t++) {
      sumDy += partial[static_cast<size_t>(t) * 2 * channels + c];
      sumDyCentred += partial[static_cast<size_t>(t) * 2 * channels + channels + c];
    }
    const float gamma = scale == nullptr ? 1.f : scale[c];
    const float invStd = static_cast<float>(1.0 / std::sqrt(static_cast<double>(variance[c] + epsilon)));
    inverseStd[c] = invStd;
    factor[c] = invStd * gamma;
    dOffset[c] = static_cast<float>(sumDy);
    dScale[c] = static_cast<float>(sumDyCentred * invStd);
    dMean[c] = static_cast<float>(-static_cast<double>(invStd) * gamma * sumDy);
    const double invStdCubed = static_cast<double>(invStd) * invStd * invStd;
    dVariance[c] = static_cast<float>(-0.5 * invStdCubed * gamma * sumDyCentred);
  }
  // Pass 2: dx = dy · γ/√(σ² + ε).
  const float* f = factor.data();
  const int64_t rowGrain = std::max<int64_t>(1, kParallelThreshold / channels);
  parallelFor(rows, [&](int64_t begin, int64_t end) {
    for (int64_t row = begin; row < end; row++) {
      const float* dyRow = dy + row * channels;
      float* dxRow = dx + row * channels;
#pragma omp simd
      for (int64_t c = 0; c < channels; c++) dxRow[c] = dyRow[c] * f[c];
    }
  }, rowGrain);
  return info.Env().Undefined();
}

}  // namespace

void registerGradients(Napi::Env env, Napi::Object exports) {
  exports.Set("activationGrad", Napi::Function::New(env, ActivationGrad, "activationGrad"));
  exports.Set("batchNormGrad", Napi::Function::New(env, BatchNormGrad, "batchNormGrad"));
}

}  // namespace tsgan
