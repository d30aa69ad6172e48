/**
 * G's output activation and the pixel range it implies: a leaf that the network builders (mlp.ts, dcgan.ts) and the
 * model registry (index.ts) share, so that neither imports the other for it.
 */
import { ConfigError, type Config, type GeneratorOutputName } from "../config.js";
import type { PixelRange } from "../data/dataset.js";

/** The activation G's last layer applies: every config choice but `auto`, which resolves to one of these. */
export type OutputActivation = Exclude<GeneratorOutputName, "auto">;

/** `auto` → tanh for images (pixels in [-1, 1]), identity for low-dimensional toy data. */
export function resolveOutputActivation(config: Config, isImage: boolean): OutputActivation {
  const output = config.generatorOutput === "auto" ? (isImage ? "tanh" : "linear") : config.generatorOutput;
  if (isImage && output === "linear") {
    throw new ConfigError("config: generatorOutput: images need a bounded output (tanh or sigmoid), not linear");
  }
  if (!isImage && output !== "linear") {
    throw new ConfigError(
      `config: generatorOutput: ${output} cannot reach toy data outside its range; use linear or auto`,
    );
  }
  return output;
}

/** The range the data is scaled to so that G's output activation can reach all of it. */
export function pixelRangeFor(output: OutputActivation): PixelRange {
  return output === "sigmoid" ? "sigmoid" : "tanh";
}
