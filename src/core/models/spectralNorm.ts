/**
 * Spectral normalization (Miyato, Kataoka, Koyama & Yoshida 2018, "Spectral Normalization for Generative Adversarial
 * Networks"): a layer computes with
 *
 *   W_SN = W / σ(W),   σ(W) = max_{h ≠ 0} ‖W h‖₂ / ‖h‖₂   (W's largest singular value),
 *
 * so every linear map of D is 1-Lipschitz and D's Lipschitz constant is bounded by its activations' (1 for ReLU,
 * LeakyReLU, maxout). σ is estimated by power iteration, one iteration per update (the paper's Algorithm 1):
 *
 *   ṽ ← Wᵀ ũ / ‖Wᵀ ũ‖₂,   ũ ← W ṽ / ‖W ṽ‖₂,   σ(W) ≈ ũᵀ W ṽ,
 *
 * with ũ (and ṽ) kept from step to step, because W changes little per step. The gradient flows through W in W / σ
 * with ũ, ṽ held constant (the paper's Eq. 12: they are not differentiated).
 *
 * Conventions here:
 * - W is the paper's [out, in·k·k] matrix. A Dense kernel [inputs, units] is Wᵀ as stored; a Conv2D filter
 *   [k, k, in, out] reshaped to [k·k·in, out] is Wᵀ; a Conv2DTranspose filter [k, k, out, in] gets its output axis
 *   moved last first. σ(W) = σ(Wᵀ), so the code works on K = Wᵀ [fanIn, out]: Wᵀũ = K ũ and W ṽ = Kᵀ ṽ.
 * - ũ [out] and ṽ [fanIn] are non-trainable state of the layer (store statistics "…/u" and "…/v"): saved in
 *   checkpoints with BatchNorm's running averages, and, like them, moved only by a pass that updates statistics —
 *   the network's own training step. A G step runs D without updating statistics, so it never moves D's ũ.
 *   A pass that does not update (inference, D inside G's step) divides by σ = ũᵀ W ṽ with the stored vectors, as
 *   PyTorch's `spectral_norm` does in evaluation.
 * - D's step runs D twice (real batch, fake batch), each pass updating statistics, so D's vectors take two power
 *   iterations per step (as with the paper's Chainer code and PyTorch's `spectral_norm`, which iterate on every
 *   training-mode call). More iterations only sharpen the estimate of σ.
 * - Assigning ũ and ṽ to variables and reading them back cuts them off the gradient tape, so the power iteration
 *   is never differentiated.
 * - ũ starts from a random vector (the paper: "randomly initialized") and one power iteration on the initial
 *   weights, so that σ = ũᵀ W ṽ = ‖W ṽ‖ > 0 even before the first step.
 * - Maxout's linear maps are one Dense [inputs, units·pieces] and are normalised as one matrix: each unit is the max
 *   of its pieces, and |max_k a_k − max_k b_k| ≤ max_k |a_k − b_k|, so ‖maxout(x) − maxout(y)‖ ≤ ‖W(x − y)‖ ≤
 *   σ(W)‖x − y‖ — normalising the whole matrix keeps the layer 1-Lipschitz; normalising each piece alone would not.
 */
import { tf, type Tensor, type Variable } from "../engine/tf.js";
import type { ApplyOptions, ParameterStore } from "./layers.js";

/** Floor under a vector's norm when normalising (PyTorch's ε), so a zero vector gives zeros, not NaN. */
export const NORMALIZE_EPSILON = 1e-12;

/** How a layer reads its weight in a forward pass: the variable itself, or W / σ(W). */
export interface LayerWeight {
  read(options: ApplyOptions): Tensor;
}

/** The weight as it is: what every layer of a network without spectral normalization reads. */
class PlainWeight implements LayerWeight {
  constructor(private readonly weight: Variable) {}

  read(): Tensor {
    return this.weight;
  }
}

/** x / max(‖x‖₂, ε) for a vector [n]. */
function normalize(vector: Tensor): Tensor {
  return tf.div(vector, tf.maximum(tf.norm(vector), NORMALIZE_EPSILON));
}

/** A weight of any layout as K = Wᵀ [fanIn, out], the output axis last. */
function asMatrix(weight: Tensor, outputAxis: number): tf.Tensor2D {
  const rank = weight.shape.length;
  const outputs = weight.shape[outputAxis]!;
  const moved =
    outputAxis === rank - 1
      ? weight
      : tf.transpose(weight, [...weight.shape.keys()].filter((axis) => axis !== outputAxis).concat(outputAxis));
  return tf.reshape(moved, [-1, outputs]);
}

/** K · x for K [rows, cols] and a vector x [cols] → [rows]; `transpose` gives Kᵀ · x. */
function times(matrix: tf.Tensor2D, vector: Tensor, transpose = false): Tensor {
  return tf.reshape(tf.matMul(matrix, tf.reshape(vector, [-1, 1]), transpose), [-1]);
}

/** W / σ(W) with σ from a persistent power iteration; see the file comment. */
export class SpectralNormalizedWeight implements LayerWeight {
  /** ũ [out]: the estimate of W's top left singular vector. */
  readonly u: Variable;
  /** ṽ [fanIn]: the estimate of W's top right singular vector. */
  readonly v: Variable;

  constructor(
    store: ParameterStore,
    name: string,
    private readonly weight: Variable,
    private readonly outputAxis: number,
    shape: number[],
  ) {
    const outputs = shape[outputAxis]!;
    const fanIn = shape.reduce((a, b) => a * b, 1) / outputs;
    // One power iteration on the initial weights from a random ũ₀: ṽ = Wᵀũ₀ / ‖Wᵀũ₀‖, ũ = W ṽ / ‖W ṽ‖ (run only
    // when the store is not planning; ũ's initialiser runs first and leaves ṽ's values for ṽ's).
    let initialV: Float32Array | undefined;
    const initialU = () => {
      const random = store.rng(`${name}/u`).fillNormal(new Float32Array(outputs), 0, 1);
      return tf.tidy(() => {
        const matrix = asMatrix(this.weight, this.outputAxis);
        const v = normalize(times(matrix, tf.tensor1d(random)));
        // Copies: a backend may hand out a view of memory that is reused once the tidy frees its tensors.
        initialV = Float32Array.from(v.dataSync());
        return Float32Array.from(normalize(times(matrix, v, true)).dataSync());
      });
    };
    this.u = store.addStatistic(`${name}/u`, [outputs], initialU);
    this.v = store.addStatistic(`${name}/v`, [fanIn], () => initialV!);
  }

  read(options: ApplyOptions): Tensor {
    const matrix = asMatrix(this.weight, this.outputAxis); // K = Wᵀ [fanIn, out]
    if (options.training && options.updateStatistics) this.powerIteration(matrix);
    // σ = ũᵀ W ṽ = ṽᵀ K ũ, with ũ and ṽ read from their variables: constants for the gradient.
    const sigma = tf.sum(tf.mul(this.v, times(matrix, this.u)));
    return tf.div(this.weight, sigma);
  }

  /** One iteration of the paper's Algorithm 1: ṽ ← Wᵀũ / ‖Wᵀũ‖, then ũ ← W ṽ / ‖W ṽ‖. */
  private powerIteration(matrix: tf.Tensor2D): void {
    tf.tidy(() => {
      this.v.assign(normalize(times(matrix, this.u)));
      this.u.assign(normalize(times(matrix, this.v, true)));
    });
  }
}

/**
 * The weight a layer reads: spectrally normalised when its network's store asks for it (ParameterStore's
 * `spectralNorm`), else the variable itself. `outputAxis` is the axis of the layer's outputs in the weight's layout.
 */
export function layerWeight(store: ParameterStore, name: string, weight: Variable, outputAxis: number): LayerWeight {
  if (!store.spectralNorm) return new PlainWeight(weight);
  const shape = store.specs.find((spec) => spec.name === name)!.shape;
  return new SpectralNormalizedWeight(store, name, weight, outputAxis, shape);
}
