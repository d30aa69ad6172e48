#!/usr/bin/env node
/**
 * The tsgan command line: thin — parse arguments, build a config, call src/node. Every error a user can cause ends
 * as one line on stderr and a non-zero exit; set TSGAN_DEBUG=1 for the stack.
 */
import { readFileSync } from "node:fs";
import { Command, CommanderError, type OutputConfiguration } from "commander";
import { COMMAND_DESCRIPTIONS, type CommandName } from "./commandDescriptions.js";

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

/** Builds each command from its module, imported only when that command runs (sweep configures its subcommands). */
const COMMANDS: Record<CommandName, (output: OutputConfiguration) => Promise<Command>> = {
  train: async () => (await import("./trainCommand.js")).trainCommand(),
  sample: async () => (await import("./sampleCommand.js")).sampleCommand(),
  theory: async () => (await import("./theoryCommand.js")).theoryCommand(),
  eval: async () => (await import("./evalCommand.js")).evalCommand(),
  classifier: async () => (await import("./classifierCommand.js")).classifierCommand(),
  lab: async () => (await import("./labCommand.js")).labCommand(),
  export: async () => (await import("./exportCommand.js")).exportCommand(),
  sweep: async (output) => (await import("./sweepCommand.js")).sweepCommand(output),
  worker: async () => (await import("./workerCommand.js")).workerCommand(),
};

/** The command the arguments run (or ask help for: `tsgan help <command>`), if they name one. */
function invokedCommand(argv: string[]): CommandName | undefined {
  const [first, second] = argv;
  const name = first === "help" ? second : first;
  return name !== undefined && Object.hasOwn(COMMANDS, name) ? (name as CommandName) : undefined;
}

export async function main(argv: string[]): Promise<number> {
  const output = {
    outputError: (text: string, write: (text: string) => void) => write(`tsgan: ${text.replace(/^error: /, "")}`),
  };
  const program = new Command("tsgan")
    .description("generative adversarial networks in TypeScript (Goodfellow et al. 2014)")
    .version(VERSION, "-V, --version", "print the version of tsgan")
    .exitOverride()
    .showHelpAfterError("(run with --help for usage)")
    .configureOutput(output);
  try {
    // The command being run is built from its module; the others are their name and description (for --help).
    const invoked = invokedCommand(argv);
    for (const name of Object.keys(COMMAND_DESCRIPTIONS) as CommandName[]) {
      program.addCommand(
        name === invoked
          ? (await COMMANDS[name](output)).exitOverride().configureOutput(output)
          : new Command(name).description(COMMAND_DESCRIPTIONS[name]),
      );
    }
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
