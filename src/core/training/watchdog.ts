/**
 * The training watchdog's saturation detector: it reads the step records Algorithm 1 emits and warns, once per
 * episode, when the discriminator has been saturated for many consecutive steps — D(x) → 1 on real data and
 * D(G(z)) → 0 on generated data.
 *
 * Why it matters (Goodfellow et al. 2014, section 3): when D rejects G's samples with confidence, log(1 − D(G(z)))
 * saturates and the minimax generator's gradient, scaled by D(G(z)), vanishes; even with the non-saturating loss a
 * D that wins every minibatch for a long time means the game is out of balance (D learning too fast, too many D
 * steps, or G stuck or collapsed). A short saturated stretch is normal at the very start, when G's samples are
 * noise, so only a long run of saturated steps is reported.
 *
 * Isomorphic: no I/O. `watchSaturation(events, onWarning)` subscribes to a training loop's events; the node layer
 * prints and logs the warning.
 */
import type { GeneratorLossName } from "../losses/index.js";
import type { StepRecord, TrainingEventMap } from "./algorithm1.js";
import type { Events } from "./events.js";

/** What the detector looks at and when it speaks. */
export interface SaturationOptions {
  /** A step is saturated when its mean D(x) is at least this … */
  realScoreAtLeast: number;
  /** … and its mean D(G(z)) is at most this. */
  fakeScoreAtMost: number;
  /** Consecutive saturated steps before the warning. */
  window: number;
  /** Consecutive unsaturated steps that end an episode (a later saturated run then warns again). */
  recoverySteps: number;
  /** G's loss, to say what saturation does to its gradient. */
  loss?: GeneratorLossName;
}

/**
 * Defaults, each with its reason:
 * - realScoreAtLeast 0.99 / fakeScoreAtMost 0.01: D's logits beyond ±4.6 on average; the minimax G gradient is then
 *   scaled by D(G(z)) ≤ 0.01 — a hundredth of the non-saturating one — and the D loss is below 0.02 (log 4 ≈ 1.39
 *   at equilibrium).
 * - window 100: longer than the saturated start of a healthy toy or MNIST run (G's first samples are noise and D
 *   rejects them for some tens of steps), short enough to warn within the first 5% of a default 2000-step run.
 * - recoverySteps 20: one good minibatch inside a saturated stretch does not start a new episode (no warning storms
 *   from a D that flickers at the threshold).
 */
export const SATURATION_DEFAULTS: Readonly<SaturationOptions> = {
  realScoreAtLeast: 0.99,
  fakeScoreAtMost: 0.01,
  window: 100,
  recoverySteps: 20,
};

/** A warning the watchdog raises: one line for the user, the numbers behind it for the log. */
export interface WatchdogWarning {
  kind: "discriminator-saturation";
  /** The step at which the warning fired. */
  step: number;
  /** The first step of the saturated run. */
  firstStep: number;
  /** Mean D(x) and D(G(z)) over the saturated run. */
  realScore: number;
  fakeScore: number;
  /** One line, with the thresholds, the reason and what to try. */
  message: string;
}

/** The fields of a step record the detector reads. */
export type SaturationRecord = Pick<StepRecord, "step" | "realScore" | "fakeScore">;

/** Feeds on step records; `observe` returns a warning at most once per saturated episode. */
export class SaturationWatchdog {
  readonly options: Readonly<SaturationOptions>;
  private saturatedRun = 0;
  private healthyRun = 0;
  private warned = false;
  private firstStep = 0;
  private realSum = 0;
  private fakeSum = 0;

  constructor(options: Partial<SaturationOptions> = {}) {
    this.options = { ...SATURATION_DEFAULTS, ...options };
    const { realScoreAtLeast, fakeScoreAtMost, window, recoverySteps } = this.options;
    if (!(realScoreAtLeast > 0 && realScoreAtLeast <= 1) || !(fakeScoreAtMost >= 0 && fakeScoreAtMost < 1)) {
      throw new RangeError(
        `watchdog: score thresholds must be probabilities, got ${realScoreAtLeast}, ${fakeScoreAtMost}`,
      );
    }
    if (!Number.isInteger(window) || window < 1 || !Number.isInteger(recoverySteps) || recoverySteps < 1) {
      throw new RangeError(
        `watchdog: window and recoverySteps must be positive integers, got ${window}, ${recoverySteps}`,
      );
    }
  }

  /** Whether one step's scores are saturated (NaN never is: divergence is another detector's business). */
  isSaturated(record: SaturationRecord): boolean {
    return record.realScore >= this.options.realScoreAtLeast && record.fakeScore <= this.options.fakeScoreAtMost;
  }

  /** Reads one step; returns a warning when this step completes `window` saturated steps in a new episode. */
  observe(record: SaturationRecord): WatchdogWarning | null {
    if (!this.isSaturated(record)) {
      this.saturatedRun = 0;
      this.healthyRun += 1;
      if (this.healthyRun >= this.options.recoverySteps) this.warned = false;
      return null;
    }
    this.healthyRun = 0;
    if (this.saturatedRun === 0) {
      this.firstStep = record.step;
      this.realSum = 0;
      this.fakeSum = 0;
    }
    this.saturatedRun += 1;
    this.realSum += record.realScore;
    this.fakeSum += record.fakeScore;
    if (this.warned || this.saturatedRun < this.options.window) return null;
    this.warned = true;
    return this.warning(record.step);
  }

  /** Forgets everything (e.g. when a run is resumed with a different config). */
  reset(): void {
    this.saturatedRun = 0;
    this.healthyRun = 0;
    this.warned = false;
  }

  private warning(step: number): WatchdogWarning {
    const { realScoreAtLeast, fakeScoreAtMost, loss } = this.options;
    const realScore = this.realSum / this.saturatedRun;
    const fakeScore = this.fakeSum / this.saturatedRun;
    const effect =
      loss === "minimax"
        ? `the minimax G gradient is scaled by D(G(z)) and vanishes`
        : `D rejects every generated sample with confidence and G gets little useful signal`;
    const message =
      `discriminator saturated for ${this.saturatedRun} steps (${this.firstStep}–${step}): ` +
      `mean D(x) ${realScore.toFixed(4)} ≥ ${realScoreAtLeast}, mean D(G(z)) ${fakeScore.toExponential(1)} ≤ ` +
      `${fakeScoreAtMost}; ${effect} — try ${loss === "minimax" ? "--loss non-saturating, " : ""}` +
      `a lower --discriminator-learning-rate or fewer --discriminator-steps`;
    return { kind: "discriminator-saturation", step, firstStep: this.firstStep, realScore, fakeScore, message };
  }
}

/**
 * Subscribes a saturation watchdog to a training loop's step events; `onWarning` gets each warning (print it, log
 * it). Returns the function that unsubscribes.
 */
export function watchSaturation(
  events: Events<TrainingEventMap>,
  onWarning: (warning: WatchdogWarning) => void | Promise<void>,
  options: Partial<SaturationOptions> = {},
): () => void {
  const watchdog = new SaturationWatchdog(options);
  return events.on("step", async (record) => {
    const warning = watchdog.observe(record);
    if (warning) await onWarning(warning);
  });
}
