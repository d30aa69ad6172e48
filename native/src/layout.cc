// Data-movement and normalisation kernels: Tile (repeat along axes), Transpose (permute axes) and FusedBatchNorm's
// forward pass.
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

/**
 * transpose(x, inShape, perm, out): out[i0, ..., ik] = x[j] with j's axis perm[d] at index i_d, out shape =
 * inShape permuted by perm. When the last axis stays last (PacGAN's packing moves the pack axis next to the
 * channels), each output row is one contiguous input row and is copied whole; otherwise element by element. The
 * output is walked in order with an odometer over its axes, so the input offset is updated by one addition per
 * element (or row) instead of being recomputed from the index.
 */
Napi::Value Transpose(const Napi::CallbackInfo& info) {
  const float* x = floatArg(info, 0);
  std::vector<int64_t> inShape = intsArg(info, 1);
  std::vector<int64_t> perm = intsArg(info, 2);
  float* out = floatArg(info, 3);
  const size_t rank = inShape.size();
  if (rank == 0 || perm.size() != rank) throw Napi::Error::New(info.Env(), "transpose: rank mismatch");
  std::vector<bool> seen(rank, false);
  for (int64_t axis : perm) {
    if (axis < 0 || axis >= static_cast<int64_t>(rank) || seen[axis]) {
      throw Napi::Error::New(info.Env(), "transpose: perm is not a permutation of the axes");
    }
    seen[axis] = true;
  }
  std::vector<int64_t> inStride(rank, 1);
  for (size_t d = rank - 1; d-- > 0;) inStride[d] = inStride[d + 1] * inShape[d + 1];
  // The axes walked: all of them, or all but a last axis that stays last (copied as a block).
  const bool lastStays = perm[rank - 1] == static_cast<int64_t>(rank) - 1;
  const int64_t block = lastStays ? inShape[rank - 1] : 1;
  const size_t walked = lastStays ? rank - 1 : rank;
  std::vector<int64_t> shape(walked), stride(walked);
  int64_t rows = 1;
  for (size_t d = 0; d < walked; d++) {
    shape[d] = inShape[perm[d]];
    stride[d] = inStride[perm[d]];
    rows *= shape[d];
  }
  if (rows * block == 0) return info.Env().Undefined();
  const int64_t grain = std::max<int64_t>(1, kParallelThreshold / block);
  parallelFor(rows, [&](int64_t begin, int64_t end) {
    std::vector<int64_t> index(walked, 0);
    int64_t offset = 0;
    for (size_t d = walked, rest = static_cast<size_t>(begin); d-- > 0;) {
      index[d] = static_cast<int64_t>(rest) % shape[d];
      rest /= static_cast<size_t>(shape[d]);
      offset += index[d] * stride[d];
    }
    for (int64_t row = begin; row < end; row++) {
      if (block == 1) {
        out[row] = x[offset];
      } else {
        std::memcpy(out + row * block, x + offset, block * sizeof(float));
      }
      for (size_t d = walked; d-- > 0;) {  // the odometer: next output index, carrying into outer axes
        offset += stride[d];
        if (++index[d] < shape[d]) break;
        offset -= stride[d] * shape[d];
        index[d] = 0;
      }
    }
  }, grain);
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
  exports.Set("transpose", Napi::Function::New(env, Transpose, "transpose"));
  exports.Set("batchNorm", Napi::Function::New(env, BatchNorm, "batchNorm"));
}

}  // namespace tsgan
