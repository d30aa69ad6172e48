// --- pack-check (a), appended to the README's library example above: the example's `points`, then a run through
// tsgan/node. Type-checked with tsc --strict against the installed package's .d.ts files, then run as compiled JS.
import assert from "node:assert/strict";
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { applicableMetrics, type Config, type StepRecord } from "tsgan";
import { evaluateRun, openGan, RunDirectory, trainRun } from "tsgan/node";

/** Iterations of the tsgan/node run: "a few hundred", enough for the ring's modes to appear. */
const RUN_STEPS = 300;

// The README example: 1000 finite (x, y) rows.
assert.equal(points.length, 1000 * 2);
assert.ok(points.every(Number.isFinite), "README example: non-finite samples");

// tsgan/node: train into a run directory, reopen its checkpoint, sample it, evaluate it with PacGAN's mode protocol.
const ringConfig: Config = configFromLayers({ dataset: "ring-2d", steps: RUN_STEPS, logEvery: 50 });
const out = join(mkdtempSync(join(tmpdir(), "tsgan-pack-check-run-")), "ring");
const records: StepRecord[] = [];
const result = await trainRun({
  config: ringConfig,
  out,
  log: () => {},
  onStep: (record) => void records.push(record),
});
assert.equal(result.state, "done");
assert.equal(result.step, RUN_STEPS);
assert.equal(records.length, RUN_STEPS);
assert.ok(
  records.every((record) => Number.isFinite(record.discriminatorLoss) && Number.isFinite(record.generatorLoss)),
  "non-finite losses",
);
const status = await new RunDirectory(out).readStatus();
assert.equal(status?.state, "done");

const opened = await openGan(out, { weightsOnly: true, log: () => {} });
const samples = sampleGan(opened.gan, 500, { seed: 3 });
disposeGan(opened.gan);
assert.equal(samples.length, 500 * opened.manifest.dataShape[0]!);
assert.ok(samples.every(Number.isFinite), "non-finite samples from the reopened GAN");

assert.ok(applicableMetrics({ kind: "toy", dataset: "ring-2d", classifier: false, splits: false }).includes("modes"));
const evaluation = await evaluateRun({ run: out, metrics: ["modes"], log: () => {} });
const modes = evaluation.report.metrics.modes?.result;
assert.ok(modes && modes.modesCovered > 0, `no ring mode covered after ${RUN_STEPS} iterations`);
console.log(
  `pack-check (a): README example and a ${RUN_STEPS}-iteration tsgan/node run on ${result.backend}: ` +
    `${modes.modesCovered}/${modes.modeCount} modes covered`,
);
