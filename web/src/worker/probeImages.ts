/**
 * The images probe: G applied to the run's fixed noise (the core's fixedNoise — the same 64 z the CLI's sample grids
 * use for this seed), in inference mode, so the grid is comparable from one probe to the next. A conditional GAN's
 * grid has one row per class, the first GRID_COLUMNS of those z in every row (as the CLI's grids), or all 64 z drawn
 * as one chosen class (the page's class selector).
 */
import { PIXEL_RANGES } from "../../../src/core/data/dataset.js";
import { tf, type Tensor } from "../../../src/core/engine/tf.js";
import { pixelRangeFor, resolveOutputActivation } from "../../../src/core/models/index.js";
import { samplingGenerator, type Gan } from "../../../src/core/training/gan.js";
import { classRows, GRID_COLUMNS, labelTensor } from "../../../src/core/training/conditional.js";
import { FIXED_NOISE_COUNT, fixedNoise } from "../../../src/core/training/noise.js";
import type { ImagesProbe } from "./protocol.js";

export class ImagesProber {
  private noise!: Tensor;
  /** A conditional GAN's classes, one per noise row; null for an unconditional one. */
  private labels: Tensor | null = null;
  /** The grid's columns: GRID_COLUMNS for a row per class, else a square grid (undefined). */
  private columns: number | undefined;

  constructor(
    private readonly gan: Gan,
    label = -1,
  ) {
    this.showClass(label);
  }

  /** Class `label` for all FIXED_NOISE_COUNT z, or −1 (and any class the GAN lacks): a row per class. */
  showClass(label: number): void {
    const { config } = this.gan;
    this.dispose();
    this.labels = null;
    this.columns = undefined;
    if (config.conditional === "none") {
      this.noise = fixedNoise(config);
    } else if (label >= 0 && label < config.classCount) {
      this.noise = fixedNoise(config);
      this.labels = labelTensor(new Int32Array(FIXED_NOISE_COUNT).fill(label));
    } else {
      const columns = fixedNoise(config, GRID_COLUMNS);
      const rows = classRows(columns.dataSync() as Float32Array, config.latentDim, config.classCount);
      columns.dispose();
      this.noise = tf.tensor2d(rows.noise, [rows.labels.length, config.latentDim]);
      this.labels = labelTensor(rows.labels);
      this.columns = GRID_COLUMNS;
    }
  }

  probe(gan: Gan, tick: number): ImagesProbe {
    const options = this.labels ? { training: false, labels: this.labels } : { training: false };
    const images = tf.tidy(() => samplingGenerator(gan).apply(this.noise, options).dataSync() as Float32Array);
    const range = PIXEL_RANGES[pixelRangeFor(resolveOutputActivation(gan.config, true))];
    const [height, width, channels] = gan.dataShape as [number, number, number];
    return {
      kind: "images",
      tick,
      images,
      count: this.noise.shape[0]!,
      shape: [height, width, channels],
      range: [range.low, range.high],
      ...(this.columns ? { columns: this.columns } : {}),
    };
  }

  dispose(): void {
    this.noise?.dispose();
    this.labels?.dispose();
  }
}
