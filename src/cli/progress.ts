/**
 * The training progress display: a cli-progress bar on a terminal (step, steps/s, ETA, D and G loss, D(x),
 * D(G(z))), and on a pipe or CI log one plain line every PLAIN_LINE_INTERVAL_MS instead of redraws. `drawsBar` is the
 * one rule for every bar of the CLI (train, eval, classifier).
 */
import cliProgress from "cli-progress";
import type { StepRecord } from "../core/training/algorithm1.js";

const PLAIN_LINE_INTERVAL_MS = 10_000;
/** Speed is a moving average over this many recent steps, so the ETA reacts to slow phases without jitter. */
const SPEED_WINDOW = 50;

/**
 * Whether a redrawing bar may be drawn on `stream`: only on a terminal that takes escape codes. Not when the stream is
 * a pipe or file (CI logs), when TERM=dumb, nor when NO_COLOR is set to anything but "" (https://no-color.org asks
 * for no colour escape codes; the bar's redraws and hidden cursor are escape codes too, so it gives way to plain
 * lines as well).
 */
export function drawsBar(stream: { isTTY?: boolean }, environment: NodeJS.ProcessEnv = process.env): boolean {
  const noColor = environment.NO_COLOR !== undefined && environment.NO_COLOR !== "";
  return stream.isTTY === true && environment.TERM !== "dumb" && !noColor;
}

export interface Progress {
  update(record: StepRecord): void;
  stop(): void;
}

function describe(record: StepRecord): Record<string, string> {
  return {
    discriminatorLoss: record.discriminatorLoss.toFixed(3),
    generatorLoss: record.generatorLoss.toFixed(3),
    realScore: record.realScore.toFixed(2),
    fakeScore: record.fakeScore.toFixed(2),
  };
}

export function formatSeconds(seconds: number): string {
  if (!Number.isFinite(seconds)) return "?";
  const whole = Math.round(seconds);
  const minutes = Math.floor(whole / 60);
  return minutes > 0 ? `${minutes}m${String(whole % 60).padStart(2, "0")}s` : `${whole}s`;
}

export function createProgress(
  startStep: number,
  totalSteps: number,
  stream: NodeJS.WriteStream = process.stderr,
  environment: NodeJS.ProcessEnv = process.env,
): Progress {
  const times: number[] = [];
  let lastStep = startStep;
  const speed = () => {
    if (times.length < 2) return 0;
    return ((times.length - 1) * 1000) / (times[times.length - 1]! - times[0]!);
  };
  const track = (record: StepRecord) => {
    times.push(performance.now());
    if (times.length > SPEED_WINDOW) times.shift();
    lastStep = record.step;
  };

  if (!drawsBar(stream, environment)) {
    let lastLine = 0;
    return {
      update(record) {
        track(record);
        const now = performance.now();
        if (now - lastLine < PLAIN_LINE_INTERVAL_MS && record.step !== totalSteps) return;
        lastLine = now;
        const d = describe(record);
        const rate = speed();
        stream.write(
          `step ${record.step}/${totalSteps} | ${rate.toFixed(1)} steps/s | ETA ${formatSeconds((totalSteps - record.step) / rate)} | ` +
            `D loss ${d.discriminatorLoss} G loss ${d.generatorLoss} | D(x) ${d.realScore} D(G(z)) ${d.fakeScore}\n`,
        );
      },
      stop() {},
    };
  }

  const bar = new cliProgress.SingleBar(
    {
      format:
        "{bar} step {value}/{total} | {rate} steps/s | ETA {etaText} | D loss {discriminatorLoss} G loss {generatorLoss} | D(x) {realScore} D(G(z)) {fakeScore}",
      hideCursor: true,
      stream,
      barsize: 20,
    },
    cliProgress.Presets.shades_classic,
  );
  bar.start(totalSteps, startStep, {
    rate: "-",
    etaText: "?",
    discriminatorLoss: "-",
    generatorLoss: "-",
    realScore: "-",
    fakeScore: "-",
  });
  return {
    update(record) {
      track(record);
      const rate = speed();
      bar.update(record.step, {
        ...describe(record),
        rate: rate.toFixed(1),
        etaText: formatSeconds((totalSteps - record.step) / rate),
      });
    },
    stop() {
      bar.update(lastStep);
      bar.stop();
    },
  };
}

/** Width of the runs bar in characters. */
const RUNS_BAR_WIDTH = 20;

/** A sweep's progress: one line per finished run, and below it a bar of runs done with an ETA (a terminal only). */
export interface RunsProgress {
  /** Prints `line` for a run that ended, with `ended` of `total` runs ended. */
  runEnded(line: string, ended: number): void;
  stop(): void;
}

/**
 * The ETA assumes the remaining runs take as long as the ended ones did on average, wall clock, with the same
 * number running at once.
 */
export function createRunsProgress(total: number, stream: NodeJS.WriteStream = process.stderr): RunsProgress {
  const started = performance.now();
  let ended = 0;
  const barLine = () => {
    const elapsed = (performance.now() - started) / 1000;
    const eta = ended > 0 ? formatSeconds((elapsed / ended) * (total - ended)) : "?";
    const filled = total > 0 ? Math.round((ended / total) * RUNS_BAR_WIDTH) : RUNS_BAR_WIDTH;
    return `[${"#".repeat(filled)}${"-".repeat(RUNS_BAR_WIDTH - filled)}] ${ended}/${total} runs | ETA ${eta}`;
  };
  if (stream.isTTY) stream.write(barLine());
  return {
    runEnded(line, count) {
      ended = count;
      if (stream.isTTY) stream.write(`\r\x1b[K${line}\n${barLine()}`);
      else stream.write(`${line} | ${barLine().replace(/^\[[#-]+\] /, "")}\n`);
    },
    stop() {
      if (stream.isTTY) stream.write("\n");
    },
  };
}
