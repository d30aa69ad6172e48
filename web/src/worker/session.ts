/**
 * A training session in the worker: one GAN, its data, and the controls play / pause / step.
 *
 * Algorithm 1 runs through the core's own loop (`trainAlgorithm1`, the CLI's code) on a view of the GAN whose step
 * limit is "now + n" (one iteration for a single step, unbounded for play); it stops cleanly between iterations when
 * the page pauses or changes a setting. A lone D step or G step calls the core's `discriminatorStep` /
 * `generatorStep` directly, with noise and batches derived from (seed, "lab/…", counter) like every other draw.
 * Live settings (loss, k, learning rates, batch size, R1 γ, label smoothing) rebuild only the config and the optimizers, carrying the
 * optimizers' moments over, so the networks keep training where they were.
 */
import type { Config } from "../../../src/core/config.js";
import { resolveConfig } from "../../../src/core/config.js";
import type { Dataset } from "../../../src/core/data/dataset.js";
import { hashSeed, Rng } from "../../../src/core/engine/random.js";
import { tf, type Tensor } from "../../../src/core/engine/tf.js";
import type { Network } from "../../../src/core/models/network.js";
import { samplesPerMinibatch } from "../../../src/core/models/packing.js";
import {
  discriminatorInputs,
  generatorLabels,
  trainAlgorithm1,
  type StepRecord,
  type TrainingEventMap,
} from "../../../src/core/training/algorithm1.js";
import { emaDecayAt, updateEma } from "../../../src/core/training/ema.js";
import { Events } from "../../../src/core/training/events.js";
import { disposeGan, withParts, type Gan } from "../../../src/core/training/gan.js";
import { sampleNoise } from "../../../src/core/training/noise.js";
import { createOptimizer, type Optimizer } from "../../../src/core/training/optimizers.js";
import { discriminatorStep, generatorStep } from "../../../src/core/training/steps.js";
import type { ChartRecord, Counters, LiveSettings, Probe, StepMode } from "./protocol.js";

/** The lab trains until paused: a step limit no session reaches. */
export const LAB_STEP_LIMIT = 1_000_000_000;
/** Progress (chart records, counters) goes to the page at most this often. */
const PROGRESS_INTERVAL_MS = 100;
/** A lone-step loop yields to the worker's event loop this often, so pause and settings are seen. */
const YIELD_INTERVAL_MS = 25;
/** Steps per second are measured over this window. */
const RATE_WINDOW_MS = 1000;

export interface SessionListener {
  progress(records: ChartRecord[], counters: Counters): void;
  probe(probe: Probe): void;
  error(message: string): void;
}

export interface Prober {
  probe(gan: Gan, tick: number, force?: boolean): Probe;
  /** Which class a conditional GAN's probe shows (−1: every class); probers without classes ignore it. */
  showClass?(label: number): void;
  dispose?(): void;
}

const yieldToEventLoop = () => new Promise<void>((resolve) => setTimeout(resolve, 0));

/** A copy of `old` for `learningRate`, with the same moments and step count; `old` is disposed. */
function retunedOptimizer(old: Optimizer, config: Config, network: Network, learningRate: number): Optimizer {
  const fresh = createOptimizer(config, network.parameters, network.parameterNames, learningRate);
  const state = old.getState();
  try {
    fresh.setState(state);
  } finally {
    tf.dispose([...state.slots.values()]);
  }
  old.dispose();
  return fresh;
}

export class TrainingSession {
  private tick = 0;
  private loneSteps = 0;
  private playing = false;
  private mode: StepMode = "algorithm1";
  private interrupt = false;
  private running: Promise<void> | null = null;
  private pendingSettings: LiveSettings | null = null;
  private records: ChartRecord[] = [];
  private lastProgressAt = 0;
  private lastProbeAt = 0;
  private rateWindow: Array<{ at: number; tick: number }> = [];

  constructor(
    private gan: Gan,
    private readonly dataset: Dataset,
    private readonly prober: Prober,
    private readonly listener: SessionListener,
    private readonly probeIntervalMs: number,
  ) {}

  /** Starts (or re-aims) continuous training; resolves when it stops. */
  async play(mode: StepMode): Promise<void> {
    this.mode = mode;
    if (this.running) {
      this.interrupt = true; // the loop picks the new mode up between iterations
      return;
    }
    this.playing = true;
    this.running = this.loop();
    try {
      await this.running;
    } finally {
      this.running = null;
      this.playing = false;
      this.report(true);
    }
  }

  /** Stops after the current iteration. */
  async pause(): Promise<void> {
    this.playing = false;
    this.interrupt = true;
    await this.running;
  }

  /** One update of the given kind (ignored while playing). */
  async step(mode: StepMode): Promise<void> {
    if (this.running) return;
    this.applyPendingSettings();
    this.interrupt = false;
    if (mode === "algorithm1") await this.algorithm1(1);
    else await this.lone(mode, 1);
    this.report(true);
  }

  /** New live settings: applied now when idle, else between two iterations. */
  updateSettings(settings: LiveSettings): void {
    this.pendingSettings = settings;
    if (this.running) this.interrupt = true;
    else this.applyPendingSettings();
  }

  /** Shows another class in a conditional GAN's probe, at once. */
  showClass(label: number): void {
    this.prober.showClass?.(label);
    this.listener.probe(this.prober.probe(this.gan, this.tick, true));
  }

  /** Sends the current probe now (after setup). */
  probeNow(): void {
    this.listener.probe(this.prober.probe(this.gan, this.tick, true));
    this.lastProbeAt = performance.now();
    this.report(true);
  }

  async dispose(): Promise<void> {
    await this.pause();
    this.prober.dispose?.();
    disposeGan(this.gan);
  }

  private async loop(): Promise<void> {
    try {
      while (this.playing) {
        this.applyPendingSettings();
        this.interrupt = false;
        if (this.mode === "algorithm1") await this.algorithm1(LAB_STEP_LIMIT);
        else await this.lone(this.mode, Number.POSITIVE_INFINITY);
      }
    } catch (error) {
      this.playing = false;
      this.listener.error(`${(error as Error).name}: ${(error as Error).message}`);
    }
  }

  /** `iterations` of Algorithm 1 through the core's loop, or fewer if interrupted. */
  private async algorithm1(iterations: number): Promise<void> {
    const view = withParts(this.gan, { config: { ...this.gan.config, steps: this.gan.step + iterations } });
    const events = new Events<TrainingEventMap>();
    events.on("step", (record: StepRecord) => {
      this.gan.step = record.step;
      this.record({
        tick: ++this.tick,
        discriminatorLoss: record.discriminatorLoss,
        generatorLoss: record.generatorLoss,
        realScore: record.realScore,
        fakeScore: record.fakeScore,
        discriminatorGradientNorm: record.discriminatorGradientNorm,
        generatorGradientNorm: record.generatorGradientNorm,
      });
    });
    try {
      await trainAlgorithm1(view, this.dataset, events, { shouldStop: () => this.interrupt });
    } finally {
      this.gan.step = view.step;
    }
  }

  /** Lone D steps or G steps (no Algorithm-1 iteration is counted). */
  private async lone(mode: "discriminator" | "generator", count: number): Promise<void> {
    const { config } = this.gan;
    const seed = hashSeed(config.seed, "lab/lone-steps");
    let lastYield = performance.now();
    for (let index = 0; index < count && !(count > 1 && this.interrupt); index++) {
      const counter = this.loneSteps++;
      const noise = sampleNoise(config, samplesPerMinibatch(config), Rng.derive(seed, counter, "noise"));
      const seeds = {
        generator: hashSeed(seed, counter, "dropout/g"),
        discriminator: hashSeed(seed, counter, "dropout/d"),
      };
      let scalars: Tensor[];
      if (mode === "discriminator") {
        // A conditional run's labels come with the batch (and for G's samples, from their own stream);
        // with packing (PacGAN) the batch holds batchSize packs of `pack` samples.
        const { real, labels } = discriminatorInputs(this.gan, this.dataset, counter, seed, ["lab", counter]);
        const metrics = discriminatorStep(this.gan, real, noise, seeds, labels);
        tf.dispose([real, ...(labels ? [labels.real, labels.fake] : [])]);
        scalars = [metrics.loss, metrics.realScore, metrics.fakeScore, metrics.gradientNorm];
      } else {
        const labels = generatorLabels(this.gan, ["lab", counter]);
        const metrics = generatorStep(this.gan, noise, seeds, labels);
        labels?.dispose();
        // A G step moves the EMA generator too, as in Algorithm 1's loop (ema.ts): the pictures follow it.
        if (this.gan.generatorEma) {
          updateEma(
            this.gan.generatorEma,
            this.gan.generator,
            emaDecayAt(config, this.gan.generatorOptimizer.step - 1),
          );
        }
        scalars = [metrics.loss, metrics.fakeScore, metrics.gradientNorm];
      }
      noise.dispose();
      const stacked = tf.stack(scalars);
      const values = Array.from(stacked.dataSync());
      tf.dispose([stacked, ...scalars]);
      this.record(
        mode === "discriminator"
          ? {
              ...EMPTY_RECORD,
              tick: ++this.tick,
              discriminatorLoss: values[0]!,
              realScore: values[1]!,
              fakeScore: values[2]!,
              discriminatorGradientNorm: values[3]!,
            }
          : {
              ...EMPTY_RECORD,
              tick: ++this.tick,
              generatorLoss: values[0]!,
              fakeScore: values[1]!,
              generatorGradientNorm: values[2]!,
            },
      );
      if (performance.now() - lastYield > YIELD_INTERVAL_MS) {
        await yieldToEventLoop();
        lastYield = performance.now();
      }
    }
  }

  private record(record: ChartRecord): void {
    this.records.push(record);
    const now = performance.now();
    if (now - this.lastProbeAt >= this.probeIntervalMs) {
      this.lastProbeAt = now;
      this.listener.probe(this.prober.probe(this.gan, this.tick));
    }
    if (now - this.lastProgressAt >= PROGRESS_INTERVAL_MS) this.report(false);
  }

  private report(withProbe: boolean): void {
    const now = performance.now();
    if (withProbe) {
      this.listener.probe(this.prober.probe(this.gan, this.tick, true));
      this.lastProbeAt = now;
    }
    this.rateWindow.push({ at: now, tick: this.tick });
    while (this.rateWindow.length > 2 && now - this.rateWindow[0]!.at > RATE_WINDOW_MS) this.rateWindow.shift();
    const oldest = this.rateWindow[0]!;
    const seconds = (now - oldest.at) / 1000;
    const counters: Counters = {
      tick: this.tick,
      iterations: this.gan.step,
      discriminatorUpdates: this.gan.discriminatorOptimizer.step,
      generatorUpdates: this.gan.generatorOptimizer.step,
      stepsPerSecond: seconds > 0 && this.playing ? (this.tick - oldest.tick) / seconds : 0,
      playing: this.playing,
    };
    this.listener.progress(this.records, counters);
    this.records = [];
    this.lastProgressAt = now;
  }

  private applyPendingSettings(): void {
    const settings = this.pendingSettings;
    if (!settings) return;
    this.pendingSettings = null;
    const old = this.gan;
    const config = resolveConfig({ ...old.config, ...settings });
    const generatorOptimizer =
      config.generatorLearningRate === old.config.generatorLearningRate
        ? old.generatorOptimizer
        : retunedOptimizer(old.generatorOptimizer, config, old.generator, config.generatorLearningRate);
    const discriminatorOptimizer =
      config.discriminatorLearningRate === old.config.discriminatorLearningRate
        ? old.discriminatorOptimizer
        : retunedOptimizer(old.discriminatorOptimizer, config, old.discriminator, config.discriminatorLearningRate);
    this.gan = withParts(old, { config, generatorOptimizer, discriminatorOptimizer });
  }
}

const EMPTY_RECORD: ChartRecord = {
  tick: 0,
  discriminatorLoss: null,
  generatorLoss: null,
  realScore: null,
  fakeScore: null,
  discriminatorGradientNorm: null,
  generatorGradientNorm: null,
};
