/**
 * The small 1-D networks of the theory experiments and how they are read out: D's logits on a grid, G's map on a set
 * of z values, a fixed affine G, and the config they are built from (the toy-1d preset: 1-D z, 32-unit MLPs).
 */
import { mergeConfig, resolveConfig, type Config, type ConfigInput } from "../config.js";
import { hashSeed } from "../engine/random.js";
import { tf, type Tensor } from "../engine/tf.js";
import { Dense, ParameterStore } from "../models/layers.js";
import { infer, Network } from "../models/network.js";
import { presetFor } from "../presets.js";
import { buildNetworks } from "../models/index.js";
import { assembleGan, type Gan } from "../training/gan.js";

/** The data of every theory experiment: N(4, 0.5²), a density known exactly (src/core/data/toys.ts). */
export const THEORY_DATASET = "gaussian-1d";
/** One 1-D sample's shape: G maps to it, D reads it. */
export const THEORY_DATA_SHAPE: readonly number[] = [1];

/** The toy-1d preset for `dataset` (1-D z, uniform prior, 32-unit nets), the seed, then `overrides`. */
export function theoryConfig(seed: number, overrides: ConfigInput = {}, dataset = THEORY_DATASET): Config {
  return resolveConfig(
    mergeConfig(presetFor(dataset) as Record<string, unknown>, { dataset, seed }, overrides as Record<string, unknown>),
  );
}

/** A network evaluated in inference mode on 1-D inputs: [n] → [n] (its single output per input). */
export function applyOnPoints(network: Network, points: ArrayLike<number>): Float64Array {
  const input = columnTensor(points); // [n, 1]
  const output = infer(network, input); // [n, 1]
  const values = Float64Array.from(output.dataSync());
  tf.dispose([input, output]);
  return values;
}

/** D's logits at the points: l(x) with D(x) = σ(l(x)). */
export function discriminatorLogits(discriminator: Network, points: ArrayLike<number>): Float64Array {
  return applyOnPoints(discriminator, points);
}

/** G's map at the given z values: x = G(z) (1-D z and 1-D x). */
export function generatorMap(generator: Network, z: ArrayLike<number>): Float64Array {
  return applyOnPoints(generator, z);
}

/**
 * A fixed affine generator x = shift + scale·z for 1-D z: with z ~ N(0, 1), p_g = N(shift, scale²) exactly, so D*
 * needs no density estimate. It is a Network like any other, so discriminatorStep uses it unchanged.
 */
export function affineGenerator(scale: number, shift: number, seed: number): Network {
  const store = new ParameterStore("generator", hashSeed(seed, "affine-generator"));
  const layer = new Dense(store, "affine", 1, 1, { kind: "normal", std: 0 });
  tf.tidy(() => {
    store.trainable.get("affine/kernel")!.assign(tf.tensor2d([[scale]]));
    store.trainable.get("affine/bias")!.assign(tf.tensor1d([shift]));
  });
  return new Network("generator", [1], [layer], store);
}

/**
 * A GAN whose generator is `generator` (e.g. affine) and whose D is the config's; optimizers as the config says.
 * disposeGan frees all of it, the generator included.
 */
export function ganWithGenerator(config: Config, generator: Network): Gan {
  const { discriminator, generator: unused } = buildNetworks(config, [...THEORY_DATA_SHAPE]);
  unused.dispose();
  return assembleGan({ config, dataShape: THEORY_DATA_SHAPE, generator, discriminator });
}

/** A [n, 1] tensor of 1-D points (float32). */
export function columnTensor(values: ArrayLike<number>): Tensor {
  return tf.tensor2d(Float32Array.from(values), [values.length, 1]);
}
