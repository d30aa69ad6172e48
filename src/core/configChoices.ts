/**
 * The choices, in one place: every name list of the config (backends, metrics, losses, datasets, samplers, …).
 * A leaf with no imports at all: the CLI's flags, the lab's fields and the registries (losses, toys, metrics,
 * backends) take their names from here, so a new name is one edit. A registry is typed `Record<Name, …>`, so a name
 * added here without its entry fails the typecheck. config.ts re-exports everything, so callers import from there.
 */
/** What a user may ask for; `auto` picks the fastest backend that works here (src/core/engine/backend.ts). */
export const BACKEND_NAMES = ["auto", "native", "wasm", "cpu", "webgl", "webgpu"] as const;
/** A TF.js engine by name; `auto` picks the fastest that works here. */
export type BackendName = (typeof BACKEND_NAMES)[number];
/** The backends Node offers (`native` is the oneDNN addon, src/node/engine): the CLI's `--backend` choices. */
export const NODE_BACKEND_NAMES = ["auto", "native", "wasm", "cpu"] as const satisfies readonly BackendName[];
/** The backends the lab offers in a browser (webgpu's package is not installed: web/src/worker/backend.ts). */
export const BROWSER_BACKEND_NAMES = ["auto", "webgl", "wasm", "cpu"] as const satisfies readonly BackendName[];
export type BrowserBackendName = (typeof BROWSER_BACKEND_NAMES)[number];
/** Every evaluation metric's name, in the order tables list them (src/core/metrics/index.ts). */
export const METRIC_NAMES = [
  "parzen",
  "frechet",
  "classifier-score",
  "class-coverage",
  "precision-recall",
  "modes",
  "divergence",
  "stacked-modes",
] as const;
/** An evaluation metric by name (src/core/metrics/index.ts lists their objects). */
export type MetricName = (typeof METRIC_NAMES)[number];
/** Network families (src/core/models): the paper's fully connected nets, or DCGAN's convolutional ones. */
export const ARCHITECTURE_NAMES = ["mlp", "dcgan"] as const;
/** The networks: the paper's MLPs or DCGAN's convolutional nets. */
export type ArchitectureName = (typeof ARCHITECTURE_NAMES)[number];
/** Adversarial objectives (D's and G's losses), one file each in src/core/losses (its registry is keyed by these). */
export const LOSS_NAMES = ["non-saturating", "minimax", "least-squares", "hinge", "wasserstein-gp"] as const;
/** The adversarial objective (src/core/losses/). */
export type LossName = (typeof LOSS_NAMES)[number];
/**
 * Which networks' weight layers are spectrally normalised (Miyato et al. 2018; src/core/models/spectralNorm.ts):
 * none, D's only (the paper's setting), or D's and G's (as SAGAN and BigGAN do).
 */
export const SPECTRAL_NORM_NAMES = ["none", "discriminator", "both"] as const;
/** Which networks have spectrally normalised weights. */
export type SpectralNormName = (typeof SPECTRAL_NORM_NAMES)[number];
/**
 * The binary cross-entropy losses: D's output is the logit of a probability D(x) (the paper's D), so σ(output),
 * V(D, G) and label smoothing's real/fake targets mean what they say. The others' D outputs a score or a critic.
 */
export const CROSS_ENTROPY_LOSSES = ["non-saturating", "minimax"] as const satisfies readonly LossName[];
/** True for the binary cross-entropy losses (CROSS_ENTROPY_LOSSES): D's output is the logit of a probability. */
export function isCrossEntropyLoss(loss: string): boolean {
  return (CROSS_ENTROPY_LOSSES as readonly string[]).includes(loss);
}
/**
 * The losses whose D is a critic: an unbounded score, not a probability (hinge, Wasserstein). The logs' D(x) and
 * D(G(z)) are then raw critic values, and charts draw them on a free axis (scoreMeaningOf).
 */
export const CRITIC_LOSSES = ["hinge", "wasserstein-gp"] as const satisfies readonly LossName[];
/** What the logged D(x), D(G(z)) mean: a probability (src/core/losses/types.ts says how each loss maps to one). */
export type ScoreMeaning = "probability" | "critic";
/** The meaning of `loss`'s scores; the loss objects and the charts (CLI plots, the lab's viewer) both read it here. */
export function scoreMeaningOf(loss: LossName): ScoreMeaning {
  return (CRITIC_LOSSES as readonly LossName[]).includes(loss) ? "critic" : "probability";
}
/** The losses with real/fake targets for one-sided label smoothing: the binary cross-entropy ones. */
export const LABEL_SMOOTHING_LOSSES = CROSS_ENTROPY_LOSSES;
/** WGAN-GP's λ (Gulrajani et al. 2017, Algorithm 1: "λ = 10"; used for every experiment in the paper). */
export const WASSERSTEIN_GP_PENALTY_WEIGHT = 10;
/**
 * k (D steps per G step) that a loss's paper prescribes, used when the config sets no discriminatorSteps:
 * WGAN-GP's n_critic = 5 (Gulrajani et al. 2017, Algorithm 1). Other losses take the schema's default.
 */
export const LOSS_DISCRIMINATOR_STEPS: Readonly<Partial<Record<LossName, number>>> = { "wasserstein-gp": 5 };
/**
 * Class-conditional GANs for labelled data (src/core/models/conditional.ts): none (the paper's unconditional GAN),
 * a projection discriminator (Miyato & Koyama 2018), or an auxiliary classifier in D (AC-GAN, Odena et al. 2017).
 * G takes a learned label embedding beside z in both.
 */
export const CONDITIONAL_NAMES = ["none", "projection", "acgan"] as const;
export type ConditionalName = (typeof CONDITIONAL_NAMES)[number];
/**
 * How `tsgan eval`, `tsgan sample` and rejectionSampleGan draw samples (src/core/training/rejection.ts): G directly
 * (the paper's), or Discriminator Rejection Sampling (Azadi et al. 2019), which keeps G's samples with probability
 * exp(logit D(x) − max logit) so that p_g becomes p_data where D = D*.
 */
export const SAMPLER_NAMES = ["direct", "rejection"] as const;
/** How samples are drawn: G directly, or by Discriminator Rejection Sampling. */
export type SamplerName = (typeof SAMPLER_NAMES)[number];
/** Noise priors p_z (src/core/training/noise.ts): uniform on [-1, 1] or the standard normal. */
export const PRIOR_NAMES = ["uniform", "normal"] as const;
/** The prior p_z: uniform on [−1, 1] (the paper's) or the standard normal. */
export type PriorName = (typeof PRIOR_NAMES)[number];
/**
 * G's output-layer bias at initialisation (src/core/models/initialization.ts): zeros, or the logit of the training
 * images' mean pixel, so that σ(bias) already matches the data's marginals (the paper's code: pylearn2's
 * init_sigmoid_bias_from_marginals).
 */
export const GENERATOR_OUTPUT_BIAS_NAMES = ["zeros", "data-marginals"] as const;
export type GeneratorOutputBiasName = (typeof GENERATOR_OUTPUT_BIAS_NAMES)[number];
/** Optimizers (src/core/training/optimizers.ts). */
export const OPTIMIZER_NAMES = ["adam", "sgd"] as const;
/** Adam or the paper's SGD with momentum. */
export type OptimizerName = (typeof OPTIMIZER_NAMES)[number];
/** G's output activation; `auto` follows the data (src/core/models/output.ts). */
export const GENERATOR_OUTPUT_NAMES = ["auto", "tanh", "sigmoid", "linear"] as const;
/** G's output activation; `auto` follows the data. */
export type GeneratorOutputName = (typeof GENERATOR_OUTPUT_NAMES)[number];
/** The toy distributions with known densities (src/core/data/toys.ts is keyed by these names). */
export const TOY_DATASET_NAMES = ["gaussian-1d", "mixture-1d", "ring-2d", "grid-2d"] as const;
/** A 1-D or 2-D toy distribution with an exact density (src/core/data/toys.ts). */
export type ToyDatasetName = (typeof TOY_DATASET_NAMES)[number];
/** The image datasets known by name (src/node/datasets.ts loads them). */
export const IMAGE_DATASET_NAMES = ["mnist", "fashion-mnist"] as const;
export type ImageDatasetName = (typeof IMAGE_DATASET_NAMES)[number];
/**
 * Image datasets built from another rather than read from files of their own (src/core/data/stacked.ts): Stacked
 * MNIST, three MNIST digits as the channels of one image (1 000 modes; Metz et al. 2017). Not in the lab.
 */
export const STACKED_DATASET_NAMES = ["stacked-mnist"] as const;
export type StackedDatasetName = (typeof STACKED_DATASET_NAMES)[number];
/** Any other image dataset is a pattern, not a name: this prefix and the path of an IDX images file. */
export const IDX_DATASET_PREFIX = "idx:";
/** Every dataset spec, for help text and error messages: the names, and the IDX pattern. */
export const DATASET_SPECS: readonly string[] = [
  ...IMAGE_DATASET_NAMES,
  ...STACKED_DATASET_NAMES,
  `${IDX_DATASET_PREFIX}<images-file>`,
  ...TOY_DATASET_NAMES,
];
export const DATASET_HINT = DATASET_SPECS.join("|");
