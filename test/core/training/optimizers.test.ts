/**
 * Adam and SGD with momentum against hand computations in float64, state save/restore, and the promise that an
 * optimizer touches only the variables it was given — on every backend (test/support/backends.ts), plus each
 * backend's agreement with cpu on inputs that reach ε and large gradients (where a fused kernel could differ).
 */
import { afterEach, describe, expect, it } from "vitest";

import { resolveConfig } from "../../../src/core/config.js";
import { tf, type Tensor, type Variable } from "../../../src/core/engine/tf.js";
import {
  ADAM_EPSILON,
  Adam,
  MomentumSgd,
  createOptimizer,
  type Optimizer,
} from "../../../src/core/training/optimizers.js";
import { sgdSchedule } from "../../../src/core/training/schedules.js";
import {
  REFERENCE_BACKEND,
  describeEachBackend,
  relativeError,
  switchTo,
  type TestBackend,
} from "../../support/backends.js";

/** Weights and two gradients of mixed signs and magnitudes (1e-2 … 10), two variables of different shapes. */
const WEIGHTS = [
  [0.5, -1.25, 2, 0],
  [3, -0.75],
];
const SHAPES = [[2, 2], [2]];
const GRADIENTS_1 = [
  [0.3, -2, 0.01, 10],
  [-0.05, 4],
];
const GRADIENTS_2 = [
  [-0.6, -1, 0.5, 2],
  [0.2, -3],
];

const LEARNING_RATE = 0.01;
const BETA1 = 0.5;
const BETA2 = 0.999;
const MOMENTUM = 0.7;

let created: Array<Variable | Optimizer> = [];

function variables(values = WEIGHTS): Variable[] {
  const result = values.map((v, i) => tf.variable(tf.tensor(v, SHAPES[i]!), true));
  created.push(...result);
  return result;
}

function gradients(values: number[][]): Tensor[] {
  return values.map((v, i) => tf.tensor(v, SHAPES[i]!));
}

function applyAndDispose(optimizer: Optimizer, values: number[][]): void {
  const grads = gradients(values);
  optimizer.apply(grads);
  tf.dispose(grads);
}

function adam(vars: Variable[]): Adam {
  const optimizer = new Adam(
    vars,
    vars.map((_, i) => `w${i}`),
    LEARNING_RATE,
    BETA1,
    BETA2,
  );
  created.push(optimizer);
  return optimizer;
}

function sgd(vars: Variable[]): MomentumSgd {
  const constant = resolveConfig({ optimizer: "sgd", momentum: MOMENTUM });
  const optimizer = new MomentumSgd(
    vars,
    vars.map((_, i) => `w${i}`),
    sgdSchedule(constant, LEARNING_RATE),
  );
  created.push(optimizer);
  return optimizer;
}

const read = (vars: Variable[]) => vars.map((v) => Array.from(v.dataSync()));

/** Kingma & Ba 2015, Algorithm 1, in float64: θ ← θ − α·m̂/(√v̂ + ε), m̂ = m/(1 − β1^t), v̂ = v/(1 − β2^t). */
function adamByHand(weights: number[][], steps: number[][][]): number[][] {
  return weights.map((initial, i) =>
    initial.map((theta0, j) => {
      let theta = theta0;
      let m = 0;
      let v = 0;
      steps.forEach((grads, index) => {
        const t = index + 1;
        const g = grads[i]![j]!;
        m = BETA1 * m + (1 - BETA1) * g;
        v = BETA2 * v + (1 - BETA2) * g * g;
        const mHat = m / (1 - BETA1 ** t);
        const vHat = v / (1 - BETA2 ** t);
        theta -= (LEARNING_RATE * mHat) / (Math.sqrt(vHat) + ADAM_EPSILON);
      });
      return theta;
    }),
  );
}

/** The paper's momentum SGD in float64: u ← μ·u − α·g; θ ← θ + u. */
function sgdByHand(weights: number[][], steps: number[][][]): number[][] {
  return weights.map((initial, i) =>
    initial.map((theta0, j) => {
      let theta = theta0;
      let u = 0;
      for (const grads of steps) {
        u = MOMENTUM * u - LEARNING_RATE * grads[i]![j]!;
        theta += u;
      }
      return theta;
    }),
  );
}

function expectClose(actual: number[][], expected: number[][], tolerance: number): void {
  expect(actual.length).toBe(expected.length);
  actual.forEach((row, i) => {
    expect(row.length).toBe(expected[i]!.length);
    row.forEach((value, j) => expect(Math.abs(value - expected[i]![j]!)).toBeLessThan(tolerance));
  });
}

/**
 * Inputs of the cross-backend check: gradients of the size of Adam's ε (1e-8, where √v̂ + ε and √(v̂ + ε) differ by
 * half the step), exact zeros, and 1e4 (where v = (1 − β2)·g² is 1e5), so a kernel that places ε, the bias
 * corrections or the moments differently from the op chain fails.
 */
const AGREEMENT_WEIGHTS = [
  [0.5, -1.25, 2, 0, 3, -0.75],
  [1, 2, -3],
];
const AGREEMENT_SHAPES = [[2, 3], [3]];
const AGREEMENT_GRADIENTS = [
  [
    [1e-8, -2, 0, 1e4, 0.3, -5e-7],
    [4, -1e-8, 0.05],
  ],
  [
    [-1e-8, 1, 0, -1e4, 0.6, 5e-7],
    [-2, 3e-8, 0.05],
  ],
  [
    [2e-8, 0.5, 0, 3e3, -0.1, 1e-6],
    [1, -1e-8, -0.2],
  ],
];
/**
 * Element-wise float32 arithmetic: each update takes about ten operations, each rounded to 0.5 ulp (6e-8) — or
 * fused without the intermediate roundings — so backends may differ by ~1e-6 of the largest update; 1e-5 leaves a
 * 10× margin, and a misplaced ε alone changes an update by a quarter of the step.
 */
const OPTIMIZER_AGREEMENT_TOLERANCE = 1e-5;

/** Three updates on `backend`: each variable's total update (after − before) and every slot, by name. */
async function optimizerRun(backend: TestBackend, kind: "adam" | "sgd"): Promise<Map<string, Float32Array>> {
  const previous = tf.getBackend() as TestBackend;
  await switchTo(backend);
  try {
    const vars = AGREEMENT_WEIGHTS.map((v, i) => tf.variable(tf.tensor(v, AGREEMENT_SHAPES[i]!), true));
    created.push(...vars);
    const before = vars.map((v) => Float32Array.from(v.dataSync() as ArrayLike<number>));
    const optimizer = kind === "adam" ? adam(vars) : sgd(vars);
    for (const step of AGREEMENT_GRADIENTS) {
      const grads = step.map((g, i) => tf.tensor(g, AGREEMENT_SHAPES[i]!));
      optimizer.apply(grads);
      tf.dispose(grads);
    }
    const result = new Map<string, Float32Array>();
    vars.forEach((v, i) => {
      const after = v.dataSync() as Float32Array;
      result.set(
        `w${i} update`,
        after.map((value, j) => value - before[i]![j]!),
      );
    });
    const state = optimizer.getState();
    for (const [name, slot] of state.slots) result.set(name, Float32Array.from(slot.dataSync() as ArrayLike<number>));
    tf.dispose([...state.slots.values()]);
    return result;
  } finally {
    await switchTo(previous);
  }
}

afterEach(() => {
  for (const thing of created) thing.dispose();
  created = [];
});

describeEachBackend("optimizers", (backend) => {
  describe("Adam", () => {
    it("moves each weight by ≈ lr·sign(g) on its first step, whatever |g| (bias correction makes m̂ = g, v̂ = g²)", () => {
      const vars = variables();
      const optimizer = adam(vars);
      applyAndDispose(optimizer, GRADIENTS_1);
      expect(optimizer.step).toBe(1);
      const expected = WEIGHTS.map((row, i) => row.map((w, j) => w - LEARNING_RATE * Math.sign(GRADIENTS_1[i]![j]!)));
      // ε/|g| ≤ 1e-6 here, so the step is lr to within 1e-8; float32 rounding of the weights is ~2e-7.
      expectClose(read(vars), expected, 1e-6);
    });

    it("matches a float64 hand computation over two steps", () => {
      const vars = variables();
      const optimizer = adam(vars);
      applyAndDispose(optimizer, GRADIENTS_1);
      applyAndDispose(optimizer, GRADIENTS_2);
      expect(optimizer.step).toBe(2);
      const expected = adamByHand(WEIGHTS, [GRADIENTS_1, GRADIENTS_2]);
      expectClose(read(vars), expected, 1e-6);
      // Not trivially satisfied: the second step is not another ±lr step for every weight.
      const naive = WEIGHTS.map((row, i) =>
        row.map((w, j) => w - LEARNING_RATE * (Math.sign(GRADIENTS_1[i]![j]!) + Math.sign(GRADIENTS_2[i]![j]!))),
      );
      expect(expected.flat().some((value, k) => Math.abs(value - naive.flat()[k]!) > 1e-3)).toBe(true);
    });
  });

  describe("SGD with momentum", () => {
    it("matches a float64 hand computation over two steps (u ← μu − αg; θ ← θ + u)", () => {
      const vars = variables();
      const optimizer = sgd(vars);
      applyAndDispose(optimizer, GRADIENTS_1);
      expectClose(read(vars), sgdByHand(WEIGHTS, [GRADIENTS_1]), 1e-6);
      applyAndDispose(optimizer, GRADIENTS_2);
      expect(optimizer.step).toBe(2);
      expectClose(read(vars), sgdByHand(WEIGHTS, [GRADIENTS_1, GRADIENTS_2]), 1e-6);
      // The momentum term matters: plain SGD would end elsewhere.
      const plain = WEIGHTS.map((row, i) =>
        row.map((w, j) => w - LEARNING_RATE * (GRADIENTS_1[i]![j]! + GRADIENTS_2[i]![j]!)),
      );
      expect(
        read(vars)
          .flat()
          .some((value, k) => Math.abs(value - plain.flat()[k]!) > 1e-3),
      ).toBe(true);
    });
  });

  describe.each([
    { kind: "adam", make: adam },
    { kind: "sgd", make: sgd },
  ])("$kind: state and bookkeeping", ({ kind, make }) => {
    it("getState/setState round trip: a restored copy continues bit-identically", () => {
      const original = variables();
      const optimizer = make(original);
      applyAndDispose(optimizer, GRADIENTS_1);
      applyAndDispose(optimizer, GRADIENTS_2);
      const state = optimizer.getState();
      expect(state.step).toBe(2);
      expect(state.slots.size).toBe(kind === "adam" ? 4 : 2);

      // A fresh optimizer on copies of the weights, restored from the saved state.
      const copy = variables(read(original));
      const restored = make(copy);
      restored.setState(state);
      tf.dispose([...state.slots.values()]); // setState copies: the saved tensors may go
      expect(restored.step).toBe(2);

      for (const step of [GRADIENTS_1, GRADIENTS_2, GRADIENTS_1]) {
        applyAndDispose(optimizer, step);
        applyAndDispose(restored, step);
      }
      expect(read(copy)).toEqual(read(original));
      const a = optimizer.getState();
      const b = restored.getState();
      expect(b.step).toBe(a.step);
      for (const [name, tensor] of a.slots)
        expect(Array.from(b.slots.get(name)!.dataSync())).toEqual(Array.from(tensor.dataSync()));
      tf.dispose([...a.slots.values(), ...b.slots.values()]);

      // Without the restore, the continuation differs (the check above has teeth).
      const unrestored = variables(WEIGHTS);
      const fresh = make(unrestored);
      applyAndDispose(fresh, GRADIENTS_1);
      applyAndDispose(fresh, GRADIENTS_2);
      const lostState = variables(read(unrestored));
      const lost = make(lostState);
      for (const step of [GRADIENTS_1, GRADIENTS_2, GRADIENTS_1]) {
        applyAndDispose(fresh, step);
        applyAndDispose(lost, step);
      }
      expect(read(lostState)).not.toEqual(read(unrestored));
    });

    it("getState returns copies that later steps do not change", () => {
      const vars = variables();
      const optimizer = make(vars);
      applyAndDispose(optimizer, GRADIENTS_1);
      const state = optimizer.getState();
      const saved = new Map([...state.slots].map(([name, t]) => [name, Array.from(t.dataSync())]));
      applyAndDispose(optimizer, GRADIENTS_2);
      for (const [name, tensor] of state.slots) expect(Array.from(tensor.dataSync())).toEqual(saved.get(name));
      tf.dispose([...state.slots.values()]);
    });

    it("rejects a wrong number of gradients without touching anything", () => {
      const vars = variables();
      const optimizer = make(vars);
      const tooFew = gradients(GRADIENTS_1).slice(0, 1);
      const tooMany = [...gradients(GRADIENTS_1), tf.zeros([2])];
      expect(() => optimizer.apply(tooFew)).toThrow(/gradients/);
      expect(() => optimizer.apply(tooMany)).toThrow(/gradients/);
      expect(optimizer.step).toBe(0);
      expect(read(vars)).toEqual(WEIGHTS);
      tf.dispose([...tooFew, ...tooMany]);
    });

    it("changes only the variables it was given", () => {
      const [given, alsoGiven] = variables();
      const bystander = tf.variable(tf.tensor([1, 2, 3]), true);
      created.push(bystander);
      const optimizer = make([given!, alsoGiven!]);
      applyAndDispose(optimizer, GRADIENTS_1);
      applyAndDispose(optimizer, GRADIENTS_2);
      expect(Array.from(bystander.dataSync())).toEqual([1, 2, 3]);
      expect(read([given!, alsoGiven!])).not.toEqual(WEIGHTS);
    });
  });

  describe("createOptimizer", () => {
    it("builds the optimizer the config names, with the config's hyperparameters and the given learning rate", () => {
      const vars = variables();
      const fromConfig = createOptimizer(
        resolveConfig({ optimizer: "adam", beta1: BETA1, beta2: BETA2 }),
        vars,
        ["w0", "w1"],
        LEARNING_RATE,
      );
      created.push(fromConfig);
      expect(fromConfig.kind).toBe("adam");
      applyAndDispose(fromConfig, GRADIENTS_1);
      applyAndDispose(fromConfig, GRADIENTS_2);
      expectClose(read(vars), adamByHand(WEIGHTS, [GRADIENTS_1, GRADIENTS_2]), 1e-6);

      const sgdVars = variables();
      const momentumSgd = createOptimizer(
        resolveConfig({ optimizer: "sgd", momentum: MOMENTUM }),
        sgdVars,
        ["w0", "w1"],
        LEARNING_RATE,
      );
      created.push(momentumSgd);
      expect(momentumSgd.kind).toBe("sgd");
      applyAndDispose(momentumSgd, GRADIENTS_1);
      applyAndDispose(momentumSgd, GRADIENTS_2);
      expectClose(read(sgdVars), sgdByHand(WEIGHTS, [GRADIENTS_1, GRADIENTS_2]), 1e-6);
    });
  });

  if (backend !== REFERENCE_BACKEND) {
    describe(`agreement with ${REFERENCE_BACKEND}`, () => {
      it.each(["adam", "sgd"] as const)(
        `%s: three updates and the slots agree with ${REFERENCE_BACKEND} within 1e-5`,
        async (kind) => {
          const expected = await optimizerRun(REFERENCE_BACKEND, kind);
          const actual = await optimizerRun(backend, kind);
          expect([...actual.keys()]).toEqual([...expected.keys()]);
          for (const [name, values] of expected) {
            expect(relativeError(actual.get(name)!, values), name).toBeLessThan(OPTIMIZER_AGREEMENT_TOLERANCE);
          }
        },
      );
    });
  }
});
