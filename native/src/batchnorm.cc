// Batch normalisation in training mode as two fused kernels (for a layer that normalises with the batch's own
// statistics): the forward pass computes the per-channel mean and variance and normalises in three passes over
// x; the backward pass differentiates through the statistics too, in two passes over x and dy:
//   x̂ = (x − μ)/√(σ² + ε),  y = γ·x̂ + β
//   dβ = Σ dy,  dγ = Σ dy·x̂,  dx = γ/√(σ² + ε) · (dy − dβ/n − x̂·dγ/n)
// x, y, dy, dx: [rows, channels] (channels last); μ, σ² (biased, as tf.moments), γ, β: [channels].
#include <omp.h>

#include <cmath>
#include <vector>

#include "common.h"
#include "parallel.h"

namespace tsgan {
namespace {

/**
 * Per-channel sums over rows of [rows, channels] data, split over the OpenMP pool: `visit(row, sums)` adds one
 * row's contributions to `sums` (`width` doubles per channel block); returns the totals.
 */
template <typename Visit>
std::vector<double> channelSums(int64_t rows, int64_t channels, int width, Visit visit) {
  const int threads = numThreads();
  const bool parallel = rows * channels >= kParallelThreshold && threads > 1 && rows >= threads;
  const int parts = parallel ? threads : 1;
  std::vector<double> partial(static_cast<size_t>(parts) * width * channels, 0.0);
  auto run = [&](int part, int64_t begin, int64_t end) {
    double* sums = partial.data() + static_cast<size_t>(part) * width * channels;
    for (int64_t row = begin; row < end; row++) visit(row, sums);
  };
  if (parallel) {
#pragma omp parallel num_threads(parts)
    {
      const int part = omp_get_thread_num(), count = omp_get_num_threads();
      run(part, rows * part / count, rows * (part + 1) / count);
    }
  } else {
    run(0, 0, rows);
  }
  std::vector<double> total(static_cast<size_t>(width) * channels, 0.0);
  for (int part = 0; part < parts; part++) {
    const double* sums = partial.data() + static_cast<size_t>(part) * width * channels;
    for (size_t i = 0; i < total.size(); i++) total[i] += sums[i];
  }
  return total;
}

/**
 * batchNormTraining(x, scale|null, offset|null, epsilon, channels, y, mean, variance):
 * y = γ·(x − μ)/√(σ² + ε) + β with μ, σ² the batch statistics over every row (written to mean, variance).
 */
Napi::Value BatchNormTraining(const Napi::CallbackInfo& info) {
  auto xArray = info[0].As<Napi::Float32Array>();
  const float* x = floatArg(info, 0);
  const float* scale = optionalFloatArg(info, 1);
  const float* offset = optionalFloatArg(info, 2);
  const float epsilon = static_cast<float>(numberArg(info, 3));
  const int64_t channels = intArg(info, 4);
  float* y = floatArg(info, 5);
  float* mean = floatArg(info, 6);
  float* variance = floatArg(info, 7);
  const int64_t total = static_cast<int64_t>(xArray.ElementLength());
  if (channels < 1 || total % channels != 0 || total == 0) {
    throw Napi::Error::New(info.Env(), "batchNormTraining: bad channel count");
  }
  const int64_t rows = total / channels;
  const double count = static_cast<double>(rows);
  // Pass 1: mean. Pass 2: variance as the mean squared deviation (as tf.moments computes it).
  std::vector<double> sums = channelSums(rows, channels, 1, [&](int64_t row, double* s) {
    const float* xRow = x + row * channels;
#pragma omp simd
    for (int64_t c = 0; c < channels; c++) s[c] += xRow[c];
  });
  for (int64_t c = 0; c < channels; c++) mean[c] = static_cast<float>(sums[c] / count);
  std::vector<double> squares = channelSums(rows, channels, 1, [&](int64_t row, double* s) {
    const float* xRow = x + row * channels;
#pragma omp simd
    for (int64_t c = 0; c < channels; c++) {
      const float deviation = xRow[c] - mean[c];
      s[c] += static_cast<double>(deviation) * deviation;
    }
  });
  std::vector<float> factor(channels), shift(channels);
  for (int64_t c = 0; c < channels; c++) {
    variance[c] = static_cast<float>(squares[c] / count);
    const float invStd = static_cast<float>(1.0 / std::sqrt(static_cast<double>(variance[c] + epsilon)));
    factor[c] = invStd * (scale == nullptr ? 1.f : scale[c]);
    shift[c] = offset == nullptr ? 0.f : offset[c];
  }
  // Pass 3: y = (x − μ)·γ/√(σ² + ε) + β.
  const float* m = mean;
  const float* a = factor.data();
  const float* b = shift.data();
  parallelFor(rows, [&](int64_t begin, int64_t end) {
    for (int64_t row = begin; row < end; row++) {
      const float* xRow = x + row * channels;
      float* yRow = y + row * channels;
#pragma omp simd
      for (int64_t c = 0; c < channels; c++) yRow[c] = (xRow[c] - m[c]) * a[c] + b[c];
    }
  }, std::max<int64_t>(1, kParallelThreshold / channels));
  return info.Env().Undefined();
}

/**
 * batchNormTrainingGrad(dy, x, mean, variance, scale|null, epsilon, channels, dx, dScale, dOffset): gradients of
 * batchNormTraining with respect to x (through the batch statistics), γ and β.
 */
Napi::Value BatchNormTrainingGrad(const Napi::CallbackInfo& info) {
  auto dyArray = info[0].As<Napi::Float32Array>();
  const float* dy = floatArg(info, 0);
  const float* x = floatArg(info, 1);
  const float* mean = floatArg(info, 2);
  const float* variance = floatArg(info, 3);
  const float* scale = optionalFloatArg(info, 4);
  const float epsilon = static_cast<float>(numberArg(info, 5));
  const int64_t channels = intArg(info, 6);
  float* dx = floatArg(info, 7);
  float* dScale = floatArg(info, 8);
  float* dOffset = floatArg(info, 9);
  const int64_t total = static_cast<int64_t>(dyArray.ElementLength());
  if (channels < 1 || total % channels != 0 || total == 0) {
    throw Napi::Error::New(info.Env(), "batchNormTrainingGrad: bad channel count");
  }
  const int64_t rows = total / channels;
  std::vector<float> invStd(channels);
  for (int64_t c = 0; c < channels; c++) {
    invStd[c] = static_cast<float>(1.0 / std::sqrt(static_cast<double>(variance[c] + epsilon)));
  }
  // Pass 1: Σ dy and Σ dy·x̂ per channel.
  const float* is = invStd.data();
  std::vector<double> sums = channelSums(rows, channels, 2, [&](int64_t row, double* s) {
    const float* xRow = x + row * channels;
    const float* dyRow = dy + row * channels;
    double* sumDyNormalised = s + channels;
#pragma omp simd
    for (int64_t c = 0; c < channels; c++) {
      s[c] += dyRow[c];
      sumDyNormalised[c] += static_cast<double>(dyRow[c]) * ((xRow[c] - mean[c]) * is[c]);
    }
  });
  const double count = static_cast<double>(rows);
  std::vector<float> gain(channels), meanDy(channels), meanDyNormalised(channels);
  for (int64_t c = 0; c < channels; c++) {
    dOffset[c] = static_cast<float>(sums[c]);
    dScale[c] = static_cast<float>(sums[channels + c]);
    gain[c] = invStd[c] * (scale == nullptr ? 1.f : scale[c]);
    meanDy[c] = static_cast<float>(sums[c] / count);
    meanDyNormalised[c] = static_cast<float>(sums[channels + c] / count);
  }
  // Pass 2: dx = γ/√(σ² + ε) · (dy − mean(dy) − x̂·mean(dy·x̂)).
  const float* g = gain.data();
  const float* md = meanDy.data();
  const float* mdn = meanDyNormalised.data();
  parallelFor(rows, [&](int64_t begin, int64_t end) {
    for (int64_t row = begin; row < end; row++) {
      const float* xRow = x + row * channels;
      const float* dyRow = dy + row * channels;
      float* dxRow = dx + row * channels;
#pragma omp simd
      for (int64_t c = 0; c < channels; c++) {
        const float normalised = (xRow[c] - mean[c]) * is[c];
        dxRow[c] = g[c] * (dyRow[c] - md[c] - normalised * mdn[c]);
      }
    }
  }, std::max<int64_t>(1, kParallelThreshold / channels));
  return info.Env().Undefined();
}

}  // namespace

void registerBatchNorm(Napi::Env env, Napi::Object exports) {
  exports.Set("batchNormTraining", Napi::Function::New(env, BatchNormTraining, "batchNormTraining"));
  exports.Set("batchNormTrainingGrad", Napi::Function::New(env, BatchNormTrainingGrad, "batchNormTrainingGrad"));
}

}  // namespace tsgan
