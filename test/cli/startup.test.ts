/**
 * `tsgan --help`, `tsgan train --help`, `tsgan sample --help` and a mistyped training flag answer without loading
 * TF.js (seconds of start-up): main.ts builds only the command being run, `tsgan train` loads the trainer after
 * checking its input, and `tsgan sample` its work (sampleAction.ts) once its flags are parsed.
 * TF.js's engine registers itself on the global object when its module loads, which is what is checked here.
 */
import { execFile } from "node:child_process";
import { promisify } from "node:util";
import { describe, expect, it } from "vitest";

const run = promisify(execFile);

/** Runs the CLI's main module in-process with `args`; returns whether TF.js was loaded, and the exit code. */
async function startUp(args: string[]): Promise<{ tfLoaded: boolean; exitCode: number }> {
  const script = [
    `process.argv = [process.argv[0], "tsgan", ...${JSON.stringify(args)}];`,
    `await import("./src/cli/main.ts");`,
    `process.stdout.write(JSON.stringify({ tfLoaded: globalThis._tfengine !== undefined, exitCode: process.exitCode }));`,
  ].join("\n");
  // A non-zero exit rejects with the output attached.
  const { stdout } = await run(process.execPath, ["--import", "tsx", "--input-type=module", "-e", script], {
    cwd: process.cwd(),
  }).catch((error: { stdout: string }) => error);
  return JSON.parse(stdout.slice(stdout.lastIndexOf("{"))) as { tfLoaded: boolean; exitCode: number };
}

describe("start-up", () => {
  it("top-level help, a command's help and a bad flag do not load TF.js; training does", async () => {
    expect(await startUp(["--help"])).toEqual({ tfLoaded: false, exitCode: 0 });
    expect(await startUp(["train", "--help"])).toEqual({ tfLoaded: false, exitCode: 0 });
    expect(await startUp(["sample", "--help"])).toEqual({ tfLoaded: false, exitCode: 0 });
    expect(await startUp(["train", "--steps", "-3"])).toEqual({ tfLoaded: false, exitCode: 2 });
    // The same path loads TF.js once the input is good (a config error found by the trainer: the dataset file).
    const trained = await startUp(["train", "--dataset", "idx:/nonexistent.idx", "--steps", "1"]);
    expect(trained.tfLoaded).toBe(true);
    expect(trained.exitCode).toBe(2);
  }, 60_000);
});
