/**
 * Form controls generated from the state's field specs (state.ts): a select for choices, a number box for numbers, a
 * checkbox for switches, a text box for lists. Each control writes its parsed value into the state and reports the
 * field; invalid input is shown and ignored.
 */
import { element } from "./layout.js";
import { fieldsOf, parseField, type FieldSpec, type LabState, type PageName, PAGE_DATASETS } from "./state.js";

/** Human labels for choice values that are not self-explanatory. */
const OPTION_LABELS: Record<string, string> = {
  "gaussian-1d": "Gaussian N(4, 0.5²)",
  "mixture-1d": "two Gaussians",
  "ring-2d": "ring of 8",
  "grid-2d": "grid of 25",
  "gaussians-2d": "three Gaussians",
  drawn: "draw your own",
  mnist: "MNIST",
  "fashion-mnist": "Fashion-MNIST",
  algorithm1: "Algorithm 1",
  discriminator: "D only",
  generator: "G only",
  "non-saturating": "non-saturating",
  minimax: "minimax",
  "least-squares": "least squares (LSGAN)",
  hinge: "hinge",
  "wasserstein-gp": "Wasserstein + gradient penalty",
  none: "none",
  both: "D and G",
  uniform: "uniform [−1, 1]",
  normal: "normal N(0, 1)",
  mlp: "MLP (the paper's)",
  dcgan: "small DCGAN",
  adam: "Adam",
  sgd: "SGD + momentum",
};

export type ControlListener = (field: FieldSpec) => void;

export interface ControlPanel {
  /** Writes the state's values back into the controls (after a programmatic change). */
  refresh(): void;
}

/** Builds controls for `keys` (in that order) into `container`. */
export function buildControls(
  container: HTMLElement,
  page: PageName,
  state: LabState,
  keys: ReadonlyArray<keyof LabState>,
  onChange: ControlListener,
): ControlPanel {
  const fields = new Map(fieldsOf(page).map((field) => [field.key, field]));
  const inputs = new Map<keyof LabState, HTMLInputElement | HTMLSelectElement>();
  const record = state as unknown as Record<string, unknown>;
  for (const key of keys) {
    const field = fields.get(key);
    if (!field) continue;
    let input: HTMLInputElement | HTMLSelectElement;
    if (field.kind === "enum") {
      const options = field.key === "dataset" ? PAGE_DATASETS[page] : field.options;
      input = element(
        "select",
        { id: `control-${key}` },
        ...options.map((option) => element("option", { value: option, text: OPTION_LABELS[option] ?? option })),
      );
    } else if (field.kind === "boolean") {
      input = element("input", { id: `control-${key}`, type: "checkbox" });
    } else {
      input = element("input", {
        id: `control-${key}`,
        type: "text",
        inputmode: field.kind === "string" ? "text" : "decimal",
        spellcheck: "false",
      });
    }
    input.addEventListener("change", () => {
      const text =
        input instanceof HTMLInputElement && input.type === "checkbox" ? String(input.checked) : input.value.trim();
      const value = parseField(field, text, page);
      input.classList.toggle("invalid", value === undefined);
      if (value === undefined || value === record[key]) return;
      record[key] = value;
      onChange(field);
    });
    inputs.set(key, input);
    const label = element("label", { class: `control control-${field.kind}`, for: `control-${key}` });
    if (field.kind === "boolean") label.append(input, element("span", { text: field.label }));
    else label.append(element("span", { text: field.label }), input);
    container.append(label);
  }
  const refresh = () => {
    for (const [key, input] of inputs) {
      if (input instanceof HTMLInputElement && input.type === "checkbox") input.checked = Boolean(record[key]);
      else input.value = String(record[key]);
      input.classList.remove("invalid");
    }
  };
  refresh();
  return { refresh };
}
