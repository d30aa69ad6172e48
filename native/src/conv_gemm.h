// Convolution passes as im2col/col2im + sgemm, for the shapes oneDNN's direct kernels handle poorly:
// very few input channels (an image's 1–3 colour channels), where backward data and backward weights run at
// ~10 GFLOP/s in oneDNN 2.6 but are one skinny GEMM here.
#pragma once

#include <cstdint>

namespace tsgan {

/** Geometry in TF.js terms: x [N,H,W,C], w [KH,KW,C,OC], y [N,OH,OW,OC]. */
struct GemmConvShape {
  int64_t batch, inHeight, inWidth, inChannels;
  int64_t outHeight, outWidth, outChannels;
  int64_t filterHeight, filterWidth;
  int64_t strideHeight, strideWidth, dilationHeight, dilationWidth;
  int64_t padTop, padLeft;
};

/** dw [KH,KW,C,OC] = im2col(x)ᵀ · dy. */
void gemmConvBackwardWeights(const GemmConvShape& shape, const float* x, const float* dy, float* dw);

/** dx [N,H,W,C] = col2im(dy · wᵀ). */
void gemmConvBackwardData(const GemmConvShape& shape, const float* dy, const float* w, float* dx);

}  // namespace tsgan
