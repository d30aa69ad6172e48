#!/usr/bin/env bash
# Reproduces the runs and numbers of docs/results.md: trains each run into results-runs/ and evaluates it.
#   bash scripts/results.sh            (about 30–60 minutes on 2 cores with the native engine)
set -euo pipefail
cd "$(dirname "$0")/.."
out=${RESULTS_DIR:-results-runs}
mkdir -p "$out"
tsgan() { node bin/tsgan.js "$@"; }
train() { local dir=$1; shift; [ -f "$out/$dir/status.json" ] && grep -q '"done"' "$out/$dir/status.json" || { rm -rf "${out:?}/$dir"; tsgan train --out "$out/$dir" "$@"; }; }

# MNIST: the quick-start DCGAN (the defaults), all image metrics incl. the paper's Parzen protocol.
train mnist-dcgan --config configs/quickstart.json
tsgan eval --run "$out/mnist-dcgan"
# Fashion-MNIST DCGAN: Fréchet distance, classifier score, coverage.
train fashion-dcgan --config configs/fashion_dcgan.json
tsgan eval --run "$out/fashion-dcgan" --metrics frechet,classifier-score,class-coverage,precision-recall
# 2-D toys, three seeds each: PacGAN's mode protocol.
for seed in 1 2 3; do
  train "ring-seed$seed" --config configs/ring_mlp.json --seed "$seed"
  tsgan eval --run "$out/ring-seed$seed"
  train "grid-seed$seed" --config configs/grid_mlp.json --seed "$seed"
  tsgan eval --run "$out/grid-seed$seed"
done
