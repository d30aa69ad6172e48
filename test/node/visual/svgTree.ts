/**
 * A minimal XML reader for the SVG that vega emits, so tests can check that an SVG is well formed and count marks
 * without a DOM library. Throws on unbalanced or stray tags and on raw `<` in text.
 */

/** One element: tag name, attributes, child elements, and its own text. */
export interface SvgElement {
  name: string;
  attributes: Record<string, string>;
  children: SvgElement[];
  text: string;
}

const TAG = /<(\/?)([A-Za-z][\w:.-]*)((?:\s+[\w:.-]+\s*=\s*(?:"[^"]*"|'[^']*'))*)\s*(\/?)>/y;
const ATTRIBUTE = /([\w:.-]+)\s*=\s*(?:"([^"]*)"|'([^']*)')/g;

/** Parse `source` into its root element; throws a one-line Error when it is not well formed. */
export function parseSvg(source: string): SvgElement {
  const root: SvgElement = {
    name: "#document",
    attributes: {},
    children: [],
    text: "",
  };
  const stack: SvgElement[] = [root];
  let position = 0;
  const body = source.replace(/^<\?xml[^>]*\?>\s*/, "");
  while (position < body.length) {
    const next = body.indexOf("<", position);
    const top = stack[stack.length - 1]!;
    if (next === -1) {
      top.text += body.slice(position);
      break;
    }
    top.text += body.slice(position, next);
    TAG.lastIndex = next;
    const match = TAG.exec(body);
    if (!match) throw new Error(`svg: malformed tag at ${next}: ${body.slice(next, next + 40)}`);
    const [whole, closing, name, attributeText, selfClosing] = match;
    position = next + whole.length;
    if (closing) {
      const open = stack.pop();
      if (!open || open.name !== name) throw new Error(`svg: </${name}> closes <${open?.name}>`);
      continue;
    }
    const attributes: Record<string, string> = {};
    for (const attribute of (attributeText ?? "").matchAll(ATTRIBUTE)) {
      attributes[attribute[1]!] = attribute[2] ?? attribute[3] ?? "";
    }
    const element: SvgElement = {
      name: name!,
      attributes,
      children: [],
      text: "",
    };
    top.children.push(element);
    if (!selfClosing) stack.push(element);
  }
  if (stack.length !== 1) throw new Error(`svg: <${stack[stack.length - 1]!.name}> never closed`);
  if (root.children.length !== 1 || root.children[0]!.name !== "svg") throw new Error("svg: root is not one <svg>");
  return root.children[0]!;
}

/** Every element below `element` (depth first), including itself. */
export function allElements(element: SvgElement): SvgElement[] {
  return [element, ...element.children.flatMap(allElements)];
}

/** Groups whose class list starts with `classPrefix`, e.g. "mark-symbol role-mark". */
export function groupsWithClass(svg: SvgElement, classPrefix: string): SvgElement[] {
  return allElements(svg).filter(
    (element) => element.name === "g" && (element.attributes.class ?? "").startsWith(classPrefix),
  );
}

/** All text content of `<text>` elements, in document order. */
export function textsOf(svg: SvgElement): string[] {
  return allElements(svg)
    .filter((element) => element.name === "text")
    .map((element) => element.text);
}
