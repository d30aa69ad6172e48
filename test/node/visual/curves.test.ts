/** Training-time evaluation curves: a run's plots/eval.svg and a sweep's curves.svg, drawn from hand-made records. */
import { describe, expect, it } from "vitest";
import { LINE_PALETTE, lineChartSpec } from "../../../src/node/visual/charts.js";
import {
  evaluationCurvesSvg,
  evaluationKeys,
  sweepCurvesSvg,
  type EvaluatedRecord,
  type RunCurves,
} from "../../../src/node/visual/curves.js";
import { allElements, groupsWithClass, parseSvg, textsOf, type SvgElement } from "./svgTree.js";

/** Every drawn line: its aria label's `line:` (a sweep's run) or `series:` name, its colour and its point count. */
function lines(svg: SvgElement): Array<{ name: string; stroke: string; points: number }> {
  return groupsWithClass(svg, "mark-line role-mark").flatMap((group) =>
    group.children.map((path) => {
      const label = path.attributes["aria-label"] ?? "";
      const name = /line: ([^;]+)/.exec(label)?.[1] ?? /series: ([^;]+)/.exec(label)?.[1] ?? "";
      return {
        name,
        stroke: path.attributes.stroke ?? "",
        points: (path.attributes.d ?? "").match(/[ML]/g)?.length ?? 0,
      };
    }),
  );
}

/** Ten evaluations every 100 steps of a ring run, between loss-only records. */
function ringRecords(offset: number): EvaluatedRecord[] {
  return Array.from({ length: 20 }, (_, index) => {
    const step = (index + 1) * 50;
    if (step % 100 !== 0) return { step };
    return {
      step,
      eval: {
        modesCovered: Math.min(8, offset + step / 100),
        highQualityFraction: step / 1000,
        jensenShannon: 1 / (offset + step),
      },
    };
  });
}

describe("evaluationCurvesSvg (plots/eval.svg)", () => {
  it("draws one panel per evaluated number, each a line through every evaluated step", async () => {
    const records = ringRecords(1);
    const svg = parseSvg((await evaluationCurvesSvg(records))!);
    const texts = textsOf(svg);
    for (const key of ["modesCovered", "highQualityFraction", "jensenShannon", "step"]) expect(texts).toContain(key);
    const drawn = lines(svg);
    expect(drawn.map((line) => line.name)).toEqual(["modesCovered", "highQualityFraction", "jensenShannon"]);
    const evaluated = records.filter((record) => record.eval).length;
    expect(drawn.map((line) => line.points)).toEqual([evaluated, evaluated, evaluated]);
    // One line per panel needs no legend: the panel's title names it.
    expect(allElements(svg).some((element) => (element.attributes.class ?? "").includes("role-legend"))).toBe(false);
  });

  it("keeps image metrics' keys as they are and leaves out keys that are never a finite number", async () => {
    const records: EvaluatedRecord[] = [
      { step: 10, eval: { classifierScore: 2.5, classesCovered: 7, frechet: Number.NaN } },
      { step: 20, eval: { classifierScore: 4, classesCovered: 9, frechet: Number.POSITIVE_INFINITY } },
    ];
    expect(evaluationKeys(records)).toEqual(["classifierScore", "classesCovered"]);
    const drawn = lines(parseSvg((await evaluationCurvesSvg(records))!));
    expect(drawn.map((line) => line.name)).toEqual(["classifierScore", "classesCovered"]);
  });

  it("is null for a run without training-time evaluation", async () => {
    expect(await evaluationCurvesSvg([{ step: 1 }, { step: 2 }])).toBeNull();
    expect(await evaluationCurvesSvg([])).toBeNull();
  });
});

describe("sweepCurvesSvg (a sweep's curves.svg)", () => {
  const runs: RunCurves[] = ["vanilla", "packing"].flatMap((setting, settingIndex) =>
    [1, 2, 3].map((seed) => ({ name: `${setting}_seed${seed}`, setting, records: ringRecords(settingIndex + seed) })),
  );

  it("draws every run in every panel, one colour per setting in the plan's order, with one legend", async () => {
    const withoutEvaluation: RunCurves = { name: "pending_seed1", setting: "pending", records: [{ step: 50 }] };
    const source = (await sweepCurvesSvg("Sweep ring", [...runs, withoutEvaluation], ["packing", "vanilla"]))!;
    const svg = parseSvg(source);
    const drawn = lines(svg);
    const keys = ["modesCovered", "highQualityFraction", "jensenShannon"];
    expect(drawn).toHaveLength(keys.length * runs.length);
    const colour = (name: string) => new Set(drawn.filter((line) => line.name.startsWith(name)).map((l) => l.stroke));
    expect([...colour("packing")]).toEqual([LINE_PALETTE[0]]); // first in the plan's order
    expect([...colour("vanilla")]).toEqual([LINE_PALETTE[1]]);
    expect(drawn.some((line) => line.name === "pending_seed1")).toBe(false);
    const texts = textsOf(svg);
    for (const key of keys) expect(texts.filter((text) => text === key)).toHaveLength(1);
    // The legend names each setting once, not each run, and not the run without evaluation.
    expect(texts.filter((text) => text === "packing")).toHaveLength(1);
    expect(texts.filter((text) => text === "vanilla")).toHaveLength(1);
    expect(texts).not.toContain("pending");
  });

  it("is null when no run logged training-time evaluation", async () => {
    const bare = runs.map((run) => ({ ...run, records: [{ step: 100 }] }));
    expect(await sweepCurvesSvg("Sweep ring", bare)).toBeNull();
  });
});

describe("lineChartSpec groups", () => {
  it("leaves an ungrouped chart's data as it was (no per-line field)", () => {
    const spec = lineChartSpec({ series: [{ name: "a", x: [0, 1], y: [2, 3] }] });
    const [lineLayer] = spec.layer as Array<{ data: { values: object[] }; encoding: object }>;
    expect(lineLayer!.encoding).not.toHaveProperty("detail");
    const values = lineLayer!.data.values;
    expect(values).toEqual([
      { series: "a", x: 0, y: 2 },
      { series: "a", x: 1, y: 3 },
    ]);
  });
});
