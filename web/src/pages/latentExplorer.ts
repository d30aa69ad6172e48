/**
 * The latent explorer of the run viewer: two points z_a and z_b of the latent space (the first two samples of the
 * current seed), the straight path between them as a strip of frames, G(z) at a chosen point t of the path, and one
 * slider per coordinate of z_a. Every slider spans exactly the range the training prior covers: [−1, 1] for the
 * uniform prior (its whole support), ±3 for the normal prior (99.73% of each coordinate's mass).
 * It asks the sampling worker for G(z) through `decode` and only draws what comes back.
 */
import { element } from "../layout.js";
import { priorDisplayRange } from "../analysis/normal.js";
import { drawImageGrid } from "../views/imageGrid.js";
import type { LoadedGenerator } from "../worker/protocol.js";

/** Frames of the z_a → z_b strip. */
export const PATH_FRAMES = 8;
const SLIDER_STEP = 0.01;

export class LatentExplorer {
  readonly root: HTMLElement;
  private readonly strip = element("canvas", { id: "latent-strip", class: "chart" });
  private readonly current = element("canvas", { id: "latent-current", class: "grid" });
  private readonly readout = element("p", { class: "note" });
  private readonly tSlider = element("input", { id: "latent-t", type: "range", min: "0", max: "1", step: "0.01" });
  private readonly sliders = element("div", { class: "latent-sliders", id: "latent-sliders" });
  private generator: LoadedGenerator | null = null;
  private zA = new Float32Array(0);
  private zB = new Float32Array(0);
  private inFlight = false;
  private stale = false;

  constructor(
    private readonly decode: (z: Float32Array, count: number) => void,
    private t: number,
    private readonly onT: (t: number) => void,
  ) {
    this.tSlider.value = String(t);
    this.tSlider.addEventListener("input", () => {
      this.t = Number(this.tSlider.value);
      this.onT(this.t);
      this.request();
    });
    this.root = element(
      "section",
      { class: "panel", id: "latent-explorer" },
      element("h2", { text: "latent explorer" }),
      element(
        "div",
        { class: "row" },
        this.current,
        element(
          "div",
          { style: "flex: 1; min-width: 280px" },
          element(
            "label",
            { class: "timeline" },
            element("span", { text: "z_a" }),
            this.tSlider,
            element("span", { text: "z_b" }),
          ),
          this.strip,
          this.readout,
          this.sliders,
        ),
      ),
    );
    this.strip.style.height = "90px";
    this.current.style.width = "200px";
    this.current.style.height = "200px";
  }

  /** A new generator or a new pair of points. */
  reset(generator: LoadedGenerator, zA: Float32Array, zB: Float32Array): void {
    this.generator = generator;
    const isImage = generator.range !== null; // toys show G(z) as numbers, not pictures
    this.strip.hidden = !isImage;
    this.current.hidden = !isImage;
    this.zA = zA.slice();
    this.zB = zB.slice();
    const [low, high] = priorDisplayRange(generator.prior);
    this.sliders.replaceChildren(
      element("span", {
        style: "grid-column: 1 / -1",
        text: `z_a, coordinate by coordinate (sliders span the ${generator.prior} prior's range [${low}, ${high}])`,
      }),
    );
    this.zA.forEach((value, index) => {
      const slider = element("input", {
        type: "range",
        min: String(low),
        max: String(high),
        step: String(SLIDER_STEP),
        value: String(value),
        "aria-label": `z_a[${index}]`,
      });
      slider.addEventListener("input", () => {
        this.zA[index] = Number(slider.value);
        this.request();
      });
      this.sliders.append(element("label", {}, element("span", { text: String(index + 1).padStart(3, " ") }), slider));
    });
    this.request();
  }

  /** The path's frames and the current point, as one batch [PATH_FRAMES + 1, latentDim]. */
  private points(): Float32Array {
    const dimension = this.zA.length;
    const points = new Float32Array((PATH_FRAMES + 1) * dimension);
    const blend = (row: number, t: number) => {
      for (let index = 0; index < dimension; index++)
        points[row * dimension + index] = (1 - t) * this.zA[index]! + t * this.zB[index]!;
    };
    for (let frame = 0; frame < PATH_FRAMES; frame++) blend(frame, frame / (PATH_FRAMES - 1));
    blend(PATH_FRAMES, this.t);
    return points;
  }

  private request(): void {
    if (!this.generator) return;
    if (this.inFlight) {
      this.stale = true; // one request at a time; the newest wins
      return;
    }
    this.inFlight = true;
    this.decode(this.points(), PATH_FRAMES + 1);
  }

  /** G(z) for the batch asked for by `request`. */
  decoded(values: Float32Array): void {
    this.inFlight = false;
    const generator = this.generator;
    if (!generator) return;
    if (generator.range) {
      const [height, width, channels] = generator.dataShape as [number, number, number];
      const size = height * width * channels;
      drawImageGrid(
        this.strip,
        {
          images: values.subarray(0, PATH_FRAMES * size),
          count: PATH_FRAMES,
          shape: [height, width, channels],
          range: generator.range,
        },
        PATH_FRAMES,
      );
      drawImageGrid(
        this.current,
        {
          images: values.subarray(PATH_FRAMES * size),
          count: 1,
          shape: [height, width, channels],
          range: generator.range,
        },
        1,
      );
      this.readout.textContent = `G(z) at t = ${this.t.toFixed(2)} on the straight path from z_a to z_b`;
    } else {
      const point = Array.from(values.subarray(PATH_FRAMES * generator.dataShape[0]!)).map((value) => value.toFixed(3));
      this.readout.textContent = `G(z) at t = ${this.t.toFixed(2)}: (${point.join(", ")})`;
    }
    if (this.stale) {
      this.stale = false;
      this.request();
    }
  }
}
