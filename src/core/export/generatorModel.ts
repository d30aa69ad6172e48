/**
 * A generator as a standard TF.js model: a `tf.Sequential` of stock layers (Dense, Conv2DTranspose,
 * BatchNormalization, Activation, LeakyReLU, Reshape) holding the weights the generator computes with at inference,
 * and the files `tf.loadLayersModel` reads (`model.json` and its weight shards). An app loads it with
 * `@tensorflow/tfjs` alone: no tsgan code, no custom layers.
 *
 * What "inference" fixes (Network.portableLayers): spectral normalization divided into the weights (W / σ(W) with the
 * stored ũ, ṽ: what a no-update pass computes, spectralNorm.ts), BatchNorm on its running statistics, dropout gone.
 */
import type { Network } from "../models/network.js";
import type { PortableLayer } from "../models/portable.js";
import { sequential, tf, tfLayers, type LayersModel, type Sequential, type Tensor } from "../engine/tf.js";

/** Bytes per weight file: the TF.js converter's default shard size (4 MiB), small enough for browser caches. */
export const SHARD_BYTES = 4 * 1024 * 1024;
/** The model's name inside model.json. */
const MODEL_NAME = "tsgan_generator";

/** Any stock layer (the base class tfjs-layers does not export by name). */
type StockLayer = Parameters<Sequential["add"]>[0];

/** A stock layer for one portable description, and the weights to set in the layer's own order. */
function stockLayer(
  layer: PortableLayer,
  name: string,
  inputShape: number[] | undefined,
): { layer: StockLayer; weights: Tensor[] } {
  const common = { name, ...(inputShape ? { inputShape } : {}) };
  switch (layer.kind) {
    case "dense":
      return {
        layer: tfLayers.dense({ ...common, units: layer.units, useBias: layer.bias !== null }),
        weights: layer.bias ? [layer.kernel, layer.bias] : [layer.kernel],
      };
    case "conv2d":
    case "conv2dTranspose": {
      const options = {
        ...common,
        filters: layer.filters,
        kernelSize: layer.kernelSize,
        strides: layer.strides,
        padding: "same" as const,
        useBias: layer.bias !== null,
      };
      return {
        layer: layer.kind === "conv2d" ? tfLayers.conv2d(options) : tfLayers.conv2dTranspose(options),
        weights: layer.bias ? [layer.kernel, layer.bias] : [layer.kernel],
      };
    }
    case "batchNormalization":
      // Keras' weight order: gamma (scale), beta (offset), moving mean, moving variance; normalises the last axis.
      return {
        layer: tfLayers.batchNormalization({ ...common, axis: -1, epsilon: layer.epsilon }),
        weights: [layer.gamma, layer.beta, layer.movingMean, layer.movingVariance],
      };
    case "activation":
      return { layer: tfLayers.activation({ ...common, activation: layer.activation }), weights: [] };
    case "leakyReLU":
      return { layer: tfLayers.leakyReLU({ ...common, alpha: layer.alpha }), weights: [] };
    case "reshape":
      return { layer: tfLayers.reshape({ ...common, targetShape: layer.targetShape }), weights: [] };
  }
}

/**
 * `network` (a generator z [batch, latentDim] → x [batch, ...dataShape]) as a stock TF.js model with its current
 * inference-mode weights. The caller disposes the model.
 */
export function toLayersModel(network: Network): LayersModel {
  const model = sequential({ name: MODEL_NAME });
  tf.tidy(() => {
    network.portableLayers().forEach((portable, index) => {
      // Layer names: the kind and the position, so model.json reads in order ("dense0", "batchNormalization1", …).
      const { layer, weights } = stockLayer(
        portable,
        `${portable.kind}${index}`,
        index === 0 ? network.inputShape : undefined,
      );
      model.add(layer);
      if (weights.length > 0) layer.setWeights(weights);
    });
  });
  return model;
}

/** What `tf.loadLayersModel` reads: model.json (topology + weights manifest) and the weight files it names. */
export interface LayersModelFiles {
  /** model.json's content. */
  modelJson: tf.io.ModelJSON;
  /** Weight files in manifest order: their names (relative to model.json) and bytes. */
  shards: Array<{ name: string; bytes: Uint8Array }>;
}

/** The files of a saved model, weights split into shards of at most `shardBytes` (the converter's names). */
export async function layersModelFiles(model: LayersModel, shardBytes = SHARD_BYTES): Promise<LayersModelFiles> {
  let files: LayersModelFiles | undefined;
  await model.save(
    tf.io.withSaveHandler(async (artifacts) => {
      const weights = concatenate(artifacts.weightData ?? new ArrayBuffer(0));
      const count = Math.max(1, Math.ceil(weights.byteLength / shardBytes));
      const shards = Array.from({ length: count }, (_, index) => ({
        name: `group1-shard${index + 1}of${count}.bin`,
        bytes: weights.slice(index * shardBytes, (index + 1) * shardBytes),
      }));
      const manifest = [{ paths: shards.map((shard) => shard.name), weights: artifacts.weightSpecs ?? [] }];
      const { modelTopology, format, generatedBy, convertedBy } = artifacts;
      const modelJson = { modelTopology: modelTopology!, format, generatedBy, convertedBy, weightsManifest: manifest };
      files = { modelJson, shards };
      return { modelArtifactsInfo: tf.io.getModelArtifactsInfoForJSON(artifacts) };
    }),
  );
  return files!;
}

/** The weight bytes as one array, whether TF.js handed them over whole or in pieces. */
function concatenate(data: ArrayBuffer | ArrayBuffer[]): Uint8Array {
  const pieces = (Array.isArray(data) ? data : [data]).map((piece) => new Uint8Array(piece));
  const joined = new Uint8Array(pieces.reduce((total, piece) => total + piece.byteLength, 0));
  let offset = 0;
  for (const piece of pieces) {
    joined.set(piece, offset);
    offset += piece.byteLength;
  }
  return joined;
}
