// Matrix multiplication on oneDNN's sgemm: out[b] = activation(op(a[b]) · op(bMatrix[b]) + bias), row-major,
// with batch broadcasting when one side has a batch of 1 (TF.js BatchMatMul / _FusedMatMul semantics).
#include <omp.h>

#include <cmath>

#include "activation.h"
#include "common.h"
#include "parallel.h"

namespace tsgan {
namespace {

/** Multiply-adds below which a matmul runs single-threaded (~10 µs of work at 2 cores). */
constexpr int64_t kSmallMatmulWork = 1 << 18;

/** Applies bias [N] (optional) and an activation to a row-major [rows, N] block in place. */
void biasActivation(float* out, int64_t rows, int64_t columns, const float* bias, int code, float alpha) {
  if (bias == nullptr && code == static_cast<int>(Activation::None)) return;
  // Split by row, so the bias index is the column, without a division per element.
  parallelFor(
      rows,
      [&](int64_t begin, int64_t end) {
        for (int64_t row = begin; row < end; row++) {
          for (int64_t column = 0; column < columns; column++) {
            const int64_t i = row * columns + column;
            float value = out[i];
            if (bias != nullptr) value += bias[column];
            switch (static_cast<Activation>(code)) {
              case Activation::None: break;
              case Activation::Relu: value = value > 0.f ? value : 0.f; break;
              case Activation::Relu6: value = std::min(std::max(value, 0.f), 6.f); break;
              case Activation::Elu: value = value > 0.f ? value : std::expm1(value); break;
              case Activation::LeakyRelu: value = value > 0.f ? value : alpha * value; break;
              case Activation::Sigmoid: value = 1.f / (1.f + std::exp(-value)); break;
              case Activation::Tanh: value = std::tanh(value); break;
            }
            out[i] = value;
          }
        }
      },
      std::max<int64_t>(1, kParallelThreshold / std::max<int64_t>(columns, 1)));
}

/**
 * matmul(a, b, out, batchA, batchB, M, N, K, transposeA, transposeB, bias?, activation?, alpha?)
 *   a: [batchA, M, K] (or [batchA, K, M] when transposeA), b: [batchB, K, N] (or [batchB, N, K]),
 *   out: [max(batchA, batchB), M, N]; a batch of 1 broadcasts.
 */
Napi::Value Matmul(const Napi::CallbackInfo& info) {
  const float* a = floatArg(info, 0);
  const float* b = floatArg(info, 1);
  float* out = floatArg(info, 2);
  int64_t batchA = intArg(info, 3), batchB = intArg(info, 4);
  int64_t m = intArg(info, 5), n = intArg(info, 6), k = intArg(info, 7);
  bool transposeA = info[8].ToBoolean(), transposeB = info[9].ToBoolean();
  const float* bias = optionalFloatArg(info, 10);
  int activation = info.Length() > 11 ? static_cast<int>(intArg(info, 11)) : 0;
  float alpha = info.Length() > 12 ? static_cast<float>(numberArg(info, 12)) : 0.f;
  if (batchA != batchB && batchA != 1 && batchB != 1) {
    throw Napi::Error::New(info.Env(), "matmul: batch sizes must match or one must be 1");
  }
  int64_t batch = std::max(batchA, batchB);
  // Small products run on this thread alone: waking the pool costs more than the arithmetic.
  const bool small = batch * m * n * k < kSmallMatmulWork;
  if (small) omp_set_num_threads(1);
  int64_t leadingA = transposeA ? m : k;
  int64_t leadingB = transposeB ? k : n;
  for (int64_t index = 0; index < batch; index++) {
    const float* aMatrix = a + (batchA == 1 ? 0 : index) * m * k;
    const float* bMatrix = b + (batchB == 1 ? 0 : index) * k * n;
    float* outMatrix = out + index * m * n;
    if (k == 0) {
      std::fill(outMatrix, outMatrix + m * n, 0.f);
      continue;
    }
    dnnl_status_t status = dnnl_sgemm(transposeA ? 'T' : 'N', transposeB ? 'T' : 'N', m, n, k, 1.f, aMatrix,
                                      leadingA, bMatrix, leadingB, 0.f, outMatrix, n);
    if (status != dnnl_success) {
      if (small) omp_set_num_threads(numThreads());
      throw Napi::Error::New(info.Env(), "matmul: dnnl_sgemm failed");
    }
  }
  if (small) omp_set_num_threads(numThreads());
  biasActivation(out, batch * m, n, bias, activation, alpha);
  return info.Env().Undefined();
}

}  // namespace

void registerMatmul(Napi::Env env, Napi::Object exports) {
  exports.Set("matmul", Napi::Function::New(env, Matmul, "matmul"));
}

}  // namespace tsgan
