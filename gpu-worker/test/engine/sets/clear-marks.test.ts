// What a client is handed: the free plan's mark never over a caption or a swatch, and the product
// pack's main image showing the whole product, even parts no rule named.
import { describe, expect, it } from "vitest";
import type { Bbox } from "@s3/contract";
import { focusBox } from "../../../src/engine/sets/labels";
import { overlaps } from "../../../src/engine/sets/mark";
import { boardLayout } from "../../../src/engine/sets/option-board";
import { PACK_SIZE, packPlacement, productBox } from "../../../src/engine/sets/product-pack";
import { cardLayout } from "../../../src/engine/sets/share-card";
import { sheetLayout } from "../../../src/engine/sets/sheet";
import { photo } from "./fixtures";

const inside = (box: Bbox, width: number, height: number) =>
  box[0] >= 0 && box[1] >= 0 && box[0] + box[2] <= width && box[1] + box[3] <= height;
const PHOTOS: [number, number][] = [
  [1837, 1343],
  [4000, 3000],
  [1200, 1500],
  [320, 240],
  [3000, 1000],
];

describe("the free plan's mark", () => {
  it("on a share card, lies clear of the panels and of every palette row's swatch, names and hex", () => {
    for (const [width, height] of PHOTOS)
      for (const rows of [1, 3, 8]) {
        const layout = cardLayout(width, height, rows);
        expect(inside(layout.mark, layout.width, layout.height)).toBe(true);
        const panels: Bbox[] = [
          [...layout.before, layout.panelWidth, layout.panelHeight],
          [...layout.after, layout.panelWidth, layout.panelHeight],
        ];
        for (const box of [...layout.rows, ...panels]) expect(overlaps(layout.mark, box), `${box}`).toBe(false);
      }
  });

  it("on an option board, lies clear of every tile and its label (swatch, name, hex)", () => {
    for (const [width, height] of PHOTOS)
      for (let count = 2; count <= 8; count++) {
        const layout = boardLayout(width, height, count);
        expect(inside(layout.mark, layout.width, layout.height)).toBe(true);
        const tiles = layout.tiles.map(({ x, y }): Bbox => [x, y, layout.tileWidth, layout.tileHeight]);
        for (const box of [...layout.labels, ...tiles])
          expect(overlaps(layout.mark, box), `${count} ${box}`).toBe(false);
      }
  });

  it("on a before/after or options sheet, lies clear of the caption band and every panel", () => {
    for (const [width, height] of PHOTOS)
      for (const count of [2, 3]) {
        const layout = sheetLayout(width, height, count);
        expect(inside(layout.mark, layout.width, layout.height)).toBe(true);
        const band: Bbox = [0, 0, layout.width, layout.band];
        for (const box of [band, ...layout.panels]) expect(overlaps(layout.mark, box), `${box}`).toBe(false);
      }
  });
});

describe("the product pack's main image", () => {
  it("shows the whole product, the cap no rule named included, padded inside the square", async () => {
    // The rule names the body only: the segmenter finds the body and the protected label, not the cap.
    const seller = await photo("seller", { Body: { action: "recolor", value: "red_a" } }, ["Label_Text"]);
    const { image, result, instances } = seller.inputs;
    const found = focusBox(instances, null)!;
    let x0 = image.width,
      y0 = image.height,
      x1 = 0,
      y1 = 0;
    for (const masks of seller.scene.truth.values())
      for (const mask of masks)
        for (let p = 0; p < mask.length; p++)
          if (mask[p]) {
            const x = p % image.width,
              y = Math.floor(p / image.width);
            [x0, y0, x1, y1] = [Math.min(x0, x), Math.min(y0, y), Math.max(x1, x + 1), Math.max(y1, y + 1)];
          }
    // What the rule's concepts alone cover misses part of the product (the cap above the body).
    expect(found[1]).toBeGreaterThan(y0);
    const product = productBox({ ...image, data: result }, found)!;
    const { source, target } = packPlacement(image.width, image.height, product);
    expect(source[0] <= x0 && source[1] <= y0 && source[0] + source[2] >= x1 && source[1] + source[3] >= y1).toBe(true);
    // The product lands on the square with a white margin on every side.
    const scale = target[2] / source[2];
    const left = target[0] + (x0 - source[0]) * scale,
      top = target[1] + (y0 - source[1]) * scale;
    const right = target[0] + (x1 - source[0]) * scale,
      bottom = target[1] + (y1 - source[1]) * scale;
    expect(Math.min(left, top)).toBeGreaterThan(0);
    expect(Math.max(right, bottom)).toBeLessThan(PACK_SIZE);
  });

  it("keeps the concepts' box for a photo without a plain backdrop", async () => {
    const interior = await photo("interior", { Wall: { action: "recolor", value: "sage_a" } }, []);
    const { image, result, instances } = interior.inputs;
    const found = focusBox(instances, null)!;
    expect(productBox({ ...image, data: result }, found)).toEqual(found);
  });
});
