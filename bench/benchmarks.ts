/** Every benchmark `npm run bench` knows, by name. */
import type { BenchmarkDefinition } from "./common.js";
import { dcganStep } from "./dcgan-step.js";
import { mlpStep } from "./mlp-step.js";
import { trainLoop } from "./train-loop.js";

export const BENCHMARKS: readonly BenchmarkDefinition[] = [dcganStep, trainLoop, mlpStep];
