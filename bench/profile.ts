/**
 * Per-kernel wall-clock profile of a TF.js computation: wraps every kernel registered for a backend with a timer,
 * so each top-level runKernel call is charged to its kernel name (kernels that call other kernels' functions
 * directly, as the cpu ones do, are charged inclusively). The rest of a step's time is TF.js's own work:
 * op dispatch, the gradient tape, tidy scopes — reported as "outside kernels".
 */
import { tf } from "../src/core/engine/tf.js";

/** Time and call count of one kernel name (optionally split by input shapes). */
export interface KernelTiming {
  kernel: string;
  calls: number;
  ms: number;
}

/** A profile: kernels by total time, descending, plus the wall time of the profiled runs. */
export interface Profile {
  totalMs: number;
  kernelMs: number;
  kernels: KernelTiming[];
}

/**
 * Runs `body` `repeats` times with every kernel of `backendName` timed; returns the per-step profile
 * (times divided by `repeats`). Restores the original kernels afterwards.
 */
export function profileKernels(backendName: string, body: () => void, repeats: number, bySignature = false): Profile {
  const originals = tf.getKernelsForBackend(backendName);
  const timings = new Map<string, KernelTiming>();
  let depth = 0;
  for (const config of originals) {
    const kernelFunc = config.kernelFunc;
    tf.registerKernel({
      ...config,
      kernelFunc: (args) => {
        depth++;
        const start = performance.now();
        try {
          return kernelFunc(args);
        } finally {
          depth--;
          if (depth === 0) {
            const elapsed = performance.now() - start;
            let key = config.kernelName;
            if (bySignature) {
              const shapes = Object.values(args.inputs).map((input) => `[${input?.shape.join(",")}]`);
              key += ` ${shapes.join(" ")}`;
            }
            const timing = timings.get(key) ?? { kernel: key, calls: 0, ms: 0 };
            timing.calls++;
            timing.ms += elapsed;
            timings.set(key, timing);
          }
        }
      },
    });
  }
  const warn = console.warn;
  console.warn = () => {}; // "kernel already registered" notices from re-registration
  let totalMs = 0;
  try {
    const start = performance.now();
    for (let i = 0; i < repeats; i++) body();
    totalMs = performance.now() - start;
  } finally {
    for (const config of originals) tf.registerKernel(config);
    console.warn = warn;
  }
  const kernels = [...timings.values()]
    .map((timing) => ({ kernel: timing.kernel, calls: timing.calls / repeats, ms: timing.ms / repeats }))
    .sort((a, b) => b.ms - a.ms);
  const kernelMs = kernels.reduce((sum, timing) => sum + timing.ms, 0);
  return { totalMs: totalMs / repeats, kernelMs, kernels };
}

/** A printable table of a profile's top kernels. */
export function formatProfile(profile: Profile, top = 25): string {
  const lines = [
    `step ${profile.totalMs.toFixed(1)} ms; in kernels ${profile.kernelMs.toFixed(1)} ms; ` +
      `outside kernels (TF.js dispatch, tape, tidy) ${(profile.totalMs - profile.kernelMs).toFixed(1)} ms`,
    "kernel                                              calls/step   ms/step   share",
  ];
  for (const timing of profile.kernels.slice(0, top)) {
    const share = ((100 * timing.ms) / profile.totalMs).toFixed(1);
    lines.push(
      `${timing.kernel.padEnd(52).slice(0, 52)}${timing.calls.toFixed(0).padStart(6)}${timing.ms.toFixed(2).padStart(10)}${share.padStart(7)}%`,
    );
  }
  return lines.join("\n");
}
