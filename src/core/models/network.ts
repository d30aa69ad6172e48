/**
 * A network: an ordered stack of layers and the variables they own. Nothing here knows about losses or training.
 */
import { tf, type Tensor, type Variable } from "../engine/tf.js";
import type { ApplyOptions, Layer, ParameterStore } from "./layers.js";
import type { PortableLayer } from "./portable.js";

/** A generator or discriminator: an ordered list of layers over one parameter store. */
export class Network {
  /** Trainable variables in a fixed order: the order optimizers and checkpoints use. */
  readonly parameters: Variable[];
  /** Local name → trainable variable. */
  readonly parameterNames: string[];

  constructor(
    readonly name: string,
    /** Input shape without the batch dimension, e.g. [100] for z or [28, 28, 1] for images. */
    readonly inputShape: number[],
    private readonly layers: Layer[],
    readonly store: ParameterStore,
  ) {
    this.parameterNames = [...store.trainable.keys()];
    this.parameters = [...store.trainable.values()];
  }

  /** Output shape without the batch dimension. */
  get outputShape(): number[] {
    return this.layers[this.layers.length - 1]!.outputShape;
  }

  /** [batch, ...inputShape] → [batch, ...outputShape]. */
  apply(input: Tensor, options: ApplyOptions): Tensor {
    const expected = this.inputShape;
    const actual = input.shape.slice(1);
    if (actual.length !== expected.length || actual.some((size, axis) => size !== expected[axis])) {
      throw new Error(`${this.name}: input shape [${actual}] does not match [${expected}]`);
    }
    let output = input;
    for (const layer of this.layers) output = layer.apply(output, options);
    return output;
  }

  /** Scalars one example flows through: the input and every layer's output (what a batch of 1 keeps for backprop). */
  activationSize(): number {
    const size = (shape: number[]) => shape.reduce((a, b) => a * b, 1);
    return this.layers.reduce((total, layer) => total + size(layer.outputShape), size(this.inputShape));
  }

  /**
   * The network in inference mode as stock TF.js layers (portable.ts), in order. Call inside tf.tidy. Throws for a
   * network with a layer that has no stock equivalent (a discriminator's Maxout).
   */
  portableLayers(): PortableLayer[] {
    return this.layers.flatMap((layer) => {
      if (!layer.portable) throw new Error(`${this.name}: a ${layer.constructor.name} layer has no stock TF.js form`);
      return layer.portable();
    });
  }

  /** Number of trainable scalars. */
  parameterCount(): number {
    return this.parameters.reduce((total, variable) => total + variable.size, 0);
  }

  /** Every variable (trainable, then statistics) by local name: what a checkpoint stores. */
  namedVariables(): Array<[string, Variable]> {
    return [...this.store.trainable.entries(), ...this.store.statistics.entries()];
  }

  /** Frees the network's variables. */
  dispose(): void {
    for (const [, variable] of this.namedVariables()) variable.dispose();
  }
}

/** Copies of all variable values, for tests that compare weights before and after a step. */
export function snapshotValues(network: Network): Map<string, Float32Array> {
  return new Map(network.namedVariables().map(([name, variable]) => [name, new Float32Array(variable.dataSync())]));
}

/** A no-grad forward pass in inference mode, e.g. for sample grids; `labels` [batch] for a conditional network. */
export function infer(network: Network, input: Tensor, labels?: Tensor): Tensor {
  return tf.tidy(() => network.apply(input, labels ? { training: false, labels } : { training: false }));
}
