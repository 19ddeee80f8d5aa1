// The template picker's small pictures: what each template's output looks like, drawn as SVG in the
// colours of the rule being edited (the first edited colour, else a sample), so no image is fetched.
import type { TemplateSlug } from "@s3/contract";

const SVG = "http://www.w3.org/2000/svg";
type Shape = [tag: string, attrs: Record<string, string | number>];

function svg(width: number, height: number, shapes: Shape[]): SVGSVGElement {
  const root = document.createElementNS(SVG, "svg");
  root.setAttribute("viewBox", `0 0 ${width} ${height}`);
  root.setAttribute("aria-hidden", "true");
  root.setAttribute("focusable", "false");
  root.classList.add("preview");
  for (const [tag, attrs] of shapes) {
    const node = document.createElementNS(SVG, tag);
    for (const [name, value] of Object.entries(attrs)) node.setAttribute(name, String(value));
    root.append(node);
  }
  return root;
}
const rect = (x: number, y: number, width: number, height: number, fill: string, rx = 0): Shape => [
  "rect",
  { x, y, width, height, fill, rx },
];

/** A room: wall, floor, window, cabinet, at (x, y) in a w×h box. */
function room(x: number, y: number, w: number, h: number, wall: string): Shape[] {
  return [
    rect(x, y, w, h * 0.7, wall),
    rect(x, y + h * 0.7, w, h * 0.3, "#b08a62"),
    rect(x + w * 0.12, y + h * 0.15, w * 0.28, h * 0.3, "#dfeefa"),
    rect(x + w * 0.55, y + h * 0.42, w * 0.35, h * 0.33, "#6d5a48"),
  ];
}
/** A product: a bottle with its cap, centred in a w×h box. */
function product(x: number, y: number, w: number, h: number, body: string): Shape[] {
  return [
    rect(x, y, w, h, "#ffffff"),
    rect(x + w * 0.36, y + h * 0.3, w * 0.28, h * 0.6, body, 3),
    rect(x + w * 0.42, y + h * 0.12, w * 0.16, h * 0.2, "#333333", 1),
  ];
}
const SAMPLES = ["#9aae8f", "#2f3e5c", "#c9a66b", "#d9d4cb", "#8c3b3b", "#4d6b73", "#e0b85a", "#5e5e5e"];

/** The picture of a template's output; `colors` are the edited values' colours (may be empty). */
export function templatePreview(slug: TemplateSlug | null, colors: string[]): SVGSVGElement {
  const pick = (index: number) => colors[index % Math.max(colors.length, 1)] ?? SAMPLES[index]!;
  const tint = (index: number) => (colors.length > index ? colors[index]! : SAMPLES[index]!);
  const before = "#d8d2c4";
  switch (slug) {
    case "before_after":
      return svg(120, 60, [...room(0, 0, 59, 60, before), ...room(61, 0, 59, 60, pick(0))]);
    case "three_options":
      return svg(
        120,
        60,
        [0, 1, 2].flatMap((index) => room(index * 41, 0, 38, 60, tint(index))),
      );
    case "share_card":
      return svg(120, 60, [
        rect(0, 0, 120, 60, "#f4f1ea"),
        ...room(6, 6, 40, 34, before),
        ...room(50, 6, 40, 34, pick(0)),
        ["circle", { cx: 104, cy: 14, r: 6, fill: pick(0) }],
        ["circle", { cx: 104, cy: 30, r: 6, fill: tint(1) }],
        rect(6, 46, 84, 4, "#8a8a8a"),
        rect(6, 53, 50, 3, "#b5b5b5"),
      ]);
    case "product_pack":
      return svg(120, 60, [
        rect(0, 0, 120, 60, "#e9e9e9"),
        ...[0, 1, 2].flatMap((index) => product(4 + index * 39, 11, 34, 38, pick(0))),
      ]);
    case "option_board":
      return svg(120, 60, [
        rect(0, 0, 120, 60, "#f2f2f2"),
        ...[0, 1, 2, 3].flatMap((index) => product(4 + index * 29, 8, 25, 44, tint(index))),
      ]);
    case "thumbnails":
      return svg(120, 60, [
        rect(0, 0, 120, 60, "#e4e4e4"),
        ...[0, 1, 2, 3, 4, 5, 6, 7].flatMap((index) =>
          product(3 + (index % 4) * 29, 3 + Math.floor(index / 4) * 29, 26, 26, pick(0)),
        ),
      ]);
    default:
      return svg(120, 60, [...room(0, 0, 120, 60, pick(0))]);
  }
}
