/**
 * The landing page: what each page of the lab shows.
 */
import { element, renderShell } from "../layout.js";

const CARDS = [
  {
    href: "/one-d.html",
    title: "1-D · Figure 1, live",
    text: "p_data, p_g, D, the exact D* and the z → x mapping as the paper draws them; V(D, G) against −log 4 + 2·JSD; the vanishing gradient of the minimax loss.",
  },
  {
    href: "/two-d.html",
    title: "2-D",
    text: "D's decision heatmap, the generator's manifold and gradient arrows on a ring, a grid, Gaussians or a distribution you draw; modes covered and sample quality.",
  },
  {
    href: "/images.html",
    title: "Images",
    text: "A small MLP GAN or DCGAN learning MNIST or Fashion-MNIST in your browser, with a live grid from fixed noise.",
  },
  {
    href: "/runs.html",
    title: "Run viewer",
    text: "Open a run written by tsgan train: loss curves, sample grids over time, new samples from any checkpoint and a latent explorer.",
  },
];

const { main } = renderShell("index", "tsgan lab");
main.className = "home";
main.append(
  element("h1", { text: "The tsgan lab" }),
  element("p", {
    text:
      "Watch and steer generative adversarial nets (Goodfellow et al. 2014) in your browser. Training runs in a Web " +
      "Worker on tsgan's own core — the same code as the command line — and every setting lives in the URL, so a set-up " +
      "can be shared as a link.",
  }),
  element(
    "div",
    { class: "cards" },
    ...CARDS.map((card) =>
      element(
        "a",
        { class: "card", href: card.href },
        element("h2", { text: card.title }),
        element("p", { text: card.text }),
      ),
    ),
  ),
);
