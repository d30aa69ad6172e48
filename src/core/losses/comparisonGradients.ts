/**
 * Zero gradients for TF.js's comparison kernels, which the gradient penalties need.
 *
 * TF.js writes several gradients with comparisons: Max's (maxout) routes dy through cast(equal(x, max)), LeakyRelu's
 * through greater(x, 0). A first-order gradient never differentiates those masks, but the penalties differentiate D's
 * input-gradient with respect to D's parameters (double backpropagation), and the masks depend on the parameters
 * through x. TF.js registers no gradient for comparisons, so that pass threw "gradient function not found for
 * Equal" on every backend. A comparison is piecewise constant, so its derivative is 0 wherever it exists — the
 * convention TensorFlow itself uses (comparisons are NotDifferentiable there: no gradient flows). Registering 0
 * here is that convention, not an approximation; test/core/losses/penalties.test.ts checks the resulting gradients
 * against finite differences on every backend.
 */
import { tf, type Tensor } from "../engine/tf.js";

/** The comparison kernels: inputs {a, b} → a bool tensor. */
const COMPARISON_KERNELS = ["Equal", "NotEqual", "Greater", "GreaterEqual", "Less", "LessEqual"] as const;

/** Registers the zero gradients once, unless TF.js (a later version) already has its own for a kernel. */
export function registerComparisonGradients(): void {
  for (const kernelName of COMPARISON_KERNELS) {
    if (tf.getGradient(kernelName) !== undefined) continue;
    tf.registerGradient({
      kernelName,
      inputsToSave: ["a", "b"],
      gradFunc: (_dy, saved) => {
        const [a, b] = saved as [Tensor, Tensor];
        return { a: () => tf.zerosLike(a).toFloat(), b: () => tf.zerosLike(b).toFloat() };
      },
    });
  }
}
