/**
 * No dead ends: a run stopped before its first checkpoint, a torn metrics line, a second trainer, a killed trainer's
 * status, a damaged checkpoint. Tiny toy runs on the cpu backend, in a temporary directory.
 */
import { appendFileSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { hostname, tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { resolveConfig } from "../../../src/core/config.js";
import { CheckpointError } from "../../../src/core/training/checkpoint.js";
import { LOCK_FILE, RunLock, RunLockedError } from "../../../src/node/run/lock.js";
import { openGan } from "../../../src/node/run/openGan.js";
import { PROCESS_GONE, RunDirectory, CHECKPOINT_TENSORS } from "../../../src/node/run/runDirectory.js";
import { trainRun } from "../../../src/node/train.js";

const scratch = mkdtempSync(join(tmpdir(), "tsgan-dead-ends-"));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

/** A small ring GAN: fast on cpu, with a checkpoint every 5 iterations. */
function ringConfig(steps: number) {
  return resolveConfig({
    dataset: "ring-2d",
    arch: "mlp",
    backend: "cpu",
    batchSize: 16,
    latentDim: 2,
    steps,
    sampleEvery: 0,
    checkpointEvery: 5,
    logEvery: 1,
    mlp: { generatorHidden: [8], discriminatorHidden: [8], maxoutPieces: 2 },
  });
}

function collect(): { lines: string[]; log: (line: string) => void } {
  const lines: string[] = [];
  return { lines, log: (line) => lines.push(line) };
}

/** A pid that no process has: one above the largest pid the kernel hands out. */
function deadPid(): number {
  return Number(readFileSync("/proc/sys/kernel/pid_max", "utf8")) + 1;
}

describe("a run killed before its first checkpoint", () => {
  it("resumes from iteration 0 with its saved config, repairing a torn metrics line, and finishes like a new run", async () => {
    const out = join(scratch, "no-checkpoint");
    const config = ringConfig(10);
    await RunDirectory.create(out, config); // what a process killed during its first iterations leaves
    appendFileSync(join(out, "metrics.jsonl"), '{"step":1,"discriminatorLoss":1.3}\n{"step":2,"discrimi');
    // Partial writes of the killed process: a checkpoint directory and a status file that never got renamed.
    mkdirSync(join(out, "checkpoints", "step_000005.tmp-99999"));
    writeFileSync(join(out, "checkpoints", "step_000005.tmp-99999", "tensors.bin"), "partial");
    writeFileSync(join(out, "status.json.tmp-99999-abcdef"), "{");
    expect(await new RunDirectory(out).temporaries()).toHaveLength(2);
    const { lines, log } = collect();
    const resumed = await trainRun({ out, resume: true, log });
    expect(resumed).toMatchObject({ state: "done", step: 10 });
    expect(lines.some((line) => line.includes("no checkpoint yet; starting it from iteration 0"))).toBe(true);
    expect(lines.filter((line) => line.includes("torn line"))).toHaveLength(1);
    expect(await new RunDirectory(out).temporaries()).toEqual([]);

    const fresh = await trainRun({ out: join(scratch, "no-checkpoint-reference"), config, log: () => {} });
    const finalOf = async (root: string) => (await new RunDirectory(root).readCheckpoint()).tensors;
    expect(Buffer.from(await finalOf(out)).equals(Buffer.from(await finalOf(fresh.run.root)))).toBe(true);
    const steps = (await new RunDirectory(out).readMetricsLog()).records.map((record) => record.step);
    expect(steps).toEqual([1, 2, 3, 4, 5, 6, 7, 8, 9, 10]);
  });
});

describe("the run lock in training", () => {
  it("refuses a second trainer with one line naming the live one's pid", async () => {
    const out = join(scratch, "locked");
    await trainRun({ out, config: ringConfig(5), log: () => {} });
    const lock = await RunLock.acquire(out, () => {});
    try {
      const attempt = trainRun({ out, resume: true, overrides: { steps: 10 }, log: () => {} });
      await expect(attempt).rejects.toThrow(RunLockedError);
      await expect(trainRun({ out, resume: true, log: () => {} })).rejects.toThrow(`pid ${process.pid}`);
    } finally {
      await lock.release();
    }
  });

  it("reports a run whose trainer was killed as stopped (process gone), and takes its lock over", async () => {
    const out = join(scratch, "killed");
    await trainRun({ out, config: ringConfig(5), log: () => {} });
    const run = new RunDirectory(out);
    await run.writeStatus({ state: "running", step: 3, steps: 5, backend: "cpu" });
    const killed = { pid: deadPid(), host: hostname(), startedAt: "then", processStart: null };
    writeFileSync(join(out, LOCK_FILE), JSON.stringify(killed));
    expect(await run.readStatus()).toMatchObject({ state: "stopped", message: PROCESS_GONE });

    const { lines, log } = collect();
    await trainRun({ out, resume: true, overrides: { steps: 10 }, log });
    expect(lines.some((line) => line.includes(`pid ${killed.pid}`) && line.includes("gone"))).toBe(true);
    expect(await run.readStatus()).toMatchObject({ state: "done", step: 10 });
  });

  it("is released when training ends, and a live trainer's status stays running", async () => {
    const out = join(scratch, "released");
    let statusWhileTraining: unknown;
    const run = new RunDirectory(out);
    await trainRun({
      out,
      config: ringConfig(6),
      log: () => {},
      onStep: (record) => {
        if (record.step === 6) statusWhileTraining = run.readStatus();
      },
    });
    expect(await statusWhileTraining).toMatchObject({ state: "running" });
    expect(readFileSync(join(out, "config.json"), "utf8")).toContain("ring-2d");
    await expect(RunLock.acquire(out, () => {}).then((lock) => lock.release())).resolves.toBeUndefined();
  });
});

describe("checksums of checkpoints", () => {
  it("refuse a damaged checkpoint, name the newest intact one, and resume from it", async () => {
    const out = join(scratch, "damaged");
    await trainRun({ out, config: ringConfig(10), log: () => {} });
    const run = new RunDirectory(out);
    const tensorsPath = join(run.checkpointDir(10), CHECKPOINT_TENSORS);
    const bytes = readFileSync(tensorsPath);
    bytes[bytes.length >> 1]! ^= 0x40; // one flipped bit, as a bad disk or copy leaves it
    writeFileSync(tensorsPath, bytes);

    await expect(run.readCheckpoint(10)).rejects.toThrow(CheckpointError);
    await expect(run.readCheckpoint()).rejects.toThrow(/step_000010 is damaged .*sha256.*newest intact one is step 5/);
    await expect(openGan(out, { checkpoint: 10, weightsOnly: true })).rejects.toThrow("damaged");
    expect((await run.readCheckpoint(5)).manifest.step).toBe(5);

    const { lines, log } = collect();
    const resumed = await trainRun({ out, resume: true, log });
    expect(lines.some((line) => line.includes("step_000010 is damaged"))).toBe(true);
    expect(lines.some((line) => line.includes("resuming") && line.includes("at step 5"))).toBe(true);
    expect(resumed).toMatchObject({ state: "done", step: 10 });
    expect((await run.readCheckpoint(10)).manifest.step).toBe(10); // rewritten whole
  });

  it("refuse a truncated tensor file and a manifest that does not parse", async () => {
    const out = join(scratch, "truncated");
    await trainRun({ out, config: ringConfig(5), log: () => {} });
    const run = new RunDirectory(out);
    const tensorsPath = join(run.checkpointDir(5), CHECKPOINT_TENSORS);
    writeFileSync(tensorsPath, readFileSync(tensorsPath).subarray(0, 100));
    await expect(run.readCheckpoint(5)).rejects.toThrow(/holds 100 bytes.*none is intact/);
    writeFileSync(join(run.checkpointDir(5), "manifest.json"), "{ torn");
    await expect(run.readCheckpoint(5)).rejects.toThrow(/damaged .*JSON/);
  });
});
