/**
 * The `native-fused` benchmark engine: the native backend with tsgan's BatchNorm layer (training mode) and Adam
 * optimizer routed through the fused native kernels TsganBatchNormTraining and TsganAdam — what
 * src/core/models/layers.ts and src/core/training/optimizers.ts give once they call those kernels when
 * `tf.getKernel(name, tf.getBackend())` exists (see src/node/engine/native/README.md). Installed by patching the
 * two methods in the benchmark process only; numerics: Adam bit-identical, batch norm within 1e-6 relative.
 */
import { tf, type Tensor, type Variable } from "../src/core/engine/tf.js";
import { BATCH_NORM_EPSILON, BATCH_NORM_MOMENTUM, BatchNorm, type ApplyOptions } from "../src/core/models/layers.js";
import { ADAM_EPSILON, Adam } from "../src/core/training/optimizers.js";

const ADAM_KERNEL = "TsganAdam";
const BATCH_NORM_TRAINING_KERNEL = "TsganBatchNormTraining";

/** The private fields of tsgan's Adam and BatchNorm that the patched methods read. */
interface AdamInternals {
  steps: number;
  variables: Variable[];
  slotsByVariable: { variable: Variable }[][];
  learningRate: number;
  beta1: number;
  beta2: number;
  checkGradients(gradients: Tensor[]): void;
}
interface BatchNormInternals {
  scale: Variable;
  offset: Variable;
  runningMean: Variable;
  runningVariance: Variable;
}

/** Patches Adam.prototype.apply and BatchNorm.prototype.apply to use the fused kernels (idempotent). */
export function installFusedHooks(): void {
  const adamApply = Adam.prototype.apply;
  if ((adamApply as { fused?: boolean }).fused) return;
  const fusedAdamApply = function (this: Adam, gradients: Tensor[]): void {
    if (tf.getKernel(ADAM_KERNEL, tf.getBackend()) === undefined) return adamApply.call(this, gradients);
    const self = this as unknown as AdamInternals;
    self.checkGradients(gradients);
    const t = self.steps + 1;
    const attrs = {
      beta1: self.beta1,
      oneMinusBeta1: 1 - self.beta1,
      beta2: self.beta2,
      oneMinusBeta2: 1 - self.beta2,
      secondCorrection: Math.sqrt(1 - self.beta2 ** t),
      epsilon: ADAM_EPSILON,
      stepSize: self.learningRate / (1 - self.beta1 ** t),
    };
    tf.tidy(() => {
      gradients.forEach((gradient, index) => {
        const [m, v] = self.slotsByVariable[index]!;
        const variable = self.variables[index]!;
        const inputs = { variable, gradient, m: m!.variable, v: v!.variable };
        const [newVariable, newM, newV] = tf.engine().runKernel(ADAM_KERNEL, inputs, attrs) as Tensor[];
        m!.variable.assign(newM!);
        v!.variable.assign(newV!);
        variable.assign(newVariable!);
      });
    });
    self.steps = t;
  };
  Adam.prototype.apply = Object.assign(fusedAdamApply, { fused: true });

  const batchNormApply = BatchNorm.prototype.apply;
  BatchNorm.prototype.apply = function (this: BatchNorm, input: Tensor, options: ApplyOptions): Tensor {
    if (!options.training || tf.getKernel(BATCH_NORM_TRAINING_KERNEL, tf.getBackend()) === undefined) {
      return batchNormApply.call(this, input, options);
    }
    const self = this as unknown as BatchNormInternals;
    const [y, mean, variance] = tf
      .engine()
      .runKernel(
        BATCH_NORM_TRAINING_KERNEL,
        { x: input, scale: self.scale, offset: self.offset },
        { varianceEpsilon: BATCH_NORM_EPSILON },
      ) as Tensor[];
    if (options.updateStatistics) {
      // As the layer does: unbiased running variance, momentum 0.9.
      const count = input.size / mean!.size;
      const unbiased = tf.mul(variance!, count / Math.max(count - 1, 1));
      self.runningMean.assign(
        tf.add(tf.mul(self.runningMean, BATCH_NORM_MOMENTUM), tf.mul(mean!, 1 - BATCH_NORM_MOMENTUM)),
      );
      self.runningVariance.assign(
        tf.add(tf.mul(self.runningVariance, BATCH_NORM_MOMENTUM), tf.mul(unbiased, 1 - BATCH_NORM_MOMENTUM)),
      );
    }
    return y!;
  };
}
