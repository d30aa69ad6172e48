// Builds tsgan's native CPU engine (TF.js kernels on oneDNN) with node-gyp. Run by npm's install script.
//
// The engine is optional: when it cannot be built (no C++ toolchain, no oneDNN headers, offline without Node
// headers) this prints ONE line saying how to get it and exits 0, so `npm ci` never fails because of it; tsgan
// then runs on the TF.js wasm/cpu backends.
//
// Environment: TSGAN_SKIP_NATIVE=1 skips the build; TSGAN_NATIVE_VERBOSE=1 shows node-gyp's output;
// TSGAN_SIMD_FLAGS overrides the vector-instruction flags of tsgan's own loops (default: -mavx2 -mfma when this
// machine's CPU has them — the addon is built for the machine it is installed on; oneDNN picks its own ISA at run
// time either way).
// Build output: native/build/Release/tsgan_native.node; the full log of a failed build: native/build/build.log.
import { spawnSync } from "node:child_process";
import { createHash } from "node:crypto";
import { closeSync, existsSync, mkdirSync, openSync, readFileSync, statSync, unlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { createRequire } from "node:module";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";

const nativeDirectory = dirname(fileURLToPath(import.meta.url));
const buildDirectory = join(nativeDirectory, "build");
const addonFile = join(buildDirectory, "Release", "tsgan_native.node");
const logFile = join(buildDirectory, "build.log");
const HINT = "apt-get install -y g++ make libdnnl-dev && npm rebuild tsgan";
const ONEDNN_HEADER = "oneapi/dnnl/dnnl.hpp";

/** Prints the one-line explanation and ends the script successfully. */
function giveUp(why) {
  console.log(
    `tsgan: native engine not built (${why}); using the TF.js wasm/cpu backends. For the fast engine: ${HINT}`,
  );
  process.exit(0);
}

/** Whether oneDNN's C++ header is on the compiler's default include path (or CPATH / CPLUS_INCLUDE_PATH). */
function hasOneDnnHeaders() {
  const directories = ["/usr/include", "/usr/local/include", "/opt/homebrew/include"];
  for (const variable of ["CPATH", "CPLUS_INCLUDE_PATH"]) {
    for (const entry of (process.env[variable] ?? "").split(":")) if (entry !== "") directories.push(entry);
  }
  return directories.some((directory) => existsSync(join(directory, ONEDNN_HEADER)));
}

/** node-gyp's entry script: the project's dependency first, then the copy npm itself ships. */
function findNodeGyp() {
  try {
    return createRequire(import.meta.url).resolve("node-gyp/bin/node-gyp.js");
  } catch {
    const fromNpm = process.env.npm_config_node_gyp;
    if (fromNpm !== undefined && existsSync(fromNpm)) return fromNpm;
    return undefined;
  }
}

/** The Node headers installed next to this node binary (Debian/NodeSource packages ship them), if any. */
function localNodeDirectory() {
  const prefix = resolve(dirname(process.execPath), "..");
  return existsSync(join(prefix, "include", "node", "node_api.h")) ? prefix : undefined;
}

/** -mavx2 -mfma when /proc/cpuinfo lists both (x86-64 Linux), else nothing (the compiler's baseline). */
function simdFlags() {
  if (process.env.TSGAN_SIMD_FLAGS !== undefined) return process.env.TSGAN_SIMD_FLAGS;
  if (process.arch !== "x64") return "";
  try {
    const flags = new Set(
      (readFileSync("/proc/cpuinfo", "utf8").match(/^flags\s*:(.*)$/m)?.[1] ?? "").trim().split(/\s+/),
    );
    return flags.has("avx2") && flags.has("fma") ? "-mavx2 -mfma" : "";
  } catch {
    return "";
  }
}

if (process.env.TSGAN_SKIP_NATIVE === "1") giveUp("TSGAN_SKIP_NATIVE=1");
if (process.platform === "win32") giveUp("Windows is not supported yet");
if (!hasOneDnnHeaders()) giveUp(`oneDNN headers (${ONEDNN_HEADER}) not found`);
const nodeGyp = findNodeGyp();
if (nodeGyp === undefined) giveUp("node-gyp not found");

/** A lock per checkout: two builds at once (e.g. `npm install` while another one runs) would clobber native/build. */
const LOCK_STALE_MS = 15 * 60 * 1000;
const LOCK_POLL_MS = 500;
const lockFile = join(
  tmpdir(),
  `tsgan-native-build-${createHash("sha1").update(nativeDirectory).digest("hex").slice(0, 12)}.lock`,
);
function acquireLock() {
  for (;;) {
    try {
      closeSync(openSync(lockFile, "wx"));
      return;
    } catch {
      try {
        if (Date.now() - statSync(lockFile).mtimeMs > LOCK_STALE_MS) unlinkSync(lockFile);
      } catch {
        // the other build just finished: retry
      }
      Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, LOCK_POLL_MS);
    }
  }
}
acquireLock();
process.on("exit", () => {
  try {
    unlinkSync(lockFile);
  } catch {
    // already gone
  }
});

const args = [nodeGyp, "rebuild"];
const nodeDirectory = localNodeDirectory();
if (nodeDirectory !== undefined) args.push(`--nodedir=${nodeDirectory}`); // no header download needed
const verbose = process.env.TSGAN_NATIVE_VERBOSE === "1";
const result = spawnSync(process.execPath, args, {
  cwd: nativeDirectory,
  encoding: "utf8",
  stdio: verbose ? "inherit" : "pipe",
  env: { ...process.env, TSGAN_SIMD_FLAGS: simdFlags() },
  maxBuffer: 64 * 1024 * 1024,
});
if (result.status !== 0 || !existsSync(addonFile)) {
  if (!verbose) {
    mkdirSync(buildDirectory, { recursive: true });
    writeFileSync(logFile, `${result.stdout ?? ""}\n${result.stderr ?? ""}\n${result.error ?? ""}`);
  }
  giveUp(`node-gyp failed; log: ${verbose ? "above" : logFile}`);
}

// The library must also load (libdnnl.so present at run time, matching ABI).
try {
  const addon = createRequire(import.meta.url)(addonFile);
  const info = addon.info();
  console.log(`tsgan: native engine built (oneDNN ${info.onednn}, ${info.isa}, ${info.threads} threads)`);
} catch (error) {
  giveUp(`built but failed to load: ${error instanceof Error ? error.message.split("\n")[0] : error}`);
}
