/**
 * PacGAN packing (Lin, Khetan, Fanti & Oh 2018, "PacGAN: The power of two samples in generative adversarial
 * networks"): D judges m samples at once. Its objective is the GAN's, on packs instead of samples:
 *
 *   min_G max_D  E_{x_1 … x_m ∼ p_data}[log D(x_1, …, x_m)] + E_{z_1 … z_m ∼ p_z}[log(1 − D(G(z_1), …, G(z_m)))]
 *
 * A pack is all real or all generated, never mixed, so D sees m samples of one distribution jointly and can tell a
 * generator that repeats itself (mode collapse) from one that does not. G is unchanged.
 *
 * Protocol (PacGAN's reference code, fjxmlzn/PacGAN): a minibatch holds `batchSize` packs, i.e. batchSize·m samples
 * of each kind, each real sample drawn independently and each generated one from its own z; the m samples of a pack
 * are concatenated along features (vectors) or along channels (images), so only D's input layer grows (m× features or
 * channels). Here the draws are m·batchSize consecutive samples of the existing (seed, step, purpose) streams, and
 * pack i holds samples i·m … i·m + m − 1; m = 1 is the paper's GAN, bit for bit.
 */
import type { Config } from "../config.js";
import { tf, type Tensor } from "../engine/tf.js";

/** Samples of each kind (real, generated) one minibatch draws: batchSize packs of m samples. */
export function samplesPerMinibatch(config: Pick<Config, "batchSize" | "pack">): number {
  return config.batchSize * config.pack;
}

/**
 * The shape of one pack without the batch dimension: [m·d] for vectors [d], [height, width, m·channels] for images
 * [height, width, channels]. D's input layer is built for this shape.
 */
export function packedShape(dataShape: readonly number[], pack: number): number[] {
  const shape = [...dataShape];
  shape[shape.length - 1]! *= pack;
  return shape;
}

/**
 * samples [n·m, ...dataShape] → packs [n, ...packedShape(dataShape, m)]: pack i concatenates samples i·m … i·m + m − 1
 * along the last axis (features, or channels of NHWC images), sample j of the pack in slots j·c … j·c + c − 1.
 * m = 1 returns the samples themselves.
 */
export function packSamples(samples: Tensor, pack: number): Tensor {
  if (pack === 1) return samples;
  const [count, ...dataShape] = samples.shape;
  if (count! % pack !== 0) throw new Error(`packSamples: ${count} samples do not divide into packs of ${pack}`);
  const packs = count! / pack;
  return tf.tidy(() => {
    if (dataShape.length === 1) return tf.reshape(samples, [packs, pack * dataShape[0]!]); // rows are contiguous
    // [n·m, …, c] → [n, m, …, c] → [n, …, m, c] (the pack's axis next to the channels) → [n, …, m·c]
    const grouped = tf.reshape(samples, [packs, pack, ...dataShape]);
    const axes = [0, ...dataShape.map((_, axis) => axis + 2)];
    axes.splice(axes.length - 1, 0, 1);
    return tf.reshape(tf.transpose(grouped, axes), [packs, ...packedShape(dataShape, pack)]);
  });
}

/**
 * points [n, ...dataShape] → packs [n, ...packedShape] of m copies of each point: how the lab and the 1-D plots show
 * a packed D as a function of one point (D(x, x, …, x)). Training never uses it. m = 1 returns the points.
 */
export function replicateIntoPacks(points: Tensor, pack: number): Tensor {
  if (pack === 1) return points;
  // Tiling the last axis m times is packSamples of m copies: slot j·c + k of a pack holds the point's k-th value.
  return tf.tile(points, [...points.shape.slice(0, -1).map(() => 1), pack]);
}

/**
 * samples [n, ...dataShape] beside fixed partners [m − 1, ...dataShape] → packs [n, ...packedShape(dataShape, m)]:
 * pack i holds sample i in slot 0 and partner j − 1 in slot j (packSamples' layout), the same partners in every pack.
 * How rejection sampling asks a packed D about one sample (training/rejection.ts). Always a new tensor.
 */
export function packWithPartners(samples: Tensor, partners: Tensor): Tensor {
  return tf.tidy(() => {
    // Each partner [1, ...dataShape] repeated down the batch, then all slots side by side along the last axis.
    const repeated = tf.unstack(partners).map((partner) => tf.broadcastTo(tf.expandDims(partner, 0), samples.shape));
    return tf.concat([samples, ...repeated], samples.rank - 1);
  });
}
