# Build of the tsgan native engine (TF.js kernels on oneDNN). Run through native/build.mjs (npm's install script).
# Needs oneDNN's headers and library: Debian/Ubuntu `apt-get install -y libdnnl-dev` (oneDNN 2.x, OpenMP runtime).
{
  "targets": [
    {
      "target_name": "tsgan_native",
      "sources": [
        "src/addon.cc",
        "src/conv.cc",
        "src/conv_gemm.cc",
        "src/matmul.cc",
        "src/elementwise.cc",
        "src/reduce.cc",
        "src/layout.cc",
        "src/gradients.cc",
        "src/optimizers.cc",
        "src/batchnorm.cc"
      ],
      "dependencies": ["<!(node -p \"require('node-addon-api').targets\"):node_addon_api_except"],
      "defines": ["NAPI_VERSION=8"],
      "cflags_cc": ["-std=c++17", "-O3", "-fno-trapping-math", "-fno-math-errno", "-ffp-contract=off", "-fopenmp",
                     "<!@(node -p \"process.env.TSGAN_SIMD_FLAGS || ''\")", "-Wall", "-Wno-unused-function"],
      "cflags_cc!": ["-std=gnu++17", "-O2"],
      "ldflags": ["-fopenmp"],
      "libraries": ["-ldnnl", "-lgomp"]
    }
  ]
}
