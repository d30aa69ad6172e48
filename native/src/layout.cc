// Data-movement and normalisation kernels: Tile (repeat along axes) and FusedBatchNorm's forward pass.
#include <cmath>
#include <cstring>
#include <vector>

#include "common.h"
#include "parallel.h"

namespace tsgan {
namespace {

/**
 * tile(x, inShape, out, reps): out[i0..ik] = x[i0 % in0, ..., ik % ink], out shape = inShape * reps.
 * Each output row (last axis) is the matching input row repeated reps[last] times.
 */
Napi::Value Tile(const Napi::CallbackInfo& info) {
  const float* x = floatArg(info, 0);
  std::vector<int64_t> inShape = intsArg(info, 1);
  float* out = floatArg(info, 2);
  std::vector<int64_t> reps = intsArg(info, 3);
  const size_t rank = inShape.size();
  if (rank == 0 || reps.size() != rank) throw Napi::Error::New(info.Env(), "tile: rank mismatch");
  const int64_t rowLength = inShape[rank - 1];
  const int64_t outRowLength = rowLength * reps[rank - 1];
  int64_t rows = 1;
  std::vector<int64_t> outShape(rank);
  for (size_t d = 0; d < rank; d++) {
    outShape[d] = inShape[d] * reps[d];
    if (d + 1 < rank) rows *= outShape[d];
  }
  if (rows * outRowLength == 0) return info.Env().Undefined();
  const int64_t rowGrain = std::max<int64_t>(1, kParallelThreshold / std::max<int64_t>(outRowLength, 1));
  parallelFor(rows, [&](int64_t begin, int64_t end) {
    for (int64_t row = begin; row < end; row++) {
      // Input row of this output row: each outer index modulo the input's size.
      int64_t rest = row, inputRow = 0, stride = 1;
      for (size_t d = rank - 1; d-- > 0;) {
        int64_t index = rest % outShape[d];
        rest /= outShape[d];
        inputRow += (index % inShape[d]) * stride;
        stride *= inShape[d];
      }
      const float* source = x + inputRow * rowLength;
      float* destination = out + row * outRowLength;
      if (rowLength == 1) {
        std::fill(destination, destination + outRowLength, source[0]);
      } else {
        for (int64_t r = 0; r < reps[rank - 1]; r++) std::memcpy(destination + r * rowLength, source, rowLength * sizeof(float));
      }
    }
  }, rowGrain);
  return info.Env().Undefined();
}

/** Value of a per-channel parameter array of length `length` (the channel count or 1) at channel `c`. */
inline float channelValue(const float* values, int64_t length, int64_t c) { return values[length == 1 ? 0 : c]; }

/**
 * batchNorm(x, out, channels, mean, meanLength, variance, varianceLength, offset|null, offsetLength,
 *           scale|null, scaleLength, epsilon):
 *   out = (x − mean) · scale / √(variance + ε) + offset, parameters broadcast along the last axis.
 */
Napi::Value BatchNorm(const Napi::CallbackInfo& info) {
  auto xArray = info[0].As<Napi::Float32Array>();
  const float* x = floatArg(info, 0);
  float* out = floatArg(info, 1);
  const int64_t channels = intArg(info, 2);
  const float* mean = floatArg(info, 3);
  const int64_t meanLength = intArg(info, 4);
  const float* variance = floatArg(info, 5);
  const int64_t varianceLength = intArg(info, 6);
  const float* offset = optionalFloatArg(info, 7);
  const int64_t offsetLength = intArg(info, 8);
  const float* scale = optionalFloatArg(info, 9);
  const int64_t scaleLength = intArg(info, 10);
  const float epsilon = static_cast<float>(numberArg(info, 11));
  const int64_t total = static_cast<int64_t>(xArray.ElementLength());
  if (channels < 1 || total % channels != 0) throw Napi::Error::New(info.Env(), "batchNorm: bad channel count");
  // Per-channel factor and shift, computed once.
  std::vector<float> channelMean(channels), factor(channels), shift(channels);
  for (int64_t c = 0; c < channels; c++) {
    float s = scale == nullptr ? 1.f : channelValue(scale, scaleLength, c);
    channelMean[c] = channelValue(mean, meanLength, c);
    factor[c] = s / std::sqrt(channelValue(variance, varianceLength, c) + epsilon);
    shift[c] = offset == nullptr ? 0.f : channelValue(offset, offsetLength, c);
  }
  const int64_t rows = total / channels;
  const int64_t rowGrain = std::max<int64_t>(1, kParallelThreshold / channels);
  const float* m = channelMean.data();
  const float* a = factor.data();
  const float* b = shift.data();
  parallelFor(rows, [&](int64_t begin, int64_t end) {
    for (int64_t row = begin; row < end; row++) {
      const float* source = x + row * channels;
      float* destination = out + row * channels;
#pragma omp simd
      for (int64_t c = 0; c < channels; c++) destination[c] = (source[c] - m[c]) * a[c] + b[c];
    }
  }, rowGrain);
  return info.Env().Undefined();
}

}  // namespace

void registerLayout(Napi::Env env, Napi::Object exports) {
  exports.Set("tile", Napi::Function::New(env, Tile, "tile"));
  exports.Set("batchNorm", Napi::Function::New(env, BatchNorm, "batchNorm"));
}

}  // namespace tsgan
