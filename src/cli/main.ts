#!/usr/bin/env node
/**
 * The tsgan command line: thin — parse arguments, build a config, call src/node. Every error a user can cause ends
 * as one line on stderr and a non-zero exit; set TSGAN_DEBUG=1 for the stack.
 */
import { readFileSync } from "node:fs";
import { Command, CommanderError } from "commander";
import { classifierCommand } from "./classifierCommand.js";
import { evalCommand } from "./evalCommand.js";
import { exportCommand } from "./exportCommand.js";
import { labCommand } from "./labCommand.js";
import { sampleCommand } from "./sampleCommand.js";
import { sweepCommand } from "./sweepCommand.js";
import { theoryCommand } from "./theoryCommand.js";
import { trainCommand } from "./trainCommand.js";
import { workerCommand } from "./workerCommand.js";

/** The package's version: package.json sits two levels up from src/cli/ and from dist/cli/ alike. */
const VERSION = (
  JSON.parse(readFileSync(new URL("../../package.json", import.meta.url), "utf8")) as { version: string }
).version;

/** Exit status for errors in what the user gave us (flags, config, data files, run directories). */
const EXIT_USAGE = 2;
const EXIT_FAILURE = 1;
const USER_ERRORS = new Set([
  "ConfigError",
  "DataError",
  "RunError",
  "RunLockedError",
  "CheckpointError",
  "BackendError",
  "MemoryLimitError",
  "QueueError",
]);
/**
 * Errors of the machine or the model, not of the input, whose message already says all (a full or read-only disk, a D
 * that rejects nearly every sample): exit 1.
 */
const SELF_EXPLAINING_ERRORS = new Set(["FileWriteError", "SweepFailedError", "RejectionSamplingError"]);

export async function main(argv: string[]): Promise<number> {
  const output = {
    outputError: (text: string, write: (text: string) => void) => write(`tsgan: ${text.replace(/^error: /, "")}`),
  };
  const program = new Command("tsgan")
    .description("generative adversarial networks in TypeScript (Goodfellow et al. 2014)")
    .version(VERSION, "-V, --version", "print the version of tsgan")
    .exitOverride()
    .showHelpAfterError("(run with --help for usage)")
    .configureOutput(output)
    .addCommand(trainCommand().exitOverride().configureOutput(output))
    .addCommand(sampleCommand().exitOverride().configureOutput(output))
    .addCommand(theoryCommand().exitOverride().configureOutput(output))
    .addCommand(evalCommand().exitOverride().configureOutput(output))
    .addCommand(classifierCommand().exitOverride().configureOutput(output))
    .addCommand(labCommand().exitOverride().configureOutput(output))
    .addCommand(exportCommand().exitOverride().configureOutput(output))
    .addCommand(sweepCommand(output))
    .addCommand(workerCommand().exitOverride().configureOutput(output));
  try {
    await program.parseAsync(argv, { from: "user" });
    return 0;
  } catch (error) {
    if (error instanceof CommanderError) return error.exitCode === 0 ? 0 : EXIT_USAGE; // commander printed it
    const { name, message } = error as Error;
    const line = (message ?? String(error)).split("\n")[0];
    const explained = USER_ERRORS.has(name) || SELF_EXPLAINING_ERRORS.has(name);
    console.error(explained ? `tsgan: ${line}` : `tsgan: ${name}: ${line}`);
    if (process.env.TSGAN_DEBUG) console.error((error as Error).stack);
    return USER_ERRORS.has(name) ? EXIT_USAGE : EXIT_FAILURE;
  }
}

process.exitCode = await main(process.argv.slice(2));
