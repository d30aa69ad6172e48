/**
 * Row-major matrices of float32 rows (samples, images, features) and the one heavy kernel several metrics share:
 * squared Euclidean distances between two sets of rows, computed in chunks of rows as matrix products
 *
 *   ‖x − μ‖² = ‖x‖² + ‖μ‖² − 2 x·μ
 *
 * so that a 10 000 × 10 000 × 784 distance table (Parzen windows, k-NN manifolds) is one matrix product per chunk on
 * the active TF.js backend instead of 8·10¹⁰ JavaScript multiply-adds, and never more than one chunk lives in memory.
 */
import { tf } from "../engine/tf.js";

/** `rows` rows of `columns` numbers each: `values` is [rows, columns] row-major. */
export interface Matrix {
  readonly values: Float32Array;
  readonly rows: number;
  readonly columns: number;
}

/** Rows per chunk by default: a 1 000 × 10 000 float32 distance chunk is 40 MB. */
export const DEFAULT_CHUNK_ROWS = 1000;

/** Wraps `values` [rows, columns] as a Matrix, checking that the sizes agree. */
export function matrix(values: Float32Array, rows: number, columns: number): Matrix {
  if (!Number.isInteger(rows) || rows < 0 || !Number.isInteger(columns) || columns <= 0) {
    throw new RangeError(`matrix: bad shape [${rows}, ${columns}]`);
  }
  if (values.length !== rows * columns) {
    throw new RangeError(`matrix: ${values.length} values do not fill [${rows}, ${columns}]`);
  }
  return { values, rows, columns };
}

/** Rows [start, end) of `source` as a view (no copy). */
export function sliceRows(source: Matrix, start: number, end: number): Matrix {
  const first = Math.max(0, Math.min(start, source.rows));
  const last = Math.max(first, Math.min(end, source.rows));
  return {
    values: source.values.subarray(first * source.columns, last * source.columns),
    rows: last - first,
    columns: source.columns,
  };
}

/** Options shared by the chunked distance computations. */
export interface ChunkOptions {
  /** Rows of `points` per chunk (default DEFAULT_CHUNK_ROWS). */
  chunkRows?: number;
  /** Called after each chunk with the number of rows of `points` done so far and the total. */
  onProgress?: (done: number, total: number) => void;
}

/**
 * Visits the squared distances from every row of `points` to every row of `centres`, one chunk of rows at a time.
 *
 * `visit(squared, firstRow, rows)` receives the chunk [rows, centres.rows] row-major as a Float32Array, clamped at 0
 * (float32 cancellation can make ‖x‖² + ‖μ‖² − 2x·μ slightly negative for x = μ); row r of the chunk is row
 * firstRow + r of `points`. The matrix product runs on the active TF.js backend; the reductions the metrics need
 * (log-sum-exp, k smallest, any-below) run in JavaScript on the downloaded chunk, which on the cpu backend is 5–10×
 * faster than TF.js' own reductions and equally fast elsewhere. Awaiting each chunk lets progress bars redraw.
 */
export async function forEachDistanceChunk(
  points: Matrix,
  centres: Matrix,
  visit: (squared: Float32Array, firstRow: number, rows: number) => void,
  options: ChunkOptions = {},
): Promise<void> {
  if (points.columns !== centres.columns) {
    throw new RangeError(`distances: points have ${points.columns} columns, centres ${centres.columns}`);
  }
  if (centres.rows === 0) throw new RangeError("distances: no centres");
  const chunkRows = Math.max(1, Math.floor(options.chunkRows ?? DEFAULT_CHUNK_ROWS));
  const count = centres.rows;
  const centreNorms = rowSquaredNorms(centres); // [M]
  const centreTensor = tf.tensor2d(centres.values, [count, centres.columns]); // [M, d]
  try {
    for (let start = 0; start < points.rows; start += chunkRows) {
      const chunk = sliceRows(points, start, start + chunkRows);
      const pointNorms = rowSquaredNorms(chunk); // [r]
      // Only the product runs on the backend: TF.js' cpu backend broadcasts [r, 1] + [1, M] through a slow generic
      // path, so the norms are added here instead.
      const products = tf.tidy(() =>
        tf.matMul(tf.tensor2d(chunk.values, [chunk.rows, chunk.columns]), centreTensor, false, true),
      ); // [r, M]
      const squared = (await products.data()) as Float32Array;
      products.dispose();
      for (let row = 0; row < chunk.rows; row++) {
        const base = row * count;
        const pointNorm = pointNorms[row]!;
        for (let j = 0; j < count; j++) {
          squared[base + j] = Math.max(0, pointNorm + centreNorms[j]! - 2 * squared[base + j]!);
        }
      }
      visit(squared, start, chunk.rows);
      options.onProgress?.(start + chunk.rows, points.rows);
    }
  } finally {
    centreTensor.dispose();
  }
}

/** ‖row‖² of every row, in float64. */
function rowSquaredNorms(source: Matrix): Float64Array {
  const norms = new Float64Array(source.rows);
  for (let row = 0; row < source.rows; row++) {
    let sum = 0;
    for (let column = 0; column < source.columns; column++) sum += source.values[row * source.columns + column]! ** 2;
    norms[row] = sum;
  }
  return norms;
}
