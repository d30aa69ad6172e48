/**
 * bench/ab.ts, run as a maintainer runs it: what named native kernels are worth inside one process, for a
 * benchmark or for any config file's GAN step (here a tiny ring GAN with the paper's optimizer and an EMA of G, so
 * that both optimizer kernels are on its path), against tsgan's op chain for a fused kernel or the stock cpu kernel
 * for one the native backend replaces. It prints one JSON line; an unknown kernel is one line and exit 2.
 * (The figures themselves are the benchmark's business: only their presence and shape are checked here.)
 */
import { execFile } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";
import { afterAll, describe, expect, it } from "vitest";

const run = promisify(execFile);
const scratch = mkdtempSync(join(tmpdir(), "tsgan-ab-"));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

const config = join(scratch, "ring-sgd.json");
writeFileSync(
  config,
  JSON.stringify({
    dataset: "ring-2d",
    arch: "mlp",
    batchSize: 32,
    optimizer: "sgd",
    momentum: 0.5,
    generatorEma: 0.9,
    mlp: { generatorHidden: [16], discriminatorHidden: [16], maxoutPieces: 2 },
  }),
);

const ab = (...args: string[]) => run("npx", ["tsx", "bench/ab.ts", ...args], { cwd: process.cwd() });

describe("bench/ab.ts", () => {
  it("measures a config file's GAN step with and without the named kernels", async () => {
    const { stdout } = await ab(config, "TsganMomentumSgd,TsganMovingAverage", "3");
    const result = JSON.parse(stdout.trim().split("\n").at(-1)!) as Record<string, unknown>;
    expect(result).toMatchObject({
      benchmark: config,
      kernels: ["TsganMomentumSgd", "TsganMovingAverage"],
      steps: 3,
    });
    for (const key of ["with_ms", "without_ms", "ratio"]) expect(result[key]).toBeGreaterThan(0);
  });

  it("measures a native kernel against the stock cpu kernel it replaces", async () => {
    const { stdout } = await ab(config, "BatchMatMul", "2");
    const result = JSON.parse(stdout.trim().split("\n").at(-1)!) as Record<string, unknown>;
    expect(result).toMatchObject({ kernels: ["BatchMatMul"], steps: 2 });
    expect(result["without_ms"]).toBeGreaterThan(0);
  });

  it("refuses a kernel the native backend does not have, in one line", async () => {
    const failure = await ab(config, "TsganNoSuchKernel", "1").catch((error: unknown) => error);
    expect(failure).toMatchObject({ code: 2 });
    const stderr = (failure as { stderr: string }).stderr.trim().split("\n");
    expect(stderr.at(-1)).toBe("bench/ab.ts: the native backend has no kernel TsganNoSuchKernel");
  });
});
