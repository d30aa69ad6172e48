/**
 * The page chrome every lab page shares: the header with navigation, a status line, and an error banner. Pages fill
 * in their own body.
 */
import "./style.css";
import type { PageName } from "./state.js";

const NAVIGATION: Array<{ page: PageName | "index"; href: string; label: string }> = [
  { page: "one-d", href: "/one-d.html", label: "1-D · Figure 1" },
  { page: "two-d", href: "/two-d.html", label: "2-D" },
  { page: "images", href: "/images.html", label: "Images" },
  { page: "runs", href: "/runs.html", label: "Run viewer" },
];

/** Creates an element with attributes and children. */
export function element<K extends keyof HTMLElementTagNameMap>(
  tag: K,
  attributes: Record<string, string> = {},
  ...children: Array<Node | string>
): HTMLElementTagNameMap[K] {
  const node = document.createElement(tag);
  for (const [name, value] of Object.entries(attributes)) {
    if (name === "text") node.textContent = value;
    else node.setAttribute(name, value);
  }
  node.append(...children);
  return node;
}

/** Renders the header and returns the main element and the status line. */
export function renderShell(page: PageName | "index", title: string): { main: HTMLElement; status: HTMLElement } {
  document.title = `${title} — tsgan lab`;
  const links = NAVIGATION.map((entry) =>
    element("a", { href: entry.href, class: entry.page === page ? "current" : "", text: entry.label }),
  );
  const status = element("span", { class: "status", id: "status" });
  const header = element(
    "header",
    {},
    element("a", { href: "/", class: "brand" }, element("strong", { text: "tsgan" }), " lab"),
    element("nav", {}, ...links),
    status,
  );
  const banner = element("div", { class: "banner", id: "banner", hidden: "" });
  const main = element("main", { class: `page page-${page}` });
  document.body.replaceChildren(header, banner, main);
  return { main, status };
}

/** Shows a problem at the top of the page (and keeps it until replaced). */
export function showError(message: string): void {
  const banner = document.getElementById("banner");
  if (!banner) return;
  banner.textContent = message;
  banner.hidden = false;
}
