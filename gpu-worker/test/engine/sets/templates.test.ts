import { describe, expect, it } from "vitest";
import { hexToRgb, packPart, resolveColor, THUMBNAIL_SIZES } from "@s3/contract";
import { applyRule } from "../../../src/engine/apply";
import { unionOf } from "../../../src/engine/concept-edits";
import { renderBeforeAfter } from "../../../src/engine/sets/before-after";
import { textPath, textWidth } from "../../../src/engine/sets/font";
import { focusBox, paletteRows } from "../../../src/engine/sets/labels";
import { boardLayout, renderBoard } from "../../../src/engine/sets/option-board";
import { packPlacement, renderPack, PACK_SIZE } from "../../../src/engine/sets/product-pack";
import { cardLayout, renderShareCard } from "../../../src/engine/sets/share-card";
import { RIBBON_COLOR } from "../../../src/engine/sets/ribbon";
import { renderSheet, sheetLayout } from "../../../src/engine/sets/sheet";
import { renderOptions } from "../../../src/engine/sets/three-options";
import { coverWindow, renderThumbnails } from "../../../src/engine/sets/thumbnails";
import { crop, darkPixels, hexOf, photo, pixelAt } from "./fixtures";

const interiorRule = {
  Wall: { action: "recolor" as const, value: "sage_a" },
  Floor: { action: "texture" as const, value: "wood" },
  Door: { action: "tone" as const, value: "warm" },
};
const styles = [
  { name: "modern", concepts: { Wall: { action: "recolor" as const, value: "greige_a" } } },
  { name: "natural", concepts: { Wall: { action: "recolor" as const, value: "sage_a" } } },
  { name: "hotel", concepts: { Wall: { action: "recolor" as const, value: "navy_a" } } },
];
const interior = await photo("interior", interiorRule, ["Grout", "Frame_Molding"], styles);
const { image, result } = interior.inputs;
const options = ["red_a", "navy_a", "sky_a", "mint_a", "lemon_a"].map((value) => ({
  name: `Colour ${value}`,
  concepts: { Body: { action: "recolor" as const, value } },
}));
const seller = await photo("seller", { Body: { action: "recolor", value: "red_a" } }, ["Label_Text", "Logo"], options);

describe("before_after", () => {
  it("puts the untouched input and the result side by side at one height, captioned", async () => {
    const sheet = await renderBeforeAfter(image, result, false, "en");
    const layout = sheetLayout(image.width, image.height, 2);
    expect([sheet.width, sheet.height]).toEqual([layout.width, layout.height]);
    const [before, after] = layout.panels;
    expect(before![3]).toBe(after![3]);
    expect(Buffer.compare(crop(sheet, before!), image.data)).toBe(0);
    expect(Buffer.compare(crop(sheet, after!), result)).toBe(0);
    // The band is white but for the captions: ink over each panel's span, none between them.
    expect(darkPixels(sheet, [before![0], 0, before![2], layout.band])).toBeGreaterThan(50);
    expect(darkPixels(sheet, [after![0], 0, after![2], layout.band])).toBeGreaterThan(50);
    const blank = await renderSheet(
      [
        { image, caption: "" },
        { image: { ...image, data: result }, caption: "" },
      ],
      false,
      "en",
    );
    expect(darkPixels(blank, [0, 0, layout.width, layout.band])).toBe(0);
  });

  it("with the watermark, changes only the watermark's box and keeps the before half equal to the input", async () => {
    const plain = await renderBeforeAfter(image, result, false, "en");
    const marked = await renderBeforeAfter(image, result, true, "en");
    const [bx, by, bw, bh] = sheetLayout(image.width, image.height, 2).mark;
    const box = { x: bx, y: by, width: bw, height: bh };
    let inside = 0;
    for (let p = 0; p < marked.width * marked.height; p++) {
      const x = p % marked.width,
        y = Math.floor(p / marked.width);
      const changed = [0, 1, 2].some((c) => marked.data[p * 3 + c] !== plain.data[p * 3 + c]);
      const inBox = x >= box.x && x < box.x + box.width && y >= box.y && y < box.y + box.height;
      if (changed) expect(inBox).toBe(true);
      if (changed) inside++;
    }
    expect(inside).toBeGreaterThan(box.width * box.height * 0.5);
    const [before] = sheetLayout(image.width, image.height, 2).panels;
    expect(Buffer.compare(crop(marked, before!), image.data)).toBe(0);
  });

  it("scales photos taller than the sheet's panel height down to it", () => {
    const layout = sheetLayout(4000, 3000, 2);
    expect(layout.panels.map((panel) => [panel[2], panel[3]])).toEqual([
      [1600, 1200],
      [1600, 1200],
    ]);
  });
});

describe("three_options", () => {
  it("shows each variant's result under its own caption", async () => {
    const variants = interior.inputs.variants!;
    const sheet = await renderOptions(variants, false, "en");
    const layout = sheetLayout(image.width, image.height, 3);
    expect([sheet.width, sheet.height]).toEqual([layout.width, layout.height]);
    layout.panels.forEach((panel, i) => {
      expect(Buffer.compare(crop(sheet, panel), variants[i]!.image.data)).toBe(0);
      expect(darkPixels(sheet, [panel[0], 0, panel[2], layout.band])).toBeGreaterThan(50);
    });
  });

  it("marks a variant whose result equals the photo with the unchanged ribbon, and only that one", async () => {
    const variants = interior.inputs.variants!.map((variant, i) =>
      i === 1 ? { ...variant, image, unchanged: true } : variant,
    );
    expect(variants.map((variant) => variant.unchanged)).toEqual([false, true, false]);
    const sheet = await renderOptions(variants, false, "en");
    const layout = sheetLayout(image.width, image.height, 3);
    const ribbon = hexOf(hexToRgb(RIBBON_COLOR));
    const corner = (i: number) => hexOf(pixelAt(sheet, layout.panels[i]![0] + 2, layout.panels[i]![1] + 2));
    expect([0, 1, 2].map(corner)).toEqual([
      hexOf(pixelAt(variants[0]!.image, 2, 2)),
      ribbon,
      hexOf(pixelAt(variants[2]!.image, 2, 2)),
    ]);
  });

  it("renders each variant with its own concepts over the one segmentation", () => {
    const { instances } = interior.inputs;
    const protect = unionOf(instances, ["Grout", "Frame_Molding"], image.width, image.height);
    interior.inputs.variants!.forEach((variant) => {
      const direct = applyRule({
        image,
        edits: Object.entries(variant.concepts).map(([concept, rule]) => ({
          concept,
          ...rule,
          ...unionOf(instances, concept, image.width, image.height),
        })),
        protect: protect.mask,
        watermark: false,
      });
      expect(Buffer.compare(variant.image.data, direct)).toBe(0);
    });
    const [modern, natural] = interior.inputs.variants!;
    expect(Buffer.compare(modern!.image.data, natural!.image.data)).not.toBe(0);
  });
});

describe("share_card", () => {
  it("is 1200 px wide with one palette row per edited concept, swatch in the rule's colour", async () => {
    const palette = paletteRows(interiorRule, result, image.width, interior.inputs.instances);
    expect(palette.map((row) => [row.concept, row.action, row.value])).toEqual([
      ["Wall", "recolor", "sage_a"],
      ["Floor", "texture", "wood"],
      ["Door", "tone", "warm"],
    ]);
    expect(palette[0]!.swatch).toBe(hexOf(resolveColor("sage_a")));
    // Only a colour has a hex: a tone or a texture is not one colour.
    expect(palette.map((row) => row.hex)).toEqual([hexOf(resolveColor("sage_a")), null, null]);
    const card = await renderShareCard(image, result, palette, false, "en");
    const layout = cardLayout(image.width, image.height, palette.length);
    expect([card.width, card.height]).toEqual([1200, layout.height]);
    palette.forEach((row, i) => {
      const top = layout.rowsTop + i * 64;
      expect(hexOf(pixelAt(card, 40 + 22, top + 32))).toBe(row.swatch);
      expect(darkPixels(card, [100, top, 1060, 64])).toBeGreaterThan(100);
      // The hex column (its last 150 px) has ink on the recolor's row only.
      expect(darkPixels(card, [1010, top + 4, 150, 56]) > 0, row.concept).toBe(row.hex !== null);
    });
  });
});

describe("product_pack", () => {
  it("names parts by position", () => {
    expect([0, 1, 2, 3, 4, 5, 6, 7, 8].map(packPart)).toEqual([
      "main",
      "detail_1",
      "detail_2",
      "detail_3",
      "detail_4",
      "wearing",
      "package",
      "extra_1",
      "extra_2",
    ]);
  });

  it("centres the product on a 1000×1000 square, aspect kept", async () => {
    const { instances } = seller.inputs;
    const product = focusBox(instances, null)!;
    const { source, target } = packPlacement(image.width, image.height, product);
    expect(target[2] / target[3]).toBeCloseTo(source[2] / source[3], 1);
    const square = await renderPack({ ...image, data: seller.inputs.result }, product, false);
    expect([square.width, square.height]).toEqual([PACK_SIZE, PACK_SIZE]);
    // The product's box, mapped onto the square, is centred within a pixel or two.
    const scale = target[2] / source[2];
    const left = target[0] + (product[0] - source[0]) * scale,
      right = left + product[2] * scale;
    const top = target[1] + (product[1] - source[1]) * scale,
      bottom = top + product[3] * scale;
    expect(Math.abs((left + right) / 2 - 500)).toBeLessThan(3);
    expect(Math.abs((top + bottom) / 2 - 500)).toBeLessThan(3);
    expect(Math.max(right - left, bottom - top)).toBeCloseTo(900, -1);
    // The body's red sits at the centre.
    const [r, g, b] = pixelAt(square, 500, 500);
    expect(r).toBeGreaterThan(g + 60);
    expect(r).toBeGreaterThan(b + 60);
  });

  it("fits the whole photo when no product was found", async () => {
    const placement = packPlacement(400, 200, null);
    expect(placement.target).toEqual([0, 250, 1000, 500]);
  });
});

describe("option_board", () => {
  it("lays the variants in a grid, each labelled with its swatch and name", async () => {
    const variants = seller.inputs.variants!;
    const tiles = variants.map((variant, i) => ({
      name: variant.name,
      swatch: hexOf(resolveColor(options[i]!.concepts.Body.value)),
      hex: hexOf(resolveColor(options[i]!.concepts.Body.value)),
      image: variant.image,
    }));
    const board = await renderBoard(tiles, false, "en");
    const layout = boardLayout(image.width, image.height, tiles.length);
    expect([board.width, board.height]).toEqual([layout.width, layout.height]);
    expect(layout.tiles.map((tile) => tile.y).filter((y, i, all) => all.indexOf(y) === i)).toHaveLength(2);
    layout.tiles.forEach((tile, i) => {
      const labelTop = tile.y + layout.tileHeight;
      expect(hexOf(pixelAt(board, tile.x + 18, labelTop + 32))).toBe(tiles[i]!.swatch);
      expect(darkPixels(board, [tile.x + 50, labelTop, layout.tileWidth - 50, 64])).toBeGreaterThan(100);
    });
  });
});

describe("thumbnails", () => {
  it("makes the eight sizes exactly", async () => {
    const { instances } = seller.inputs;
    const thumbnails = await renderThumbnails(
      { ...image, data: seller.inputs.result },
      focusBox(instances, ["Body"]),
      false,
    );
    expect(thumbnails.map((t) => [t.part, t.image.width, t.image.height])).toEqual(
      THUMBNAIL_SIZES.map(([w, h]) => [`${w}x${h}`, w, h]),
    );
  });

  it("crops contain the concept's box wherever the aspect allows, and stay inside the photo", () => {
    const boxes: [number, number, number, number][] = [
      [20, 30, 60, 80],
      [3700, 2500, 250, 400],
      [1800, 0, 400, 3000],
      [0, 1400, 4000, 200],
    ];
    for (const box of boxes)
      for (const size of THUMBNAIL_SIZES) {
        const [x, y, w, h] = coverWindow(4000, 3000, size, box);
        expect(x >= 0 && y >= 0 && x + w <= 4000 && y + h <= 3000).toBe(true);
        expect(Math.abs(w / h - size[0] / size[1])).toBeLessThan(0.01);
        if (w >= box[2]) expect(x <= box[0] && x + w >= box[0] + box[2]).toBe(true);
        if (h >= box[3]) expect(y <= box[1] && y + h >= box[1] + box[3]).toBe(true);
      }
  });

  it("a thumbnail shows the edited concept: the body's red fills its centre", async () => {
    const { instances } = seller.inputs;
    const body = focusBox(instances, ["Body"])!;
    const [thumbnail] = await renderThumbnails({ ...image, data: seller.inputs.result }, body, false);
    const [r, g, b] = pixelAt(thumbnail!.image, 500, 500);
    expect(r).toBeGreaterThan(g + 60);
    expect(r).toBeGreaterThan(b + 60);
  });
});

describe("captions", () => {
  it("draw Hangul from the fallback face, not the missing-glyph box", () => {
    const missing = textPath("\u{10FFFD}", 0, 40, 40, "#000");
    expect(textPath("호", 0, 40, 40, "#000")).not.toBe(missing);
    expect(textPath("A", 0, 40, 40, "#000")).not.toBe(missing);
    expect(textWidth("Before", 40)).toBeGreaterThan(textWidth("After", 40));
  });
});
