/**
 * `tsgan lab`: builds the web lab if needed, serves it and the runs directory read-only, prints the URL, and runs
 * until Ctrl-C.
 */
import { Command } from "commander";
import { ensureWebBuilt, WEB_DIST_DIRECTORY } from "../node/lab/build.js";
import { labDatasetFiles } from "../node/lab/datasets.js";
import { DEFAULT_LAB_HOST, DEFAULT_LAB_PORT, startLabServer } from "../node/lab/server.js";
import { integer } from "./options.js";
import { COMMAND_DESCRIPTIONS } from "./commandDescriptions.js";

/** The largest TCP port. */
const MAX_PORT = 65_535;

/** A TCP port; 0 asks the system for any free one. */
const port = integer({ min: 0, max: MAX_PORT, what: "a port" });

export function labCommand(): Command {
  return new Command("lab")
    .description(COMMAND_DESCRIPTIONS.lab)
    .option("--runs <dir>", "runs directory to browse in the run viewer", "runs")
    .option("--port <n>", `port (0 = any free port)`, port, DEFAULT_LAB_PORT)
    .option("--host <address>", "address to listen on; anything but loopback exposes your runs", DEFAULT_LAB_HOST)
    .option("--rebuild", "build the web app even if it looks current", false)
    .action(async (options: { runs: string; port: number; host: string; rebuild: boolean }) => {
      const log = (line: string) => console.error(line);
      await ensureWebBuilt({ force: options.rebuild, log });
      const lab = await startLabServer({
        webRoot: WEB_DIST_DIRECTORY,
        runsRoot: options.runs,
        datasetFiles: labDatasetFiles(),
        host: options.host,
        port: options.port,
      });
      console.log(lab.url);
      log(`tsgan: serving the lab at ${lab.url} and ${options.runs} read-only; Ctrl-C stops it`);
      await new Promise<void>((resolve) => {
        const stop = () => {
          process.off("SIGINT", stop);
          process.off("SIGTERM", stop);
          void lab.close().then(resolve, resolve);
        };
        process.on("SIGINT", stop);
        process.on("SIGTERM", stop);
      });
    });
}
