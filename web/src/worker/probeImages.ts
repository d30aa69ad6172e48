/**
 * The images probe: G applied to the run's fixed noise (the core's fixedNoise — the same 64 z the CLI's sample grids
 * use for this seed), in inference mode, so the grid is comparable from one probe to the next. A conditional GAN's
 * grid has one row per class, the first GRID_COLUMNS of those z in every row (as the CLI's grids).
 */
import { PIXEL_RANGES } from "../../../src/core/data/dataset.js";
import { tf, type Tensor } from "../../../src/core/engine/tf.js";
import { pixelRangeFor, resolveOutputActivation } from "../../../src/core/models/index.js";
import type { Gan } from "../../../src/core/training/gan.js";
import { classRows, GRID_COLUMNS, labelTensor } from "../../../src/core/training/conditional.js";
import { fixedNoise } from "../../../src/core/training/noise.js";
import type { ImagesProbe } from "./protocol.js";

export class ImagesProber {
  private readonly noise: Tensor;
  /** A conditional GAN's classes, one per noise row; null for an unconditional one. */
  private readonly labels: Tensor | null = null;

  constructor(gan: Gan) {
    const { config } = gan;
    if (config.conditional === "none") {
      this.noise = fixedNoise(config);
      return;
    }
    const columns = fixedNoise(config, GRID_COLUMNS);
    const rows = classRows(columns.dataSync() as Float32Array, config.latentDim, config.classCount);
    columns.dispose();
    this.noise = tf.tensor2d(rows.noise, [rows.labels.length, config.latentDim]);
    this.labels = labelTensor(rows.labels);
  }

  probe(gan: Gan, tick: number): ImagesProbe {
    const options = this.labels ? { training: false, labels: this.labels } : { training: false };
    const images = tf.tidy(() => gan.generator.apply(this.noise, options).dataSync() as Float32Array);
    const range = PIXEL_RANGES[pixelRangeFor(resolveOutputActivation(gan.config, true))];
    const [height, width, channels] = gan.dataShape as [number, number, number];
    return {
      kind: "images",
      tick,
      images,
      count: this.noise.shape[0]!,
      shape: [height, width, channels],
      range: [range.low, range.high],
      ...(this.labels ? { columns: GRID_COLUMNS } : {}),
    };
  }

  dispose(): void {
    this.noise.dispose();
    this.labels?.dispose();
  }
}
