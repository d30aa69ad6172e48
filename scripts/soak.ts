/**
 * The crash soak: SIGKILL `tsgan train` at random moments, resume it, and check that every run still finishes
 * bit-identical to an uninterrupted one and that no checkpoint is ever unreadable. Long, so it is not part of
 * `npm test`:
 *
 *   node --import tsx scripts/soak.ts [--kills 100] [--seed 1] [--out /tmp/tsgan-soak]
 *
 * Two scenarios share the kills: a 2-D ring run and a small MNIST DCGAN run, both with frequent checkpoints, sample
 * pictures and training-time evaluation, so kills land during steps, checkpoint writes, plots and evaluation alike.
 * Kill times are uniform over the uninterrupted run's wall time (start-up included), from a seeded generator.
 * Prints one line per trial and a JSON summary; exits 1 unless every finish is identical and no checkpoint was
 * unreadable.
 */
import { spawn } from "node:child_process";
import { createHash } from "node:crypto";
import { existsSync } from "node:fs";
import { mkdir, rm, writeFile } from "node:fs/promises";
import { join, resolve } from "node:path";
import { parseArgs } from "node:util";
import { Rng } from "../src/core/engine/random.js";
import { RunDirectory } from "../src/node/run/runDirectory.js";

const CLI = resolve("bin/tsgan.js");

interface Scenario {
  name: string;
  /** `tsgan train` flags of a new run (without --out). */
  args: string[];
}

/** A small MNIST DCGAN: every image path (BatchNorm, PNG grids, class-coverage evaluation) in a few seconds. */
const TINY_MNIST = {
  dataset: "mnist",
  arch: "dcgan",
  steps: 120,
  batchSize: 16,
  latentDim: 16,
  dcgan: { generatorDepth: 16, generatorChannels: [8], discriminatorChannels: [8, 16] },
};

async function scenarios(directory: string): Promise<Scenario[]> {
  const mnistConfig = join(directory, "tiny-mnist.json");
  await writeFile(mnistConfig, JSON.stringify(TINY_MNIST));
  const cadence = ["--checkpoint-every", "10", "--sample-every", "20", "--log-every", "5"];
  return [
    { name: "ring-2d", args: ["--dataset", "ring-2d", "--steps", "600", "--eval-every", "50", ...cadence] },
    { name: "mnist-tiny", args: ["--config", mnistConfig, "--eval-every", "40", ...cadence] },
  ];
}

/** Runs `tsgan train`; kills it with SIGKILL after `killAfterMs` unless it ends first. Resolves with how it ended. */
function train(args: string[], killAfterMs: number | null): Promise<{ killed: boolean; code: number | null }> {
  return new Promise((done) => {
    const child = spawn(process.execPath, [CLI, "train", ...args], { stdio: ["ignore", "ignore", "pipe"] });
    let stderr = "";
    child.stderr.on("data", (chunk: Buffer) => (stderr += chunk.toString()));
    const timer = killAfterMs === null ? null : setTimeout(() => child.kill("SIGKILL"), killAfterMs);
    child.once("exit", (code, signal) => {
      if (timer) clearTimeout(timer);
      if (code !== 0 && signal !== "SIGKILL") process.stderr.write(stderr);
      done({ killed: signal === "SIGKILL", code });
    });
  });
}

/** sha256 of the final checkpoint's tensors: equal hashes = bit-identical weights, moments and statistics. */
async function finalHash(root: string): Promise<string> {
  const { tensors } = await new RunDirectory(root).readCheckpoint();
  return createHash("sha256").update(tensors).digest("hex");
}

/** Checkpoints of `root` that cannot be read back whole (after a kill). */
async function unreadableCheckpoints(root: string): Promise<string[]> {
  const run = new RunDirectory(root);
  const bad: string[] = [];
  if (!existsSync(run.checkpointsDir)) return bad;
  for (const step of await run.checkpointSteps()) {
    try {
      await run.readCheckpoint(step);
    } catch (error) {
      bad.push(`step ${step}: ${(error as Error).message}`);
    }
  }
  return bad;
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      kills: { type: "string", default: "100" },
      seed: { type: "string", default: "1" },
      out: { type: "string", default: "/tmp/tsgan-soak" },
    },
  });
  const totalKills = Number(values.kills);
  const rng = Rng.derive(Number(values.seed), "soak");
  await rm(values.out, { recursive: true, force: true });
  await mkdir(values.out, { recursive: true });
  const all = await scenarios(values.out);
  // killedMidWrite: kills that left a partial write behind (a temporary checkpoint directory or file): proof that
  // kills landed during checkpoint and picture writes, which the resume must clean up and survive.
  const summary = { trials: 0, kills: 0, killedMidWrite: 0, identical: 0, different: 0, unreadable: [] as string[] };

  for (const [index, scenario] of all.entries()) {
    const reference = join(values.out, `${scenario.name}-reference`);
    const started = performance.now();
    const run = await train([...scenario.args, "--out", reference], null);
    if (run.code !== 0) throw new Error(`${scenario.name}: the uninterrupted run failed (exit ${run.code})`);
    const wallMs = performance.now() - started;
    const expected = await finalHash(reference);
    console.log(`${scenario.name}: uninterrupted run ${(wallMs / 1000).toFixed(1)} s`);
    // Each scenario takes its share of the kills.
    const kills = Math.round((totalKills * (index + 1)) / all.length) - Math.round((totalKills * index) / all.length);
    let scenarioKills = 0;
    for (let trial = 0; scenarioKills < kills; trial++) {
      const root = join(values.out, `${scenario.name}-trial${trial}`);
      let trialKills = 0;
      let resume = false;
      for (;;) {
        const killAfter = scenarioKills < kills ? rng.uniformIn(0, wallMs) : null;
        const args = resume ? ["--resume", root] : [...scenario.args, "--out", root];
        const result = await train(args, killAfter);
        if (!result.killed) {
          if (result.code !== 0) throw new Error(`${root}: training failed (exit ${result.code})`);
          break;
        }
        trialKills++;
        scenarioKills++;
        resume = existsSync(join(root, "config.json"));
        if (existsSync(root) && (await new RunDirectory(root).temporaries()).length > 0) summary.killedMidWrite++;
        summary.unreadable.push(...(await unreadableCheckpoints(root)).map((line) => `${root} ${line}`));
      }
      const same = (await finalHash(root)) === expected;
      summary.trials++;
      summary.kills += trialKills;
      summary[same ? "identical" : "different"]++;
      console.log(`${scenario.name} trial ${trial}: ${trialKills} kills, ${same ? "identical" : "DIFFERENT"}`);
    }
  }
  console.log(JSON.stringify(summary, null, 2));
  if (summary.different > 0 || summary.unreadable.length > 0) process.exitCode = 1;
}

await main();
