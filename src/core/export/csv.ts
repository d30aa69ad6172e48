/**
 * Toy samples as CSV (`tsgan sample --out samples.csv`): a header (x for 1-D, x,y for 2-D, x0,x1,… beyond), then one
 * row per sample; a `label` column for conditional runs. Numbers are written so that they read back exactly: each
 * float32 as the shortest decimal of its double value, which parses back to the same float32.
 */

/** Column names for samples of `dimension` coordinates. */
export function csvColumns(dimension: number): string[] {
  if (dimension === 1) return ["x"];
  if (dimension === 2) return ["x", "y"];
  return Array.from({ length: dimension }, (_, index) => `x${index}`);
}

/** `values` [count, dimension] row-major (and one label per row, when given) as CSV text. */
export function encodeCsv(values: Float32Array, dimension: number, labels?: ArrayLike<number>): string {
  const count = values.length / dimension;
  if (!Number.isInteger(count)) throw new Error(`csv: ${values.length} values do not split into rows of ${dimension}`);
  if (labels && labels.length !== count) throw new Error(`csv: ${labels.length} labels for ${count} samples`);
  const lines = [[...csvColumns(dimension), ...(labels ? ["label"] : [])].join(",")];
  for (let row = 0; row < count; row++) {
    const cells = Array.from(values.subarray(row * dimension, (row + 1) * dimension), String);
    if (labels) cells.push(String(labels[row]));
    lines.push(cells.join(","));
  }
  return `${lines.join("\n")}\n`;
}
