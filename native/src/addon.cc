// Entry of the tsgan native engine: TF.js kernels on oneDNN (see src/node/engine/native/ for the TypeScript side).
//
// Threads: oneDNN and the element-wise loops share one OpenMP pool. Its size is read once, at load, from the
// environment variable TSGAN_NUM_THREADS (default: every processor OpenMP sees) and can be changed later with
// setNumThreads(n).
#include <omp.h>

#include <cstdlib>
#include <string>

#include "common.h"

namespace tsgan {

namespace {
int threadCount = 1;
}

dnnl::engine& cpuEngine() {
  static dnnl::engine engine(dnnl::engine::kind::cpu, 0);
  return engine;
}

dnnl::stream& cpuStream() {
  static dnnl::stream stream(cpuEngine());
  return stream;
}

int numThreads() { return threadCount; }

static void applyThreadCount(int count) {
  threadCount = count < 1 ? 1 : count;
  omp_set_num_threads(threadCount);
}

static int threadCountFromEnvironment() {
  const char* text = std::getenv("TSGAN_NUM_THREADS");
  if (text != nullptr && *text != '\0') {
    int parsed = std::atoi(text);
    if (parsed > 0) return parsed;
  }
  return omp_get_num_procs();
}

static Napi::Value SetNumThreads(const Napi::CallbackInfo& info) {
  applyThreadCount(static_cast<int>(intArg(info, 0)));
  return Napi::Number::New(info.Env(), threadCount);
}

static Napi::Value Info(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  Napi::Object result = Napi::Object::New(env);
  const dnnl_version_t* version = dnnl_version();
  result.Set("onednn", std::to_string(version->major) + "." + std::to_string(version->minor) + "." +
                           std::to_string(version->patch));
  result.Set("threads", threadCount);
  result.Set("processors", omp_get_num_procs());
  dnnl::cpu_isa isa = dnnl::get_effective_cpu_isa();
  const char* isaName = "other";
  switch (isa) {
    case dnnl::cpu_isa::sse41: isaName = "sse41"; break;
    case dnnl::cpu_isa::avx: isaName = "avx"; break;
    case dnnl::cpu_isa::avx2: isaName = "avx2"; break;
    case dnnl::cpu_isa::avx512_core: isaName = "avx512_core"; break;
    case dnnl::cpu_isa::avx512_core_vnni: isaName = "avx512_core_vnni"; break;
    case dnnl::cpu_isa::avx512_core_bf16: isaName = "avx512_core_bf16"; break;
    case dnnl::cpu_isa::avx512_core_amx: isaName = "avx512_core_amx"; break;
    default: break;
  }
  result.Set("isa", isaName);
  return result;
}

static Napi::Object Init(Napi::Env env, Napi::Object exports) {
  applyThreadCount(threadCountFromEnvironment());
  exports.Set("setNumThreads", Napi::Function::New(env, SetNumThreads, "setNumThreads"));
  exports.Set("info", Napi::Function::New(env, Info, "info"));
  registerConvolution(env, exports);
  registerMatmul(env, exports);
  registerElementwise(env, exports);
  registerReduce(env, exports);
  registerLayout(env, exports);
  registerGradients(env, exports);
  registerOptimizers(env, exports);
  registerBatchNorm(env, exports);
  return exports;
}

}  // namespace tsgan

static Napi::Object InitModule(Napi::Env env, Napi::Object exports) { return tsgan::Init(env, exports); }

NODE_API_MODULE(tsgan_native, InitModule)
