/**
 * Class-conditional networks (config.conditional): the layers that let G draw a requested class and let D judge
 * (x, y) pairs. A conditional network reads its labels from `ApplyOptions.labels` (int32 [batch], each in
 * 0 … classCount − 1); an unconditional network never looks at them.
 *
 * G — a learned label embedding concatenated with z at G's input (the cGAN of Mirza & Osindero 2014, "Conditional
 *     Generative Adversarial Nets": y is "an additional input layer" of G, beside the prior noise):
 *       G(z, y) = G′([z, E_G[y]])        E_G: [classCount, LABEL_EMBEDDING_DIMENSION]
 *     Chosen over conditional BatchNorm because it works unchanged for both families (the MLP's first Dense and the
 *     DCGAN's first Dense take the wider input; the MLP generator has no BatchNorm by default) and over mnist-acgan's
 *     elementwise product z ⊙ E[y] because concatenation keeps every coordinate of z (a product can zero some out).
 *
 * D — one of two heads on D's features φ(x) (the flattened output of its last hidden layer):
 *   - projection (Miyato & Koyama 2018, "cGANs with Projection Discriminator", eq. 3):
 *       D(x, y) = ψ(φ(x)) + ⟨E_D[y], φ(x)⟩          ψ linear (the "logit" Dense), E_D: [classCount, features]
 *     one logit [batch, 1], so every loss in src/core/losses applies to it unchanged.
 *   - acgan (Odena et al. 2017, "Conditional Image Synthesis with Auxiliary Classifier GANs"): D outputs the
 *     adversarial logit and K class logits, [batch, 1 + classCount]; the objective's class term is
 *     src/core/training/conditional.ts's. D does not see y; only the class term does.
 */
import type { Config } from "../config.js";
import { tf, type Tensor, type Variable } from "../engine/tf.js";
import {
  Dense,
  initialValues,
  type ApplyOptions,
  type Initializer,
  type Layer,
  type ParameterStore,
} from "./layers.js";

/** Width of G's label embedding E_G[y]: a few times more than 10 classes need, small beside z's 100. */
export const LABEL_EMBEDDING_DIMENSION = 16;
/**
 * G's embedding starts as N(0, 1) (PyTorch's nn.Embedding default): the scale of z ~ N(0, I), so the label weighs
 * like the noise coordinates beside it from the first step. D's projection table takes D's own initializer.
 */
const GENERATOR_EMBEDDING_INIT: Initializer = { kind: "normal", std: 1 };

/** What a network builder needs to know about the conditioning: null for an unconditional network. */
export interface Conditioning {
  kind: Exclude<Config["conditional"], "none">;
  classCount: number;
}

/** The config's conditioning, or null for an unconditional run; an Error when the class count is still unknown. */
export function conditioningOf(config: Pick<Config, "conditional" | "classCount">): Conditioning | null {
  if (config.conditional === "none") return null;
  if (config.classCount < 2) {
    throw new Error(
      `conditional ${config.conditional}: classCount is ${config.classCount}; fill it from the data first`,
    );
  }
  return { kind: config.conditional, classCount: config.classCount };
}

/** The labels of a conditional pass; an Error naming the layer when the caller gave none. */
function labelsOf(options: ApplyOptions, layer: string): Tensor {
  if (!options.labels) throw new Error(`${layer}: a conditional network needs labels (ApplyOptions.labels)`);
  return options.labels;
}

/** One row of `table` [classCount, width] per label: E[y] as one-hot(y) · E, [batch, width] (differentiable in E). */
function embed(table: Tensor, labels: Tensor, classCount: number): Tensor {
  const oneHot = tf.cast(tf.oneHot(tf.cast(labels, "int32") as tf.Tensor1D, classCount), "float32"); // [batch, K]
  return tf.matMul(oneHot as tf.Tensor2D, table as tf.Tensor2D);
}

function embeddingTable(
  store: ParameterStore,
  name: string,
  classCount: number,
  width: number,
  init: Initializer,
): Variable {
  const shape = [classCount, width];
  return store.add(name, shape, () => initialValues(store, name, shape, init, classCount, width));
}

/** G's input layer: z [batch, latentDim] → [z, E_G[y]] [batch, latentDim + LABEL_EMBEDDING_DIMENSION]. */
export class LabelEmbeddingInput implements Layer {
  readonly outputShape: number[];
  private readonly table: Variable;

  constructor(
    store: ParameterStore,
    latentDim: number,
    private readonly classCount: number,
  ) {
    this.outputShape = [latentDim + LABEL_EMBEDDING_DIMENSION];
    this.table = embeddingTable(
      store,
      "labelEmbedding",
      classCount,
      LABEL_EMBEDDING_DIMENSION,
      GENERATOR_EMBEDDING_INIT,
    );
  }

  apply(input: Tensor, options: ApplyOptions): Tensor {
    const embedding = embed(this.table, labelsOf(options, "labelEmbedding"), this.classCount); // [batch, 16]
    return tf.concat([input, embedding], 1);
  }
}

/** G's first layers for `conditioning`: the label embedding, or none. Returns them and the width they hand on. */
export function generatorInputLayers(
  store: ParameterStore,
  latentDim: number,
  conditioning: Conditioning | null,
): { layers: Layer[]; width: number } {
  if (!conditioning) return { layers: [], width: latentDim };
  const input = new LabelEmbeddingInput(store, latentDim, conditioning.classCount);
  return { layers: [input], width: input.outputShape[0]! };
}

/** The projection head: φ(x) [batch, features] → ψ(φ(x)) + ⟨E_D[y], φ(x)⟩ [batch, 1]. */
export class ProjectionHead implements Layer {
  readonly outputShape = [1];
  private readonly linear: Dense;
  private readonly table: Variable;

  constructor(
    store: ParameterStore,
    features: number,
    private readonly classCount: number,
    init: Initializer,
  ) {
    this.linear = new Dense(store, "logit", features, 1, init); // ψ: the unconditional D's own logit layer
    this.table = embeddingTable(store, "projection/embedding", classCount, features, init);
  }

  apply(features: Tensor, options: ApplyOptions): Tensor {
    const embedding = embed(this.table, labelsOf(options, "projection"), this.classCount); // [batch, features]
    const projection = tf.sum(tf.mul(embedding, features), 1, true); // ⟨E_D[y], φ(x)⟩: [batch, 1]
    return tf.add(this.linear.apply(features, options), projection);
  }
}

/** The AC-GAN head: φ(x) [batch, features] → [adversarial logit, class logits] [batch, 1 + classCount]. */
export class AuxiliaryClassifierHead implements Layer {
  readonly outputShape: number[];
  private readonly linear: Dense;
  private readonly classifier: Dense;

  constructor(store: ParameterStore, features: number, classCount: number, init: Initializer) {
    this.outputShape = [1 + classCount];
    this.linear = new Dense(store, "logit", features, 1, init);
    this.classifier = new Dense(store, "classLogits", features, classCount, init);
  }

  apply(features: Tensor, options: ApplyOptions): Tensor {
    return tf.concat([this.linear.apply(features, options), this.classifier.apply(features, options)], 1);
  }
}

/** D's last layer on its features [batch, features]: the plain logit Dense, or a conditional head. */
export function discriminatorHead(
  store: ParameterStore,
  features: number,
  init: Initializer,
  conditioning: Conditioning | null,
): Layer {
  if (!conditioning) return new Dense(store, "logit", features, 1, init);
  return conditioning.kind === "projection"
    ? new ProjectionHead(store, features, conditioning.classCount, init)
    : new AuxiliaryClassifierHead(store, features, conditioning.classCount, init);
}

/**
 * D's output split into the adversarial logit [batch, 1] (what every loss reads) and, for AC-GAN, the class logits
 * [batch, classCount] (null otherwise).
 */
export function splitDiscriminatorOutput(
  output: Tensor,
  conditional: Config["conditional"],
): { logits: Tensor; classLogits: Tensor | null } {
  if (conditional !== "acgan") return { logits: output, classLogits: null };
  const classCount = output.shape[1]! - 1;
  return { logits: tf.slice(output, [0, 0], [-1, 1]), classLogits: tf.slice(output, [0, 1], [-1, classCount]) };
}
