// Generated photos with known ground truth, for tests, the demo, benchmarks and the GPU worker's sim
// segmenter (a benchmark stand-in), exported as @s3/contract/scenes. Each
// concept is painted in the cpu segmenter's reference colour, under smooth lighting and
// per-pixel noise, so the stand-in segmenter must resolve the scene exactly.
import { hexToRgb, linearToSrgb, srgbToLinear } from "./color";
import type { RgbImage } from "./image";
import { CONCEPT_REFERENCE_COLORS } from "./reference-colors";

export interface Scene {
  preset: "interior" | "seller";
  image: RgbImage;
  /** concept → one full-size mask (255 inside) per instance, in reading order; computed on first use. */
  readonly truth: Map<string, Uint8Array[]>;
}

type Shape = { concept: string; x0: number; y0: number; x1: number; y1: number; slant?: number };

/** An interior: ceiling, crown moulding, wall, two doors with handles, a window with a
 *  highlight, a wall light, a tiled backsplash with grout over a countertop and cabinet,
 *  a baseboard and the floor. Coordinates are fractions of the photo. */
function interiorShapes(): Shape[] {
  const shapes: Shape[] = [
    { concept: "Wall", x0: 0, y0: 0, x1: 1, y1: 1 },
    { concept: "Ceiling", x0: 0, y0: 0, x1: 1, y1: 0.12 },
    { concept: "Frame_Molding", x0: 0, y0: 0.12, x1: 1, y1: 0.145 },
    { concept: "Floor", x0: 0, y0: 0.7, x1: 1, y1: 1 },
    { concept: "Frame_Molding", x0: 0, y0: 0.665, x1: 1, y1: 0.7 },
    { concept: "Door", x0: 0.07, y0: 0.25, x1: 0.23, y1: 0.665 },
    { concept: "Door", x0: 0.3, y0: 0.25, x1: 0.46, y1: 0.665 },
    { concept: "Handle", x0: 0.195, y0: 0.44, x1: 0.215, y1: 0.475 },
    { concept: "Handle", x0: 0.315, y0: 0.44, x1: 0.335, y1: 0.475 },
    { concept: "Light", x0: 0.49, y0: 0.19, x1: 0.53, y1: 0.24 },
    { concept: "Window", x0: 0.58, y0: 0.2, x1: 0.92, y1: 0.44 },
    { concept: "Glass_highlight", x0: 0.66, y0: 0.24, x1: 0.7, y1: 0.38, slant: 0.05 },
    { concept: "Cabinet", x0: 0.58, y0: 0.62, x1: 0.92, y1: 0.7 },
    { concept: "Countertop", x0: 0.57, y0: 0.6, x1: 0.93, y1: 0.62 },
    { concept: "Grout", x0: 0.58, y0: 0.48, x1: 0.92, y1: 0.6 },
  ];
  // Tiles: 4 × 2 inside the grout area, leaving grout lines between and around them.
  const [gx0, gy0, gx1, gy1] = [0.58, 0.48, 0.92, 0.6];
  const line = 0.008;
  const cols = 4,
    rows = 2;
  const tileW = (gx1 - gx0 - line * (cols + 1)) / cols;
  const tileH = (gy1 - gy0 - line * 1.4 * (rows + 1)) / rows;
  for (let row = 0; row < rows; row++)
    for (let col = 0; col < cols; col++) {
      const x0 = gx0 + line + col * (tileW + line);
      const y0 = gy0 + line * 1.4 + row * (tileH + line * 1.4);
      shapes.push({ concept: "Tile", x0, y0, x1: x0 + tileW, y1: y0 + tileH });
    }
  return shapes;
}

/** A product shot: a bottle (body, cap, label text, logo, gloss streak) and a gift box on a backdrop. */
function sellerShapes(): Shape[] {
  return [
    { concept: "_backdrop", x0: 0, y0: 0, x1: 1, y1: 1 },
    { concept: "Parts", x0: 0.3, y0: 0.1, x1: 0.42, y1: 0.22 },
    { concept: "Body", x0: 0.22, y0: 0.22, x1: 0.5, y1: 0.9 },
    { concept: "Gloss", x0: 0.25, y0: 0.3, x1: 0.28, y1: 0.8 },
    { concept: "Logo", x0: 0.32, y0: 0.32, x1: 0.42, y1: 0.44 },
    { concept: "Label_Text", x0: 0.31, y0: 0.52, x1: 0.45, y1: 0.55 },
    { concept: "Label_Text", x0: 0.31, y0: 0.6, x1: 0.45, y1: 0.63 },
    { concept: "Accessories", x0: 0.6, y0: 0.55, x1: 0.85, y1: 0.9 },
  ];
}

function hash(x: number, y: number, seed: number): number {
  let h = Math.imul(x, 0x27d4eb2d) ^ Math.imul(y, 0x165667b1) ^ Math.imul(seed, 0x9e3779b1);
  h = Math.imul(h ^ (h >>> 15), 0x85ebca6b);
  h = Math.imul(h ^ (h >>> 13), 0xc2b2ae35);
  return (h ^ (h >>> 16)) >>> 0;
}

/** Paints `shapes` (later ones on top) and returns the concept index per pixel. */
function paint(shapes: Shape[], names: string[], width: number, height: number): Uint8Array {
  const labels = new Uint8Array(width * height);
  for (const shape of shapes) {
    const label = names.indexOf(shape.concept);
    const y0 = Math.round(shape.y0 * height),
      y1 = Math.round(shape.y1 * height);
    for (let y = y0; y < y1; y++) {
      // A slanted shape shifts right as it goes down (a parallelogram).
      const shift = shape.slant ? ((y - y0) / Math.max(1, y1 - y0)) * shape.slant : 0;
      const x0 = Math.round((shape.x0 + shift) * width),
        x1 = Math.round((shape.x1 + shift) * width);
      labels.fill(label, y * width + Math.max(0, x0), y * width + Math.min(width, x1));
    }
  }
  return labels;
}

/** Ground truth: the 4-connected components of each concept's painted pixels. */
function truthFrom(labels: Uint8Array, names: string[], width: number, _height: number): Map<string, Uint8Array[]> {
  const truth = new Map<string, Uint8Array[]>();
  for (const name of names) if (!name.startsWith("_")) truth.set(name, []);
  const seen = new Uint8Array(labels.length);
  const stack = new Int32Array(labels.length);
  for (let start = 0; start < labels.length; start++) {
    if (seen[start]) continue;
    const label = labels[start]!;
    const mask = new Uint8Array(labels.length);
    let top = 0;
    stack[top++] = start;
    seen[start] = 1;
    while (top > 0) {
      const p = stack[--top]!;
      mask[p] = 255;
      const x = p % width;
      const visit = (q: number) => {
        if (!seen[q] && labels[q] === label) {
          seen[q] = 1;
          stack[top++] = q;
        }
      };
      if (x > 0) visit(p - 1);
      if (x < width - 1) visit(p + 1);
      if (p >= width) visit(p - width);
      if (p < labels.length - width) visit(p + width);
    }
    truth.get(names[label]!)?.push(mask);
  }
  return truth;
}

function render(
  labels: Uint8Array,
  names: string[],
  colors: Readonly<Record<string, string>>,
  width: number,
  height: number,
  seed: number,
): RgbImage {
  const linear = names.map((name) => hexToRgb(colors[name]!).map(srgbToLinear));
  // 4096-step linear → sRGB table: rendering 12 MP stays well under a second.
  const toSrgb = new Uint8Array(4097);
  for (let i = 0; i <= 4096; i++) toSrgb[i] = linearToSrgb(i / 4096);
  const data = new Uint8Array(width * height * 3);
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      const p = y * width + x;
      // Light from the upper left: factor 0.90 … 1.02 in linear light.
      const light = 0.9 + 0.12 * (0.6 * (1 - x / width) + 0.4 * (1 - y / height));
      const color = linear[labels[p]!]!;
      const noise = hash(x, y, seed);
      for (let c = 0; c < 3; c++) {
        const v = toSrgb[Math.min(4096, Math.round(color[c]! * light * 4096))]! + ((noise >>> (c * 8)) % 7) - 3;
        data[p * 3 + c] = v < 0 ? 0 : v > 255 ? 255 : v;
      }
    }
  }
  return { width, height, data };
}

function scene(preset: Scene["preset"], shapes: Shape[], width: number, height: number, seed: number): Scene {
  const colors = CONCEPT_REFERENCE_COLORS[preset]!;
  const names = Object.keys(colors);
  const labels = paint(shapes, names, width, height);
  let truth: Map<string, Uint8Array[]> | undefined;
  return {
    preset,
    image: render(labels, names, colors, width, height, seed),
    get truth() {
      return (truth ??= truthFrom(labels, names, width, height));
    },
  };
}

export function interiorScene(width = 256, height = 192, seed = 1): Scene {
  return scene("interior", interiorShapes(), width, height, seed);
}

export function sellerScene(width = 256, height = 192, seed = 1): Scene {
  return scene("seller", sellerShapes(), width, height, seed);
}

/** One mask for every instance of `concept` (all zero when it is absent). */
export function truthUnion(scene: Scene, concept: string): Uint8Array {
  const union = new Uint8Array(scene.image.width * scene.image.height);
  for (const mask of scene.truth.get(concept) ?? []) for (let i = 0; i < mask.length; i++) union[i]! |= mask[i]!;
  return union;
}
