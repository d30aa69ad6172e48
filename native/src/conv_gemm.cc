// See conv_gemm.h.
#include "conv_gemm.h"

#include <omp.h>

#include <algorithm>
#include <cstring>
#include <stdexcept>
#include <vector>

#include "common.h"
#include "parallel.h"

namespace tsgan {
namespace {

/** Scratch memory reused across calls (the calling thread only: kernels run on Node's main thread). */
std::vector<float>& columnsScratch(size_t size) {
  static std::vector<float> scratch;
  if (scratch.size() < size) scratch.resize(size);
  return scratch;
}

/** Rows of the column matrix: one per output pixel (n, oh, ow); columns: (kh, kw, c). */
inline int64_t patchSize(const GemmConvShape& s) { return s.filterHeight * s.filterWidth * s.inChannels; }
inline int64_t outputPixels(const GemmConvShape& s) { return s.batch * s.outHeight * s.outWidth; }

/** columns [M, KH·KW·C] = the input patch of every output pixel (zeros where the patch leaves the image). */
void im2col(const GemmConvShape& s, const float* x, float* columns) {
  const int64_t patch = patchSize(s);
  const int64_t pixelsPerImage = s.outHeight * s.outWidth;
  const int64_t grain = std::max<int64_t>(1, kParallelThreshold / std::max<int64_t>(patch, 1));
  parallelFor(outputPixels(s), [&](int64_t begin, int64_t end) {
    for (int64_t m = begin; m < end; m++) {
      const int64_t n = m / pixelsPerImage;
      const int64_t oh = (m % pixelsPerImage) / s.outWidth;
      const int64_t ow = m % s.outWidth;
      float* row = columns + m * patch;
      for (int64_t kh = 0; kh < s.filterHeight; kh++) {
        const int64_t ih = oh * s.strideHeight - s.padTop + kh * s.dilationHeight;
        for (int64_t kw = 0; kw < s.filterWidth; kw++) {
          const int64_t iw = ow * s.strideWidth - s.padLeft + kw * s.dilationWidth;
          float* destination = row + (kh * s.filterWidth + kw) * s.inChannels;
          if (ih < 0 || ih >= s.inHeight || iw < 0 || iw >= s.inWidth) {
            std::fill(destination, destination + s.inChannels, 0.f);
          } else {
            const float* source = x + ((n * s.inHeight + ih) * s.inWidth + iw) * s.inChannels;
            std::copy(source, source + s.inChannels, destination);
          }
        }
      }
    }
  }, grain);
}

/** dx += scatter of columns [M, KH·KW·C] back to the input pixels they came from (dx zeroed first). */
void col2im(const GemmConvShape& s, const float* columns, float* dx) {
  const int64_t patch = patchSize(s);
  const int64_t imageSize = s.inHeight * s.inWidth * s.inChannels;
  // One image per task: images do not overlap, so no two threads write the same element.
  parallelFor(s.batch, [&](int64_t begin, int64_t end) {
    for (int64_t n = begin; n < end; n++) {
      float* image = dx + n * imageSize;
      std::fill(image, image + imageSize, 0.f);
      for (int64_t oh = 0; oh < s.outHeight; oh++) {
        for (int64_t ow = 0; ow < s.outWidth; ow++) {
          const float* row = columns + ((n * s.outHeight + oh) * s.outWidth + ow) * patch;
          for (int64_t kh = 0; kh < s.filterHeight; kh++) {
            const int64_t ih = oh * s.strideHeight - s.padTop + kh * s.dilationHeight;
            if (ih < 0 || ih >= s.inHeight) continue;
            for (int64_t kw = 0; kw < s.filterWidth; kw++) {
              const int64_t iw = ow * s.strideWidth - s.padLeft + kw * s.dilationWidth;
              if (iw < 0 || iw >= s.inWidth) continue;
              const float* source = row + (kh * s.filterWidth + kw) * s.inChannels;
              float* destination = image + (ih * s.inWidth + iw) * s.inChannels;
              for (int64_t c = 0; c < s.inChannels; c++) destination[c] += source[c];
            }
          }
        }
      }
    }
  }, 1);
}

void sgemm(char transA, char transB, int64_t m, int64_t n, int64_t k, const float* a, int64_t lda, const float* b,
           int64_t ldb, float* c, int64_t ldc) {
  if (dnnl_sgemm(transA, transB, m, n, k, 1.f, a, lda, b, ldb, 0.f, c, ldc) != dnnl_success) {
    throw std::runtime_error("dnnl_sgemm failed");
  }
}

}  // namespace

void gemmConvBackwardWeights(const GemmConvShape& s, const float* x, const float* dy, float* dw) {
  const int64_t patch = patchSize(s);
  const int64_t pixels = outputPixels(s);
  std::vector<float>& columns = columnsScratch(static_cast<size_t>(pixels * patch));
  im2col(s, x, columns.data());
  // dw [patch, OC] = columnsᵀ [patch, M] · dy [M, OC]
  sgemm('T', 'N', patch, s.outChannels, pixels, columns.data(), patch, dy, s.outChannels, dw, s.outChannels);
}

void gemmConvBackwardData(const GemmConvShape& s, const float* dy, const float* w, float* dx) {
  const int64_t patch = patchSize(s);
  const int64_t pixels = outputPixels(s);
  std::vector<float>& columns = columnsScratch(static_cast<size_t>(pixels * patch));
  // columns [M, patch] = dy [M, OC] · wᵀ [OC, patch]   (w is [patch, OC] row-major)
  sgemm('N', 'T', pixels, patch, s.outChannels, dy, s.outChannels, w, s.outChannels, columns.data(), patch);
  col2im(s, columns.data(), dx);
}

}  // namespace tsgan
