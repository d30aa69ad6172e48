// 2-D convolution on oneDNN: forward (optionally + bias + activation), backward data, backward weights.
// Data NHWC and filters HWIO as TF.js lays them out; oneDNN may pick blocked layouts internally, in which case
// the bundle carries the reorders. Bundles are cached by shape and parameters.
#include <cstdlib>
#include <cstring>

#include "activation.h"
#include "common.h"
#include "conv_gemm.h"
#include "parallel.h"

namespace tsgan {
namespace {

using dims = dnnl::memory::dims;
using tag = dnnl::memory::format_tag;
using dt = dnnl::memory::data_type;

/** Which convolution pass to run. */
enum class ConvPass : int { Forward = 0, BackwardData = 1, BackwardWeights = 2 };

/** Geometry of one convolution, in TF.js terms (NHWC input x, HWIO filter, NHWC output y). */
struct ConvGeometry {
  int64_t batch, inHeight, inWidth, inChannels;
  int64_t outHeight, outWidth, outChannels;
  int64_t filterHeight, filterWidth;
  int64_t strideHeight, strideWidth, dilationHeight, dilationWidth;
  int64_t padTop, padLeft;

  static ConvGeometry fromParams(const std::vector<int64_t>& p) {
    return {p[0], p[1], p[2], p[3], p[4], p[5], p[6], p[7], p[8], p[9], p[10], p[11], p[12], p[13], p[14]};
  }

  dims sourceDims() const { return {batch, inChannels, inHeight, inWidth}; }
  dims weightDims() const { return {outChannels, inChannels, filterHeight, filterWidth}; }
  dims destinationDims() const { return {batch, outChannels, outHeight, outWidth}; }
  dims strides() const { return {strideHeight, strideWidth}; }
  // oneDNN counts dilation from 0 (no gaps); TF.js from 1.
  dims dilates() const { return {dilationHeight - 1, dilationWidth - 1}; }
  dims paddingBefore() const { return {padTop, padLeft}; }
  // Bottom/right padding chosen so that oneDNN's size formula gives exactly the output size TF.js computed
  // (it may be negative by less than a stride when the last input rows are not read, as in 'valid').
  dims paddingAfter() const {
    int64_t bottom = (outHeight - 1) * strideHeight + (filterHeight - 1) * dilationHeight + 1 - inHeight - padTop;
    int64_t right = (outWidth - 1) * strideWidth + (filterWidth - 1) * dilationWidth + 1 - inWidth - padLeft;
    return {bottom, right};
  }
};

/**
 * Backward passes of convolutions with at most this many input channels run as im2col/col2im + sgemm
 * (conv_gemm.cc) instead of oneDNN's direct kernels, which are ~10x slower there. TSGAN_CONV_GEMM_CHANNELS
 * overrides it (0 = always oneDNN).
 */
int64_t gemmChannelLimit() {
  static const int64_t limit = [] {
    const char* text = std::getenv("TSGAN_CONV_GEMM_CHANNELS");
    return text != nullptr && *text != '\0' ? static_cast<int64_t>(std::atoi(text)) : int64_t{4};
  }();
  return limit;
}

GemmConvShape gemmShape(const ConvGeometry& g) {
  return {g.batch,        g.inHeight,     g.inWidth,       g.inChannels,     g.outHeight,
          g.outWidth,     g.outChannels,  g.filterHeight,  g.filterWidth,    g.strideHeight,
          g.strideWidth,  g.dilationHeight, g.dilationWidth, g.padTop,       g.padLeft};
}

/** Whether activations are handed to oneDNN as NHWC (default) or in a layout of its choice (TSGAN_CONV_LAYOUT=any). */
bool activationsAnyLayout() {
  static const bool any = [] {
    const char* text = std::getenv("TSGAN_CONV_LAYOUT");
    return text != nullptr && std::strcmp(text, "any") == 0;
  }();
  return any;
}

dnnl::memory::desc activationDesc(const dims& logical) {
  return dnnl::memory::desc(logical, dt::f32, activationsAnyLayout() ? tag::any : tag::nhwc);
}

dnnl::memory::desc anyDesc(const dims& logical) { return dnnl::memory::desc(logical, dt::f32, tag::any); }

dnnl::convolution_forward::primitive_desc forwardDesc(const ConvGeometry& g, bool withBias,
                                                      const dnnl::primitive_attr& attr) {
  auto source = activationDesc(g.sourceDims());
  auto destination = activationDesc(g.destinationDims());
  auto weights = anyDesc(g.weightDims());
  auto prop = dnnl::prop_kind::forward_training;
  auto algorithm = dnnl::algorithm::convolution_direct;
  if (withBias) {
    auto bias = dnnl::memory::desc({g.outChannels}, dt::f32, tag::a);
    dnnl::convolution_forward::desc desc(prop, algorithm, source, weights, bias, destination, g.strides(),
                                         g.dilates(), g.paddingBefore(), g.paddingAfter());
    return dnnl::convolution_forward::primitive_desc(desc, attr, cpuEngine());
  }
  dnnl::convolution_forward::desc desc(prop, algorithm, source, weights, destination, g.strides(), g.dilates(),
                                       g.paddingBefore(), g.paddingAfter());
  return dnnl::convolution_forward::primitive_desc(desc, attr, cpuEngine());
}

dnnl::memory::desc userActivation(const dims& logical) { return dnnl::memory::desc(logical, dt::f32, tag::nhwc); }
dnnl::memory::desc userWeights(const dims& logical) { return dnnl::memory::desc(logical, dt::f32, tag::hwio); }

/** Forward bundle: y = activation(conv(x, w) + bias). */
struct ForwardBundle {
  dnnl::convolution_forward primitive;
  LayoutBridge source, weights, destination;
  bool withBias = false;
  std::string implementation;
};

/** Backward-data bundle: dx = conv_transpose(dy, w). */
struct BackwardDataBundle {
  dnnl::convolution_backward_data primitive;
  LayoutBridge diffDestination, weights, diffSource;
  std::string implementation;
};

/** Backward-weights bundle: dw = correlate(x, dy). */
struct BackwardWeightsBundle {
  dnnl::convolution_backward_weights primitive;
  LayoutBridge source, diffDestination, diffWeights;
  std::string implementation;
};

/** "implementation [reorders: which arguments]" for profiling output. */
std::string describe(const char* implementation, const LayoutBridge& first, const LayoutBridge& second,
                     const LayoutBridge& third) {
  std::string text(implementation);
  int reorders = first.needsReorder + second.needsReorder + third.needsReorder;
  if (reorders > 0) {
    text += " reorders:";
    if (first.needsReorder) text += " arg0";
    if (second.needsReorder) text += " arg1";
    if (third.needsReorder) text += " out";
  }
  return text;
}

/**
 * out[n,h,w,c] += bias[c] over an NHWC tensor of `pixels` × `channels`: the bias of a transposed convolution, whose
 * forward pass is oneDNN's backward-data primitive (which takes no bias). The same float32 additions as TF.js's Add.
 */
void addChannelBias(float* out, const float* bias, int64_t pixels, int64_t channels) {
  // Split by pixel, so the inner loop runs over the channels without a division per element.
  parallelFor(
      pixels,
      [&](int64_t begin, int64_t end) {
        for (int64_t pixel = begin; pixel < end; ++pixel) {
          float* row = out + pixel * channels;
          for (int64_t channel = 0; channel < channels; ++channel) row[channel] += bias[channel];
        }
      },
      std::max<int64_t>(1, kParallelThreshold / channels));
}

PrimitiveCache<ForwardBundle> forwardCache(256);
PrimitiveCache<BackwardDataBundle> backwardDataCache(256);
PrimitiveCache<BackwardWeightsBundle> backwardWeightsCache(256);

ForwardBundle makeForward(const ConvGeometry& g, bool withBias, int activation, float alpha) {
  dnnl::post_ops ops;
  if (!appendActivation(ops, activation, alpha)) throw std::runtime_error("unknown activation code");
  dnnl::primitive_attr attr;
  attr.set_post_ops(ops);
  auto pd = forwardDesc(g, withBias, attr);
  ForwardBundle bundle;
  bundle.primitive = dnnl::convolution_forward(pd);
  bundle.source = LayoutBridge(userActivation(g.sourceDims()), pd.src_desc(), true);
  bundle.weights = LayoutBridge(userWeights(g.weightDims()), pd.weights_desc(), true);
  bundle.destination = LayoutBridge(userActivation(g.destinationDims()), pd.dst_desc(), false);
  bundle.withBias = withBias;
  bundle.implementation = describe(pd.impl_info_str(), bundle.source, bundle.weights, bundle.destination);
  return bundle;
}

BackwardDataBundle makeBackwardData(const ConvGeometry& g) {
  auto hint = forwardDesc(g, false, dnnl::primitive_attr());
  dnnl::convolution_backward_data::desc desc(dnnl::algorithm::convolution_direct, activationDesc(g.sourceDims()),
                                             anyDesc(g.weightDims()), activationDesc(g.destinationDims()),
                                             g.strides(), g.dilates(), g.paddingBefore(), g.paddingAfter());
  dnnl::convolution_backward_data::primitive_desc pd(desc, cpuEngine(), hint);
  BackwardDataBundle bundle;
  bundle.primitive = dnnl::convolution_backward_data(pd);
  bundle.diffDestination = LayoutBridge(userActivation(g.destinationDims()), pd.diff_dst_desc(), true);
  bundle.weights = LayoutBridge(userWeights(g.weightDims()), pd.weights_desc(), true);
  bundle.diffSource = LayoutBridge(userActivation(g.sourceDims()), pd.diff_src_desc(), false);
  bundle.implementation = describe(pd.impl_info_str(), bundle.diffDestination, bundle.weights, bundle.diffSource);
  return bundle;
}

BackwardWeightsBundle makeBackwardWeights(const ConvGeometry& g) {
  auto hint = forwardDesc(g, false, dnnl::primitive_attr());
  dnnl::convolution_backward_weights::desc desc(
      dnnl::algorithm::convolution_direct, activationDesc(g.sourceDims()), anyDesc(g.weightDims()),
      activationDesc(g.destinationDims()), g.strides(), g.dilates(), g.paddingBefore(), g.paddingAfter());
  dnnl::convolution_backward_weights::primitive_desc pd(desc, cpuEngine(), hint);
  BackwardWeightsBundle bundle;
  bundle.primitive = dnnl::convolution_backward_weights(pd);
  bundle.source = LayoutBridge(userActivation(g.sourceDims()), pd.src_desc(), true);
  bundle.diffDestination = LayoutBridge(userActivation(g.destinationDims()), pd.diff_dst_desc(), true);
  bundle.diffWeights = LayoutBridge(userWeights(g.weightDims()), pd.diff_weights_desc(), false);
  bundle.implementation = describe(pd.impl_info_str(), bundle.source, bundle.diffDestination, bundle.diffWeights);
  return bundle;
}

/**
 * conv2d(pass, a, b, out, params, bias?, activation?, alpha?)
 *   pass 0 forward:          a = x [N,H,W,C], b = w [KH,KW,C,OC], out = y [N,OH,OW,OC]; bias [OC] optional
 *   pass 1 backward data:    a = dy [N,OH,OW,OC], b = w, out = dx [N,H,W,C]; bias [C] optional (added to dx: the
 *                            forward pass of a transposed convolution with a bias)
 *   pass 2 backward weights: a = x, b = dy, out = dw [KH,KW,C,OC]
 *   params: N,H,W,C, OH,OW,OC, KH,KW, strideH,strideW, dilationH,dilationW, padTop,padLeft
 */
Napi::Value Conv2d(const Napi::CallbackInfo& info) {
  auto pass = static_cast<ConvPass>(intArg(info, 0));
  float* a = floatArg(info, 1);
  float* b = floatArg(info, 2);
  float* out = floatArg(info, 3);
  std::vector<int64_t> key = intsArg(info, 4);
  if (key.size() != 15) throw Napi::Error::New(info.Env(), "conv2d: expected 15 parameters");
  ConvGeometry g = ConvGeometry::fromParams(key);
  auto& stream = cpuStream();
  try {
    switch (pass) {
      case ConvPass::Forward: {
        float* bias = optionalFloatArg(info, 5);
        int activation = info.Length() > 6 ? static_cast<int>(intArg(info, 6)) : 0;
        float alpha = info.Length() > 7 ? static_cast<float>(numberArg(info, 7)) : 0.f;
        key.push_back(bias != nullptr);
        key.push_back(activation);
        key.push_back(floatKey(alpha));
        auto& bundle = forwardCache.get(key, [&] { return makeForward(g, bias != nullptr, activation, alpha); });
        std::unordered_map<int, dnnl::memory> args = {
            {DNNL_ARG_SRC, bundle.source.input(a)},
            {DNNL_ARG_WEIGHTS, bundle.weights.input(b)},
            {DNNL_ARG_DST, bundle.destination.output(out)},
        };
        if (bias != nullptr) {
          args[DNNL_ARG_BIAS] = dnnl::memory({{g.outChannels}, dt::f32, tag::a}, cpuEngine(), bias);
        }
        bundle.primitive.execute(stream, args);
        bundle.destination.finishOutput(out);
        break;
      }
      case ConvPass::BackwardData: {
        float* bias = optionalFloatArg(info, 5);
        if (g.inChannels <= gemmChannelLimit()) {
          gemmConvBackwardData(gemmShape(g), a, b, out);
        } else {
          auto& bundle = backwardDataCache.get(key, [&] { return makeBackwardData(g); });
          bundle.primitive.execute(stream, {{DNNL_ARG_DIFF_DST, bundle.diffDestination.input(a)},
                                            {DNNL_ARG_WEIGHTS, bundle.weights.input(b)},
                                            {DNNL_ARG_DIFF_SRC, bundle.diffSource.output(out)}});
          bundle.diffSource.finishOutput(out);
          stream.wait();  // the bias below is added to the finished output
        }
        if (bias != nullptr) addChannelBias(out, bias, g.batch * g.inHeight * g.inWidth, g.inChannels);
        break;
      }
      case ConvPass::BackwardWeights: {
        if (g.inChannels <= gemmChannelLimit()) {
          gemmConvBackwardWeights(gemmShape(g), a, b, out);
          break;
        }
        auto& bundle = backwardWeightsCache.get(key, [&] { return makeBackwardWeights(g); });
        bundle.primitive.execute(stream, {{DNNL_ARG_SRC, bundle.source.input(a)},
                                          {DNNL_ARG_DIFF_DST, bundle.diffDestination.input(b)},
                                          {DNNL_ARG_DIFF_WEIGHTS, bundle.diffWeights.output(out)}});
        bundle.diffWeights.finishOutput(out);
        break;
      }
      default:
        throw Napi::Error::New(info.Env(), "conv2d: unknown pass");
    }
    stream.wait();
  } catch (const dnnl::error& error) {
    throw Napi::Error::New(info.Env(), std::string("conv2d (oneDNN): ") + error.what());
  } catch (const std::runtime_error& error) {
    throw Napi::Error::New(info.Env(), std::string("conv2d: ") + error.what());
  }
  return info.Env().Undefined();
}

/** conv2dImplementation(pass, params): the name of the implementation oneDNN picked (profiling, tuning). */
Napi::Value Conv2dImplementation(const Napi::CallbackInfo& info) {
  auto pass = static_cast<ConvPass>(intArg(info, 0));
  std::vector<int64_t> key = intsArg(info, 1);
  ConvGeometry g = ConvGeometry::fromParams(key);
  try {
    if (pass == ConvPass::Forward) {
      key.insert(key.end(), {0, 0, floatKey(0.f)});
      return Napi::String::New(info.Env(), forwardCache.get(key, [&] { return makeForward(g, false, 0, 0.f); }).implementation);
    }
    if (pass != ConvPass::Forward && g.inChannels <= gemmChannelLimit()) {
      return Napi::String::New(info.Env(), "im2col+sgemm (few input channels)");
    }
    if (pass == ConvPass::BackwardData) {
      return Napi::String::New(info.Env(), backwardDataCache.get(key, [&] { return makeBackwardData(g); }).implementation);
    }
    return Napi::String::New(info.Env(), backwardWeightsCache.get(key, [&] { return makeBackwardWeights(g); }).implementation);
  } catch (const dnnl::error& error) {
    throw Napi::Error::New(info.Env(), std::string("conv2dImplementation (oneDNN): ") + error.what());
  }
}

}  // namespace

void registerConvolution(Napi::Env env, Napi::Object exports) {
  exports.Set("conv2d", Napi::Function::New(env, Conv2d, "conv2d"));
  exports.Set("conv2dImplementation", Napi::Function::New(env, Conv2dImplementation, "conv2dImplementation"));
}

}  // namespace tsgan
