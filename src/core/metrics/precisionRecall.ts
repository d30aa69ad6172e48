/**
 * Improved precision and recall (Kynkäänniemi, Karras, Laine, Lehtinen & Aila 2019) in a feature space.
 *
 * Each set approximates its manifold by the union of balls around its points, the radius of a point's ball being the
 * distance to its k-th nearest neighbour within its own set (the point itself excluded):
 *
 *   precision = fraction of generated points inside the real manifold    (quality: are samples realistic?)
 *   recall    = fraction of real points inside the generated manifold    (coverage: is the variety there?)
 *
 * Both are 1 for two large samples of the same distribution (slightly less: a point just outside every ball of a
 * finite sample). A generator collapsed onto one repeated sample has balls of radius 0, so its recall is ≈ 0 even
 * when its single sample is perfect (precision can then stay high: precision measures quality, not variety).
 * k = 3 is the paper's recommended value. All distances come from chunked matrix products (matrix.ts).
 */
import { forEachDistanceChunk, type ChunkOptions, type Matrix } from "./matrix.js";
import { formatValue, imageData, type Metric } from "./metric.js";

/** Neighbourhood size: the paper's k = 3. */
export const DEFAULT_NEIGHBOURS = 3;

/** Precision, recall and the k they used. */
export interface PrecisionRecallResult {
  precision: number;
  recall: number;
  k: number;
  realCount: number;
  generatedCount: number;
}

/**
 * Squared distance from each row of `points` to its k-th nearest other row (the (k + 1)-th smallest including
 * itself) [rows]. Needs more than k rows.
 */
export async function kthNeighbourSquaredDistances(
  points: Matrix,
  k: number,
  options: ChunkOptions = {},
): Promise<Float32Array> {
  if (!Number.isInteger(k) || k < 1 || points.rows <= k) {
    throw new RangeError(`precision/recall: k = ${k} needs more than k points, got ${points.rows}`);
  }
  const count = points.rows;
  const radii = new Float32Array(count);
  const smallest = new Float64Array(k + 1); // the k + 1 smallest so far, ascending
  await forEachDistanceChunk(
    points,
    points,
    (squared, firstRow, rows) => {
      for (let row = 0; row < rows; row++) {
        smallest.fill(Infinity);
        const base = row * count;
        for (let j = 0; j < count; j++) {
          const value = squared[base + j]!;
          if (value >= smallest[k]!) continue;
          // Insertion into the sorted buffer: k is tiny (3), so this beats any heap.
          let position = k;
          while (position > 0 && smallest[position - 1]! > value) {
            smallest[position] = smallest[position - 1]!;
            position--;
          }
          smallest[position] = value;
        }
        radii[firstRow + row] = smallest[k]!;
      }
    },
    options,
  );
  return radii;
}

/** Fraction of rows of `points` inside at least one ball (centre = a row of `centres`, squared radius given). */
export async function fractionInsideBalls(
  points: Matrix,
  centres: Matrix,
  squaredRadii: Float32Array,
  options: ChunkOptions = {},
): Promise<number> {
  const count = centres.rows;
  let inside = 0;
  await forEachDistanceChunk(
    points,
    centres,
    (squared, _firstRow, rows) => {
      for (let row = 0; row < rows; row++) {
        const base = row * count;
        for (let j = 0; j < count; j++) {
          if (squared[base + j]! <= squaredRadii[j]!) {
            inside++;
            break;
          }
        }
      }
    },
    options,
  );
  return inside / points.rows;
}

/** Options: k and chunking; progress is reported over all passes, in rows done. */
export interface PrecisionRecallOptions extends ChunkOptions {
  /** Neighbourhood size (default DEFAULT_NEIGHBOURS). */
  k?: number;
  /**
   * The real set's k-th-neighbour squared radii, when already computed with the same k (kthNeighbourSquaredDistances):
   * evaluating several generated sets against one real set then pays for the real set's O(N²) pass once.
   */
  realSquaredRadii?: Float32Array;
}

/** Precision and recall of `generated` [N_g, d] against `real` [N_r, d], both rows of feature vectors. */
export async function precisionRecall(
  real: Matrix,
  generated: Matrix,
  options: PrecisionRecallOptions = {},
): Promise<PrecisionRecallResult> {
  const k = options.k ?? DEFAULT_NEIGHBOURS;
  const given = options.realSquaredRadii;
  if (given !== undefined && given.length !== real.rows) {
    throw new RangeError(`precision/recall: ${given.length} real radii for ${real.rows} real points`);
  }
  const total = (given ? 0 : real.rows) + 2 * generated.rows + real.rows;
  let offset = 0;
  const pass = (rows: number): ChunkOptions => {
    const start = offset;
    offset += rows;
    return { chunkRows: options.chunkRows, onProgress: (done) => options.onProgress?.(start + done, total) };
  };
  const realRadii = given ?? (await kthNeighbourSquaredDistances(real, k, pass(real.rows)));
  const generatedRadii = await kthNeighbourSquaredDistances(generated, k, pass(generated.rows));
  const precision = await fractionInsideBalls(generated, real, realRadii, pass(generated.rows));
  const recall = await fractionInsideBalls(real, generated, generatedRadii, pass(real.rows));
  return { precision, recall, k, realCount: real.rows, generatedCount: generated.rows };
}

/** The `precision-recall` metric, with the "perfect generator" reference: N training images against the test set. */
export const precisionRecallMetric: Metric<
  "precision-recall",
  PrecisionRecallResult & { reference?: PrecisionRecallResult }
> = {
  name: "precision-recall",
  description: "k-NN manifold precision and recall in classifier features",
  appliesTo: "images",
  needsClassifier: true,
  needsSplits: true,
  duringTraining: false,
  async compute(context) {
    const images = imageData(context, "precision-recall");
    const test = await images.classified("test");
    const generated = await images.classified("generated");
    const reference = await images.classified("train");
    const report = (phase: string) => (done: number, total: number) => context.onProgress({ phase, done, total });
    // The test set's k-NN radii serve both the generated samples and the training-image reference.
    const realSquaredRadii = await kthNeighbourSquaredDistances(test.features, DEFAULT_NEIGHBOURS, {
      onProgress: report("precision-recall: test-set radii"),
    });
    return {
      ...(await precisionRecall(test.features, generated.features, {
        realSquaredRadii,
        onProgress: report("precision-recall"),
      })),
      reference: await precisionRecall(test.features, reference.features, {
        realSquaredRadii,
        onProgress: report("precision-recall: train reference"),
      }),
    };
  },
  summary(result) {
    const reference = (value: number | undefined) =>
      result.reference ? `train vs test: ${formatValue(value, 3)}` : "1 (ideal)";
    return [
      {
        quantity: `precision (k = ${result.k})`,
        value: formatValue(result.precision, 3),
        reference: reference(result.reference?.precision),
      },
      {
        quantity: `recall (k = ${result.k})`,
        value: formatValue(result.recall, 3),
        reference: reference(result.reference?.recall),
      },
    ];
  },
  // Kept out of metrics.jsonl, as before metrics owned their behaviour: its keys are a contract with the run viewer.
  headline: () => ({}),
};
