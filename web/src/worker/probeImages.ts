/**
 * The images probe: G applied to the run's fixed noise (the core's fixedNoise — the same 64 z the CLI's sample grids
 * use for this seed), in inference mode, so the grid is comparable from one probe to the next.
 */
import { PIXEL_RANGES } from "../../../src/core/data/dataset.js";
import { tf, type Tensor } from "../../../src/core/engine/tf.js";
import { pixelRangeFor, resolveOutputActivation } from "../../../src/core/models/index.js";
import { samplingGenerator, type Gan } from "../../../src/core/training/gan.js";
import { FIXED_NOISE_COUNT, fixedNoise } from "../../../src/core/training/noise.js";
import type { ImagesProbe } from "./protocol.js";

export class ImagesProber {
  private readonly noise: Tensor;

  constructor(gan: Gan) {
    this.noise = fixedNoise(gan.config);
  }

  probe(gan: Gan, tick: number): ImagesProbe {
    const images = tf.tidy(
      () => samplingGenerator(gan).apply(this.noise, { training: false }).dataSync() as Float32Array,
    );
    const range = PIXEL_RANGES[pixelRangeFor(resolveOutputActivation(gan.config, true))];
    const [height, width, channels] = gan.dataShape as [number, number, number];
    return {
      kind: "images",
      tick,
      images,
      count: FIXED_NOISE_COUNT,
      shape: [height, width, channels],
      range: [range.low, range.high],
    };
  }

  dispose(): void {
    this.noise.dispose();
  }
}
