import sharp from "sharp";
import { describe, expect, it } from "vitest";
import { variantParts, type TemplateSlug } from "@s3/contract";
import { renderSet, type SetImage } from "../../../src/engine/sets";
import { photo } from "./fixtures";

const styles = ["modern", "natural", "hotel"].map((name, i) => ({
  name,
  concepts: { Wall: { action: "recolor" as const, value: ["greige_a", "sage_a", "navy_a"][i]! } },
}));
const interior = await photo("interior", { Wall: { action: "recolor", value: "sage_a" } }, ["Grout"], styles);
const seller = await photo(
  "seller",
  { Body: { action: "recolor", value: "red_a" } },
  ["Label_Text"],
  [
    { name: "Red", concepts: { Body: { action: "recolor", value: "red_a" } } },
    { name: "Navy", concepts: { Body: { action: "recolor", value: "navy_a" } } },
  ],
);

const cases: [TemplateSlug, typeof interior, [string, string][]][] = [
  [
    "three_options",
    interior,
    [
      ["variant", "modern"],
      ["variant", "natural"],
      ["variant", "hotel"],
      ["options", "options"],
    ],
  ],
  ["before_after", interior, [["before_after", "before_after"]]],
  ["share_card", interior, [["share_card", "share_card"]]],
  ["product_pack", seller, [["pack", "main"]]],
  [
    "option_board",
    seller,
    [
      ["variant", "red"],
      ["variant", "navy"],
      ["board", "board"],
    ],
  ],
  [
    "thumbnails",
    seller,
    ["1000x1000", "800x800", "600x600", "500x500", "300x300", "1080x1350", "1280x720", "1200x628"].map((part) => [
      "thumbnail",
      part,
    ]),
  ],
];

async function decode(file: SetImage) {
  const { data, info } = await sharp(file.body).raw().toBuffer({ resolveWithObject: true });
  return { data, info };
}

describe("renderSet", () => {
  it.each(cases)(
    "%s: files with their roles and parts, decoding to the sizes they state",
    async (slug, scene, expected) => {
      const files = await renderSet(slug, scene.inputs);
      expect(files.map((file) => [file.role, file.part])).toEqual(expected);
      for (const file of files) {
        const { info } = await decode(file);
        expect([info.width, info.height]).toEqual([file.width, file.height]);
        expect(file.contentType).toBe(file.role === "variant" ? "image/png" : "image/jpeg");
        expect(file.variant).toBe(
          file.role === "variant" ? scene.inputs.variants!.find((v) => v.name.toLowerCase() === file.part)!.name : null,
        );
      }
      if (slug === "share_card") expect(files[0]!.width).toBe(1200);
      if (slug === "product_pack") expect([files[0]!.width, files[0]!.height]).toEqual([1000, 1000]);
    },
  );

  it.each(cases)("%s: a free-plan set carries the watermark on every image", async (slug, scene) => {
    const plain = await renderSet(slug, scene.inputs);
    const marked = await renderSet(slug, { ...scene.inputs, watermark: true });
    for (const [i, file] of marked.entries()) {
      const a = (await decode(plain[i]!)).data,
        b = (await decode(file)).data;
      const [x0, y0, w0, h0] = file.watermarkBox;
      const box = { x: x0, y: y0, width: w0, height: h0 };
      // Inside the box the image visibly changes; well away from it only JPEG noise differs.
      let inside = 0,
        insideCount = 0,
        outside = 0,
        outsideCount = 0;
      for (let y = 0; y < file.height; y++)
        for (let x = 0; x < file.width; x++) {
          const q = (y * file.width + x) * 3;
          const diff = Math.abs(a[q]! - b[q]!) + Math.abs(a[q + 1]! - b[q + 1]!) + Math.abs(a[q + 2]! - b[q + 2]!);
          if (x >= box.x && x < box.x + box.width && y >= box.y && y < box.y + box.height) {
            inside += diff;
            insideCount++;
          } else if (x < box.x - 16 || y < box.y - 16) {
            outside += diff;
            outsideCount++;
          }
        }
      expect(inside / insideCount, `${file.role} ${file.part}`).toBeGreaterThan(30);
      expect(outside / outsideCount, `${file.role} ${file.part}`).toBeLessThan(1);
    }
  });

  it.each(cases)("%s: every composed image has even sides, from a photo of odd sides", async (slug, scene) => {
    const odd = await photo(
      scene === interior ? "interior" : "seller",
      scene.inputs.concepts,
      [],
      (scene.inputs.variants ?? []).map(({ name, concepts }) => ({ name, concepts })),
      [321, 241],
    );
    for (const file of await renderSet(slug, { ...odd.inputs, locale: "ko" })) {
      // A result is the photo's own size: its pixels are compared with the input's (docs/reports.md).
      if (file.role === "variant") expect([file.width, file.height]).toEqual([321, 241]);
      else expect([file.width % 2, file.height % 2], `${file.role} ${file.width}×${file.height}`).toEqual([0, 0]);
    }
  });

  it("the product pack names the photo by its position", async () => {
    const [file] = await renderSet("product_pack", { ...seller.inputs, idx: 5 });
    expect(file!.part).toBe("wearing");
  });

  it("refuses a variant template without the variants' results", async () => {
    await expect(renderSet("option_board", { ...seller.inputs, variants: [] })).rejects.toThrow(/variants/);
  });
});

describe("variantParts", () => {
  it("keeps ASCII names as key parts and numbers the rest", () => {
    expect(variantParts(["Modern", "호텔", "Natural Oak", "natural-oak", "x".repeat(50)])).toEqual([
      "modern",
      "variant_2",
      "variant_3",
      "variant_4",
      "x".repeat(40),
    ]);
  });
});
