/**
 * Adam and SGD with momentum, each bound to an explicit list of variables (one network's).
 *
 * Written out rather than taken from tf.train because (1) an optimizer here can only ever touch the variables it was
 * given, (2) its whole state is a named list of tensors plus a step count, saved and restored exactly, and (3) Adam's
 * bias corrections are computed from the step count in float64 (tf.train.adam multiplies running β powers in
 * float32, which drifts from a resumed run's pow(β, t) in the last bits — resume would not be bit-identical).
 */
import type { Config } from "../config.js";
import {
  ADAM_KERNEL,
  MOMENTUM_SGD_KERNEL,
  backendHasKernel,
  runFusedAdam,
  runFusedMomentumSgd,
  type AdamKernelAttributes,
} from "../engine/fusedKernels.js";
import { tf, type Tensor, type Variable } from "../engine/tf.js";
import {
  learningRateSchedule,
  scheduledLearningRate,
  scheduledMomentum,
  sgdSchedule,
  type LearningRateSchedule,
  type SgdSchedule,
} from "./schedules.js";

/** Adam's ε, added to √v̂ as in PyTorch. */
export const ADAM_EPSILON = 1e-8;

/** An optimizer's state, as a checkpoint stores it. */
export interface OptimizerState {
  /** Updates applied so far. */
  step: number;
  /** Slot tensors by name, e.g. "dense0/kernel/m". */
  slots: Map<string, Tensor>;
}

/** Updates one network's variables, and only those (it is constructed with the list). */
export interface Optimizer {
  readonly kind: "adam" | "sgd";
  /** Applies one update; `gradients[i]` belongs to `variables[i]`. Disposes nothing it was given. */
  apply(gradients: Tensor[]): void;
  /** Number of updates applied. */
  readonly step: number;
  /** Copies of the state (caller disposes). */
  getState(): OptimizerState;
  /** Restores a state saved by getState (copies its tensors). */
  setState(state: OptimizerState): void;
  /** Frees the slot tensors. */
  dispose(): void;
}

interface Slot {
  name: string;
  variable: Variable;
}

abstract class SlottedOptimizer implements Optimizer {
  abstract readonly kind: "adam" | "sgd";
  protected steps = 0;
  /** slotsByVariable[i][j]: the j-th slot of variables[i]. */
  protected readonly slotsByVariable: Slot[][];

  constructor(
    protected readonly variables: Variable[],
    protected readonly names: string[],
    slotNames: string[],
  ) {
    this.slotsByVariable = variables.map((variable, index) =>
      slotNames.map((slot) => ({
        name: `${names[index]}/${slot}`,
        variable: tf.tidy(() => tf.variable(tf.zerosLike(variable), false)), // tidy frees the zeros tensor
      })),
    );
  }

  get step(): number {
    return this.steps;
  }

  abstract apply(gradients: Tensor[]): void;

  protected checkGradients(gradients: Tensor[]): void {
    if (gradients.length !== this.variables.length) {
      throw new Error(`optimizer got ${gradients.length} gradients for ${this.variables.length} variables`);
    }
  }

  getState(): OptimizerState {
    const slots = new Map<string, Tensor>();
    for (const slot of this.slotsByVariable.flat()) slots.set(slot.name, tf.clone(slot.variable));
    return { step: this.steps, slots };
  }

  setState(state: OptimizerState): void {
    for (const slot of this.slotsByVariable.flat()) {
      const saved = state.slots.get(slot.name);
      if (!saved) throw new Error(`optimizer state has no slot ${slot.name}`);
      if (saved.size !== slot.variable.size) throw new Error(`optimizer slot ${slot.name} has the wrong size`);
      tf.tidy(() => slot.variable.assign(tf.reshape(saved, slot.variable.shape)));
    }
    this.steps = state.step;
  }

  dispose(): void {
    for (const slot of this.slotsByVariable.flat()) slot.variable.dispose();
  }
}

/**
 * Adam (Kingma & Ba 2015): m ← β1·m + (1−β1)·g; v ← β2·v + (1−β2)·g²; θ ← θ − α_t·m̂ / (√v̂ + ε), where α_t is the
 * given rate, or follows the given decay schedule (schedules.ts) at t = updates applied so far.
 * On a backend with the fused TsganAdam kernel (engine/fusedKernels.ts) each variable's update is one kernel
 * instead of ~13 element-wise ones, with bit-identical results; elsewhere it runs as the ops written out below.
 */
export class Adam extends SlottedOptimizer {
  readonly kind = "adam" as const;

  private readonly schedule: LearningRateSchedule;

  constructor(
    variables: Variable[],
    names: string[],
    learningRate: number | LearningRateSchedule,
    private readonly beta1: number,
    private readonly beta2: number,
  ) {
    super(variables, names, ["m", "v"]);
    this.schedule =
      typeof learningRate === "number"
        ? { learningRate, learningRateDecay: 1, learningRateDecayStart: 0, minimumLearningRate: 0 }
        : learningRate;
  }

  apply(gradients: Tensor[]): void {
    this.checkGradients(gradients);
    const learningRate = scheduledLearningRate(this.schedule, this.steps);
    const t = this.steps + 1;
    const firstCorrection = 1 - this.beta1 ** t; // float64 on the JS side
    const secondCorrection = Math.sqrt(1 - this.beta2 ** t);
    const fused = backendHasKernel(ADAM_KERNEL);
    tf.tidy(() => {
      gradients.forEach((gradient, index) => {
        const [m, v] = this.slotsByVariable[index]! as [Slot, Slot];
        const variable = this.variables[index]!;
        if (fused) {
          // The same update in one kernel, bit-identical to the ops below.
          const attributes: AdamKernelAttributes = {
            beta1: this.beta1,
            oneMinusBeta1: 1 - this.beta1,
            beta2: this.beta2,
            oneMinusBeta2: 1 - this.beta2,
            secondCorrection,
            epsilon: ADAM_EPSILON,
            stepSize: learningRate / firstCorrection,
          };
          const inputs = { variable, gradient, m: m.variable, v: v.variable };
          const [newVariable, newM, newV] = runFusedAdam(inputs, attributes);
          m.variable.assign(newM);
          v.variable.assign(newV);
          variable.assign(newVariable);
          return;
        }
        const newM = tf.add(tf.mul(m.variable, this.beta1), tf.mul(gradient, 1 - this.beta1));
        const newV = tf.add(tf.mul(v.variable, this.beta2), tf.mul(tf.square(gradient), 1 - this.beta2));
        m.variable.assign(newM);
        v.variable.assign(newV);
        // θ ← θ − (α / (1 − β1^t)) · m / (√v / √(1 − β2^t) + ε)
        const denominator = tf.add(tf.div(tf.sqrt(newV), secondCorrection), ADAM_EPSILON);
        variable.assign(tf.sub(variable, tf.mul(tf.div(newM, denominator), learningRate / firstCorrection)));
      });
    });
    this.steps = t;
  }
}

/**
 * SGD with momentum, as in the paper's code: u ← μ_t·u − α_t·g; θ ← θ + u, where α_t and μ_t follow the schedule
 * (schedules.ts; constant unless the config asks for decay or a momentum ramp) at t = updates applied so far.
 * On a backend with the fused TsganMomentumSgd kernel each variable's update is one kernel instead of four, with
 * bit-identical results.
 */
export class MomentumSgd extends SlottedOptimizer {
  readonly kind = "sgd" as const;

  constructor(
    variables: Variable[],
    names: string[],
    private readonly schedule: SgdSchedule,
  ) {
    super(variables, names, ["velocity"]);
  }

  apply(gradients: Tensor[]): void {
    this.checkGradients(gradients);
    const learningRate = scheduledLearningRate(this.schedule, this.steps);
    const momentum = scheduledMomentum(this.schedule, this.steps);
    const fused = backendHasKernel(MOMENTUM_SGD_KERNEL);
    tf.tidy(() => {
      gradients.forEach((gradient, index) => {
        const [velocity] = this.slotsByVariable[index]! as [Slot];
        const variable = this.variables[index]!;
        if (fused) {
          const inputs = { variable, gradient, velocity: velocity.variable };
          const [newVariable, newVelocity] = runFusedMomentumSgd(inputs, { momentum, learningRate });
          velocity.variable.assign(newVelocity);
          variable.assign(newVariable);
          return;
        }
        const newVelocity = tf.sub(tf.mul(velocity.variable, momentum), tf.mul(gradient, learningRate));
        velocity.variable.assign(newVelocity);
        variable.assign(tf.add(variable, newVelocity));
      });
    });
    this.steps += 1;
  }
}

/** The optimizer the config asks for, bound to one network's variables. */
export function createOptimizer(
  config: Config,
  variables: Variable[],
  names: string[],
  learningRate: number,
): Optimizer {
  return config.optimizer === "adam"
    ? new Adam(variables, names, learningRateSchedule(config, learningRate), config.beta1, config.beta2)
    : new MomentumSgd(variables, names, sgdSchedule(config, learningRate));
}
