/**
 * `idxLabels`: an IDX labels file beside an idx:<images-file> dataset, so that conditional runs work
 * on any labelled IDX data. The loaded labels are the file's (with trainImages' cut applied to both files), a
 * conditional run trains on them and learns their class count, and the key is refused for datasets with labels of
 * their own.
 */
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";

import { ConfigError, resolveConfig } from "../../src/core/config.js";
import { encodeIdx } from "../../src/core/data/idx.js";
import { RunDirectory } from "../../src/node/run/runDirectory.js";
import { loadDatasetFor, trainRun } from "../../src/node/train.js";
import { TINY_DCGAN, writeTinyImages } from "../fixtures/tinyData.js";

const scratch = mkdtempSync(join(tmpdir(), "tsgan-idx-labels-"));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));
const IMAGES = 32;
const images = writeTinyImages(scratch, IMAGES);
/** Three classes: image i has label i mod 3. */
const labelValues = Uint8Array.from({ length: IMAGES }, (_, index) => index % 3);
const labels = join(scratch, "tiny-labels-idx1-ubyte");
writeFileSync(labels, encodeIdx({ type: "ubyte", dims: [IMAGES], data: labelValues }));

const labelled = (overrides: Record<string, unknown> = {}) =>
  resolveConfig({ ...TINY_DCGAN, dataset: `idx:${images}`, idxLabels: labels, ...overrides });

describe("idxLabels", () => {
  it("loads the labels file beside the images, cut by trainImages like the images", () => {
    const whole = loadDatasetFor(labelled());
    expect(whole.kind === "images" && whole.labels).toEqual(labelValues);
    const subset = loadDatasetFor(labelled({ trainImages: [4, 20] }));
    expect(subset.kind === "images" && subset.labels).toEqual(labelValues.slice(4, 20));
    const unlabelled = loadDatasetFor(labelled({ idxLabels: null }));
    expect(unlabelled.kind === "images" && unlabelled.labels).toBeUndefined();
  });

  it("lets a conditional run train on IDX data and learn its class count", async () => {
    const out = join(scratch, "conditional");
    const config = labelled({ conditional: "projection", steps: 2, sampleEvery: 0, checkpointEvery: 0 });
    const result = await trainRun({ out, config, log: () => {} });
    expect(result).toMatchObject({ state: "done", step: 2 });
    const { manifest } = await new RunDirectory(out).readCheckpoint(2);
    expect(resolveConfig(manifest.config)).toMatchObject({ classCount: 3, idxLabels: labels });
  });

  it("is refused, in one line, for a dataset that brings its own labels or none", () => {
    for (const dataset of ["mnist", "ring-2d"]) {
      expect(() => resolveConfig({ dataset, idxLabels: labels })).toThrow(ConfigError);
      expect(() => resolveConfig({ dataset, idxLabels: labels })).toThrow(
        new RegExp(`^config: idxLabels labels an idx:<images-file> dataset; ${dataset} brings`),
      );
    }
  });
});
