/**
 * What `tsgan sample` does once its flags are parsed (src/cli/sampleCommand.ts): loaded only then, since it loads
 * TF.js and the run's machinery, which `tsgan sample --help` or a mistyped flag should not wait for.
 */
import { extname, join } from "node:path";
import {
  ConfigError,
  resolveConfig,
  whyNoRejectionSampling,
  type BackendName,
  type SamplerName,
} from "../core/config.js";
import { Rng } from "../core/engine/random.js";
import { disposeGan } from "../core/training/gan.js";
import { describeRejection, rejectionSampleGan } from "../core/training/rejection.js";
import { SAMPLE_PURPOSE } from "../core/training/sampling.js";
import { openGan } from "../node/run/openGan.js";
import { RunDirectory, RunError, stepName } from "../node/run/runDirectory.js";
import { randomSampleInputs, writePictureOfSamples, writeSamplePicture } from "../node/run/samples.js";
import { sampleArrayFormat, writeArrayOfSamples, writeSampleArray } from "../node/export/sampleArrays.js";
import { loadDatasetFor } from "../node/train.js";

/** The largest seed drawn when none is given (2^31 keeps it readable and exact in every JSON tool). */
const MAX_RANDOM_SEED = 2 ** 31;

/** The parsed flags of `tsgan sample`. */
export interface SampleOptions {
  run: string;
  checkpoint?: number;
  count: number;
  seed?: number;
  out?: string;
  rawGenerator: boolean;
  class?: number;
  sampler?: SamplerName;
  rejectionQuantile?: number;
  rejectionCalibrationSteps?: number;
  backend: BackendName;
}

/** Draws the samples and writes them where `--out` says (or beside the run's own sample grids). */
export async function sample(options: SampleOptions): Promise<void> {
  const run = await RunDirectory.open(options.run);
  const checkpoint = await run.readCheckpoint(options.checkpoint);
  const config = resolveConfig(checkpoint.manifest.config);
  const dataset = loadDatasetFor(config);
  const extension = dataset.kind === "images" ? ".png" : ".svg";
  const out = options.out ?? join(run.samplesDir, `sample_${stepName(checkpoint.manifest.step)}${extension}`);
  const arrayFormat = sampleArrayFormat(out, dataset.kind);
  if (!arrayFormat && extname(out).toLowerCase() !== extension) {
    const formats = dataset.kind === "images" ? ".png or .npy" : ".svg, .npy or .csv";
    throw new RunError(`--out ${out}: this run's samples are written as ${formats} files`);
  }
  const sampler = options.sampler ?? config.sampler;
  if (sampler === "rejection") {
    const reason = whyNoRejectionSampling(config, options.rejectionCalibrationSteps);
    if (reason !== null) throw new ConfigError(reason);
    if (options.class !== undefined) throw new ConfigError("--class: rejection sampling is for unconditional runs");
  }
  const { gan, manifest } = await openGan(run, { checkpoint, backend: options.backend, weightsOnly: true });
  try {
    const seed = options.seed ?? Math.floor(Math.random() * MAX_RANDOM_SEED);
    const which = gan.generatorEma && !options.rawGenerator ? "EMA generator" : "generator";
    if (sampler === "rejection") {
      // rejectionSampleGan's default key, (seed, SAMPLE_PURPOSE): the library call with this seed draws the same.
      const drawn = rejectionSampleGan(gan, dataset, options.count, {
        seed,
        rawGenerator: options.rawGenerator,
        ...(options.rejectionQuantile !== undefined ? { quantile: options.rejectionQuantile } : {}),
        ...(options.rejectionCalibrationSteps !== undefined
          ? { calibrationSteps: options.rejectionCalibrationSteps }
          : {}),
      });
      const title = `${config.dataset}, step ${manifest.step}, seed ${seed}, ${which}, rejection sampling`;
      if (arrayFormat) await writeArrayOfSamples(gan, drawn.samples, out, arrayFormat);
      else await writePictureOfSamples(gan, dataset, drawn.samples, out, title);
      console.error(
        `tsgan: wrote ${options.count} samples of the ${which} from step ${manifest.step} (seed ${seed}) to ${out}, ` +
          describeRejection(drawn),
      );
      return;
    }
    const { noise, choice } = randomSampleInputs(
      config,
      options.count,
      Rng.derive(seed, SAMPLE_PURPOSE), // the key sampleGan uses: library and CLI draw the same samples
      options.class,
    );
    const ofClass = options.class === undefined ? "" : ` of class ${options.class}`;
    const title = `${config.dataset}${ofClass}, step ${manifest.step}, seed ${seed}, ${which}`;
    const count = noise.shape[0]!;
    const drawn = { ...choice, rawGenerator: options.rawGenerator };
    // A conditional run's classes go beside the samples (samples.labels.npy, or a CSV column).
    if (arrayFormat) await writeSampleArray(gan, noise, out, arrayFormat, drawn);
    else await writeSamplePicture(gan, dataset, noise, out, title, drawn);
    noise.dispose();
    console.error(
      `tsgan: wrote ${count} samples${ofClass} of the ${which} from step ${manifest.step} (seed ${seed}) to ${out}`,
    );
  } finally {
    disposeGan(gan);
  }
}
