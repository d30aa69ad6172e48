#!/usr/bin/env bash
# The quick start: set up a fresh Debian/Ubuntu machine and train the default GAN on MNIST.
#   bash scripts/quickstart.sh [extra tsgan train flags]
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/system-packages.sh
[ -d node_modules ] && [ node_modules -nt package-lock.json ] || npm ci --no-audit --no-fund
exec node bin/tsgan.js train --config configs/quickstart.json "$@"
