/**
 * Learning-rate and momentum schedules. SGD's are the paper's, as its released code ran them (Goodfellow et al. 2014,
 * github.com/goodfeli/adversarial, mnist.yaml, on pylearn2):
 *
 *   rate(t)     = max(rate₀ / decay^max(t − s, 0), floor)      pylearn2's ExponentialDecay: decay 1.000004, floor 1e-6, s = 0
 *   momentum(t) = μ₀ + (μ₁ − μ₀) · clip((t − a) / (b − a), 0, 1)   pylearn2's MomentumAdjustor: 0.5 → 0.7
 *
 * where t is the number of updates the optimizer has applied before this one (the first update uses rate₀ and μ₀).
 * Both are pure functions of t, which an optimizer's state already holds, so a resumed run continues the schedules
 * exactly: nothing new is saved.
 *
 * One difference, written down: pylearn2 changes the momentum once per epoch (epoch e trains with α = e / 249 for
 * start 1, saturate 250), while here it changes every update (α = t / 124 500 at 500 updates per epoch): the same
 * line, sampled finer, at most 0.2 / 249 ≈ 0.0008 above the epoch-wise value.
 */
import type { Config } from "../config.js";

/**
 * The exponential rate decay, which Adam shares with SGD: rate(t) = max(rate₀ / decay^max(t − s, 0), floor). For Adam
 * it is the simplest annealing of the step size that lets a generator settle onto sharp modes at the end of a run (the
 * results campaign's toy recipes, docs/results.md); decay 1 (the default) keeps Adam's constant rate. The decay's start
 * s holds rate₀ for the first s updates (0 = decay from the first), for a run that must find its modes at the full
 * rate before it sharpens them.
 */
export interface LearningRateSchedule {
  /** The rate of the first update (rate₀). */
  learningRate: number;
  /** The rate is divided by this after every update from `learningRateDecayStart` on; 1 = constant. */
  learningRateDecay: number;
  /** s: the updates that keep rate₀ before the decay begins. */
  learningRateDecayStart: number;
  /** The rate never falls below this. */
  minimumLearningRate: number;
}

/** The rate schedule the config gives a network whose first rate is `learningRate` (either optimizer). */
export function learningRateSchedule(
  config: Pick<Config, "learningRateDecay" | "learningRateDecayStart" | "minimumLearningRate">,
  learningRate: number,
): LearningRateSchedule {
  return {
    learningRate,
    learningRateDecay: config.learningRateDecay,
    learningRateDecayStart: config.learningRateDecayStart,
    minimumLearningRate: config.minimumLearningRate,
  };
}

/** What SGD's schedule needs from the config; the base rate is per network (G's or D's). */
export type SgdScheduleConfig = Pick<
  Config,
  | "momentum"
  | "finalMomentum"
  | "momentumRampUpdates"
  | "learningRateDecay"
  | "learningRateDecayStart"
  | "minimumLearningRate"
>;

export interface SgdSchedule extends LearningRateSchedule {
  /** μ₀: the momentum until the ramp starts. */
  momentum: number;
  /** μ₁: the momentum from the ramp's end on. */
  finalMomentum: number;
  /** [a, b]: the updates at which the ramp starts and ends. */
  rampUpdates: readonly [number, number];
}

/** The schedule the config gives a network whose first rate is `learningRate`. */
export function sgdSchedule(config: SgdScheduleConfig, learningRate: number): SgdSchedule {
  return {
    ...learningRateSchedule(config, learningRate),
    momentum: config.momentum,
    finalMomentum: config.finalMomentum ?? config.momentum,
    rampUpdates: config.momentumRampUpdates,
  };
}

/** The rate of the update that follows `updates` applied ones: max(rate₀ / decay^max(t − s, 0), floor), in float64. */
export function scheduledLearningRate(schedule: LearningRateSchedule, updates: number): number {
  const decayed = Math.max(updates - schedule.learningRateDecayStart, 0);
  if (schedule.learningRateDecay === 1 || decayed === 0) return schedule.learningRate;
  return Math.max(schedule.learningRate / schedule.learningRateDecay ** decayed, schedule.minimumLearningRate);
}

/** The momentum of the update that follows `updates` applied ones: linear from μ₀ to μ₁ over the ramp. */
export function scheduledMomentum(schedule: SgdSchedule, updates: number): number {
  const [start, end] = schedule.rampUpdates;
  // A ramp of no length is a step at its start.
  const progress = end > start ? Math.min(Math.max((updates - start) / (end - start), 0), 1) : updates >= start ? 1 : 0;
  return schedule.momentum + (schedule.finalMomentum - schedule.momentum) * progress;
}
