/**
 * The network sections of the config schema (`mlp`, `dcgan`) and the schema's building blocks: `why` (a default with
 * its reason) and the shared number types. config.ts assembles the whole schema from these and re-exports them.
 */
import { z } from "zod";
import { GENERATOR_OUTPUT_BIAS_NAMES } from "./configChoices.js";

/** A default value and the one-line reason for it, kept together so neither drifts. */
export function why<T extends z.ZodTypeAny>(schema: T, value: z.input<T>, reason: string) {
  return schema.default(value as never).describe(reason);
}

export const positiveInt = z.number().int().positive();
export const nonNegativeInt = z.number().int().nonnegative();
export const learningRate = z.number().positive().max(10);
export const probability = z.number().min(0).lt(1);
export const layerSizes = z.array(positiveInt).min(1);

export const MlpConfigSchema = z
  .object({
    generatorHidden: why(layerSizes, [1200, 1200], "the paper's MNIST generator: two ReLU layers of 1200 units"),
    discriminatorHidden: why(layerSizes, [240, 240], "the paper's MNIST discriminator: two maxout layers of 240"),
    maxoutPieces: why(positiveInt, 5, "the paper's maxout discriminator used 5 linear pieces per unit"),
    discriminatorInputDropout: why(probability, 0.2, "the paper dropped 20% of D's input pixels"),
    discriminatorDropout: why(probability, 0.5, "the paper's dropout on D's hidden maxout units"),
    generatorBatchNorm: why(z.boolean(), false, "the paper's generator had none; PacGAN's toy nets use it"),
    generatorWeightRange: why(
      z.number().nonnegative(),
      0,
      "0 = Glorot uniform; r > 0: G's weights uniform in ±r (the paper's code: irange 0.05)",
    ),
    discriminatorWeightRange: why(
      z.number().nonnegative(),
      0,
      "0 = Glorot uniform; r > 0: D's weights uniform in ±r (the paper's code: irange 0.005)",
    ),
    generatorOutputBias: why(
      z.enum(GENERATOR_OUTPUT_BIAS_NAMES),
      "zeros",
      "data-marginals starts σ(G's output bias) at the training images' mean pixel, as the paper's code did (sigmoid only)",
    ),
  })
  .strict();

export const DcganConfigSchema = z
  .object({
    generatorDepth: why(
      positiveInt,
      128,
      "channels of the first feature map (7×7 for MNIST), as in the benchmark model",
    ),
    generatorChannels: why(
      z.array(positiveInt),
      [64],
      "one Conv2DTranspose(stride 2) per entry, then the output layer: 7→14→28",
    ),
    generatorDropout: why(probability, 0, "BatchNorm already regularises G; seed 001 used 0.4 — set it to compare"),
    discriminatorChannels: why(layerSizes, [64, 128], "one strided Conv2D per entry: 28→14→7, as in DCGAN"),
    discriminatorDropout: why(
      probability,
      0,
      "BatchNorm regularises D; seed 001's 0.3 gave blurrier digits at 1000 steps",
    ),
    discriminatorBatchNorm: why(z.boolean(), true, "DCGAN: BatchNorm on every D conv but the first"),
    kernelSize: why(positiveInt, 4, "4×4 kernels with stride 2 tile the output evenly (no checkerboard)"),
    leak: why(z.number().min(0).max(1), 0.2, "DCGAN's LeakyReLU slope in D"),
  })
  .strict();
