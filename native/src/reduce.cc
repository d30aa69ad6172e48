// Reductions over one contiguous block of axes: x viewed as [outer, reduced, inner] -> out [outer, inner].
// The TypeScript side merges axes into this form (e.g. a per-channel sum over N,H,W of NHWC is [1, NHW, C]).
// Sums accumulate in double, as TF.js's JavaScript loops do.
#include <cmath>
#include <limits>
#include <vector>

#include "common.h"
#include "parallel.h"

namespace tsgan {
namespace {

/** Reduction codes (mirror ReduceOp in addon.ts). */
enum class ReduceOp : int { Sum = 0, Mean = 1, Max = 2, Min = 3, Prod = 4 };

/** Reduces each row of a [rows, length] block to one value (inner == 1). */
void reduceRows(ReduceOp op, const float* x, float* out, int64_t rows, int64_t length) {
  auto reduceRow = [&](int64_t row) {
    const float* values = x + row * length;
    switch (op) {
      case ReduceOp::Sum:
      case ReduceOp::Mean: {
        double sum = 0;
#pragma omp simd reduction(+ : sum)
        for (int64_t i = 0; i < length; i++) sum += values[i];
        out[row] = static_cast<float>(op == ReduceOp::Mean ? sum / static_cast<double>(length) : sum);
        break;
      }
      case ReduceOp::Max: {
        float best = values[0];
        for (int64_t i = 1; i < length; i++) {
          float v = values[i];
          if (v > best || v != v) best = v;
          if (best != best) break;
        }
        out[row] = best;
        break;
      }
      case ReduceOp::Min: {
        float best = values[0];
        for (int64_t i = 1; i < length; i++) {
          float v = values[i];
          if (v < best || v != v) best = v;
          if (best != best) break;
        }
        out[row] = best;
        break;
      }
      case ReduceOp::Prod: {
        double product = 1;
        for (int64_t i = 0; i < length; i++) product *= values[i];
        out[row] = static_cast<float>(product);
        break;
      }
    }
  };
  if (rows == 1 && length >= kParallelThreshold && (op == ReduceOp::Sum || op == ReduceOp::Mean)) {
    // One long row: partial sums per thread.
    int threads = numThreads();
    std::vector<double> partial(threads, 0.0);
    parallelFor(length, [&](int64_t begin, int64_t end) {
      double sum = 0;
#pragma omp simd reduction(+ : sum)
      for (int64_t i = begin; i < end; i++) sum += x[i];
      partial[omp_get_thread_num()] = sum;
    });
    double sum = 0;
    for (double value : partial) sum += value;
    out[0] = static_cast<float>(op == ReduceOp::Mean ? sum / static_cast<double>(length) : sum);
    return;
  }
  int64_t grain = std::max<int64_t>(1, kParallelThreshold / std::max<int64_t>(length, 1));
  if (op == ReduceOp::Max || op == ReduceOp::Min) {
    // Tight loop without per-row dispatch (short rows, e.g. maxout's 5 pieces, are common).
    const bool isMax = op == ReduceOp::Max;
    parallelFor(rows, [=](int64_t begin, int64_t end) {
      for (int64_t row = begin; row < end; row++) {
        const float* values = x + row * length;
        float best = values[0];
        bool sawNaN = best != best;
        for (int64_t i = 1; i < length; i++) {
          const float v = values[i];
          sawNaN |= v != v;
          best = isMax ? (v > best ? v : best) : (v < best ? v : best);
        }
        out[row] = sawNaN ? std::numeric_limits<float>::quiet_NaN() : best;
      }
    }, grain);
    return;
  }
  parallelFor(rows, [&](int64_t begin, int64_t end) {
    for (int64_t row = begin; row < end; row++) reduceRow(row);
  }, grain);
}

/** Reduces the middle axis of [outer, length, inner] (inner > 1): out[o, i] = op_r x[o, r, i]. */
void reduceColumns(ReduceOp op, const float* x, float* out, int64_t outer, int64_t length, int64_t inner) {
  const int threads = numThreads();
  const bool splitReduced = outer < threads && outer * length * inner >= kParallelThreshold && length >= threads;
  auto accumulate = [&](const float* base, int64_t rBegin, int64_t rEnd, double* accumulator) {
    switch (op) {
      case ReduceOp::Sum:
      case ReduceOp::Mean:
        for (int64_t r = rBegin; r < rEnd; r++) {
          const float* row = base + r * inner;
#pragma omp simd
          for (int64_t i = 0; i < inner; i++) accumulator[i] += row[i];
        }
        break;
      case ReduceOp::Prod:
        for (int64_t r = rBegin; r < rEnd; r++) {
          const float* row = base + r * inner;
#pragma omp simd
          for (int64_t i = 0; i < inner; i++) accumulator[i] *= row[i];
        }
        break;
      case ReduceOp::Max:
        for (int64_t r = rBegin; r < rEnd; r++) {
          const float* row = base + r * inner;
          for (int64_t i = 0; i < inner; i++) {
            double v = row[i];
            if (v > accumulator[i] || v != v) accumulator[i] = v;
          }
        }
        break;
      case ReduceOp::Min:
        for (int64_t r = rBegin; r < rEnd; r++) {
          const float* row = base + r * inner;
          for (int64_t i = 0; i < inner; i++) {
            double v = row[i];
            if (v < accumulator[i] || v != v) accumulator[i] = v;
          }
        }
        break;
    }
  };
  const double start = op == ReduceOp::Prod ? 1.0
                       : op == ReduceOp::Max ? -std::numeric_limits<double>::infinity()
                       : op == ReduceOp::Min ? std::numeric_limits<double>::infinity()
                                             : 0.0;
  // NaN already in an accumulator must stay: max/min comparisons above never replace a NaN accumulator
  // because (v > NaN) is false and v != v only for NaN v, so a NaN, once in, stays.
  auto finish = [&](const double* accumulator, float* destination) {
    for (int64_t i = 0; i < inner; i++) {
      double value = accumulator[i];
      if (op == ReduceOp::Mean) value /= static_cast<double>(length);
      destination[i] = static_cast<float>(value);
    }
  };
  if (splitReduced) {
    std::vector<std::vector<double>> partial(threads, std::vector<double>(inner, start));
    for (int64_t o = 0; o < outer; o++) {
      const float* base = x + o * length * inner;
      for (auto& accumulator : partial) std::fill(accumulator.begin(), accumulator.end(), start);
#pragma omp parallel num_threads(threads)
      {
        int64_t part = omp_get_thread_num(), parts = omp_get_num_threads();
        accumulate(base, length * part / parts, length * (part + 1) / parts, partial[part].data());
      }
      std::vector<double>& total = partial[0];
      for (int t = 1; t < threads; t++) {
        for (int64_t i = 0; i < inner; i++) {
          double v = partial[t][i];
          switch (op) {
            case ReduceOp::Sum: case ReduceOp::Mean: total[i] += v; break;
            case ReduceOp::Prod: total[i] *= v; break;
            case ReduceOp::Max: if (v > total[i] || v != v) total[i] = v; break;
            case ReduceOp::Min: if (v < total[i] || v != v) total[i] = v; break;
          }
        }
      }
      finish(total.data(), out + o * inner);
    }
    return;
  }
  int64_t grain = std::max<int64_t>(1, kParallelThreshold / std::max<int64_t>(length * inner, 1));
  parallelFor(outer, [&](int64_t begin, int64_t end) {
    std::vector<double> accumulator(inner);
    for (int64_t o = begin; o < end; o++) {
      std::fill(accumulator.begin(), accumulator.end(), start);
      accumulate(x + o * length * inner, 0, length, accumulator.data());
      finish(accumulator.data(), out + o * inner);
    }
  }, grain);
}

/** reduce(op, x, out, outer, length, inner): see the file comment. length must be >= 1. */
Napi::Value Reduce(const Napi::CallbackInfo& info) {
  auto op = static_cast<ReduceOp>(intArg(info, 0));
  const float* x = floatArg(info, 1);
  float* out = floatArg(info, 2);
  int64_t outer = intArg(info, 3), length = intArg(info, 4), inner = intArg(info, 5);
  if (length < 1) throw Napi::Error::New(info.Env(), "reduce: empty reduction");
  if (inner == 1) {
    reduceRows(op, x, out, outer, length);
  } else {
    reduceColumns(op, x, out, outer, length, inner);
  }
  return info.Env().Undefined();
}

/**
 * extremumGrad(x, y, dy, out, outer, length, inner): the gradient of a max/min reduction of x [outer, length, inner]
 * to y [outer, inner]: out = dy · (x == y), dy and y broadcast along the reduced axis (ties all get dy, as TF.js).
 */
Napi::Value ExtremumGrad(const Napi::CallbackInfo& info) {
  const float* x = floatArg(info, 0);
  const float* y = floatArg(info, 1);
  const float* dy = floatArg(info, 2);
  float* out = floatArg(info, 3);
  const int64_t outer = intArg(info, 4), length = intArg(info, 5), inner = intArg(info, 6);
  if (inner == 1) {
    // Reduced axis innermost (e.g. maxout's pieces): one y and one dy per group of `length` elements.
    const int64_t grain = std::max<int64_t>(1, kParallelThreshold / std::max<int64_t>(length, 1));
    parallelFor(outer, [=](int64_t begin, int64_t end) {
      for (int64_t o = begin; o < end; o++) {
        const float extremum = y[o], gradient = dy[o];
        const float* xGroup = x + o * length;
        float* outGroup = out + o * length;
        for (int64_t r = 0; r < length; r++) outGroup[r] = gradient * (xGroup[r] == extremum ? 1.f : 0.f);
      }
    }, grain);
    return info.Env().Undefined();
  }
  const int64_t rows = outer * length;  // one row = `inner` elements sharing y[o, :] and dy[o, :]
  const int64_t grain = std::max<int64_t>(1, kParallelThreshold / std::max<int64_t>(inner, 1));
  parallelFor(rows, [=](int64_t begin, int64_t end) {
    for (int64_t row = begin; row < end; row++) {
      const int64_t o = row / length;
      const float* xRow = x + row * inner;
      const float* yRow = y + o * inner;
      const float* dyRow = dy + o * inner;
      float* outRow = out + row * inner;
#pragma omp simd
      for (int64_t i = 0; i < inner; i++) outRow[i] = dyRow[i] * (xRow[i] == yRow[i] ? 1.f : 0.f);
    }
  }, grain);
  return info.Env().Undefined();
}

}  // namespace

void registerReduce(Napi::Env env, Napi::Object exports) {
  exports.Set("reduce", Napi::Function::New(env, Reduce, "reduce"));
  exports.Set("extremumGrad", Napi::Function::New(env, ExtremumGrad, "extremumGrad"));
}

}  // namespace tsgan
