// Output sets: what one photo adds to its job's set, per template.
//
//   renderVariants(image, instances, protect, variants, firstResult?) → RenderedVariant[]
//     Each variant's result pixels: the photo's one segmentation, applyRule once per variant.
//   renderSet(slug, inputs: SetInputs) → Promise<SetImage[]>
//     Every set image of one photo for a template, encoded: per-variant results in the job's
//     output format (PNG by default), the rest as JPEG (quality 92). Inputs are unwatermarked; with
//     `watermark` every image gets it.
//   SetImage.part is the `{part}` of the storage key `{idx}_{slug}_{part}.{png|jpg|webp}`.
//   Captions are in `locale` (docs/labels.md). Composed images (sheets, card, board) carry the free
//   plan's mark in a box their layout keeps clear of captions and swatches (mark.ts); photos alone the
//   applier's watermark. SetImage.watermarkBox says where it went.
//
// Each template is a pure function of pixels (and masks) in one file beside this one:
// before-after.ts, three-options.ts, share-card.ts, product-pack.ts, option-board.ts, thumbnails.ts.
import {
  packPart,
  setFileContentType,
  variantParts,
  watermarkRegion,
  type Bbox,
  type Locale,
  type OutputFormat,
  type RgbImage,
  type SetContentType,
  type SetRole,
  type TemplateSlug,
} from "@s3/contract";
import { drawWatermark } from "../apply";
import { encodeResult } from "../image";
import type { ConceptMasks } from "../segmenter/types";
import { renderBeforeAfter } from "./before-after";
import { encodeSetJpeg } from "./canvas";
import { focusBox, paletteRows, variantSwatch, type Rule } from "./labels";
import { boardLayout, renderBoard } from "./option-board";
import { productBox, renderPack } from "./product-pack";
import { cardLayout, renderShareCard } from "./share-card";
import { sheetLayout } from "./sheet";
import { renderOptions } from "./three-options";
import { renderThumbnails } from "./thumbnails";
import type { RenderedVariant } from "./variants";

export { renderVariants, type RenderedVariant } from "./variants";

/** One rendered set image of one photo; the item's callback describes it as a contract SetFile. */
export interface SetImage {
  role: SetRole;
  /** Key part: the variant's key name, the role for one-per-photo images, `main`…, `1080x1350`. */
  part: string;
  /** The variant's name for role `variant`, else null. */
  variant: string | null;
  width: number;
  height: number;
  contentType: SetContentType;
  body: Buffer;
  /** role `variant`: its result equals the input (docs/reports.md). */
  unchanged?: boolean;
  /** Where the free plan's mark or watermark lies on this image (drawn only with `watermark`). */
  watermarkBox: Bbox;
}

export interface SetInputs {
  /** The photo's position in the job: names its product-pack part. */
  idx: number;
  image: RgbImage;
  /** The rule's result for this photo, width × height × 3, without the watermark. */
  result: Uint8Array;
  /** The rule whose result this is (the palette summary lists it; thumbnails centre on it). */
  concepts: Rule;
  instances: ConceptMasks;
  /** For three_options and option_board: the variants' results from renderVariants. */
  variants?: readonly RenderedVariant[];
  watermark: boolean;
  /** The captions' language. */
  locale: Locale;
  /** The job's output format: the per-variant results'. */
  format: OutputFormat;
  /** The first variant's file when its pixels are the main result's: the result's own, not encoded twice. */
  firstResult?: Promise<Buffer>;
}

function photoWatermark(width: number, height: number): Bbox {
  const { x, y, width: w, height: h } = watermarkRegion(width, height);
  return [x, y, w, h];
}

async function jpeg(role: SetRole, part: string, image: RgbImage, watermarkBox?: Bbox): Promise<SetImage> {
  const body = await encodeSetJpeg(image);
  const { width, height } = image;
  return {
    role,
    part,
    variant: null,
    width,
    height,
    contentType: "image/jpeg",
    body,
    watermarkBox: watermarkBox ?? photoWatermark(width, height),
  };
}

async function variantFiles(
  variants: readonly RenderedVariant[],
  watermark: boolean,
  format: OutputFormat,
  firstResult: Promise<Buffer> | undefined,
): Promise<SetImage[]> {
  const parts = variantParts(variants.map((variant) => variant.name));
  return Promise.all(
    variants.map(async (variant, i): Promise<SetImage> => {
      const { width, height } = variant.image;
      let data = variant.image.data;
      if (watermark && !(i === 0 && firstResult)) drawWatermark((data = data.slice()), width, height);
      const body = i === 0 && firstResult ? await firstResult : await encodeResult(format, width, height, data);
      const { name, unchanged } = variant;
      return {
        role: "variant",
        part: parts[i]!,
        variant: name,
        width,
        height,
        contentType: setFileContentType("variant", format),
        body,
        unchanged,
        watermarkBox: photoWatermark(width, height),
      };
    }),
  );
}

function needVariants(slug: TemplateSlug, inputs: SetInputs): readonly RenderedVariant[] {
  if (!inputs.variants?.length) throw new Error(`template ${slug} needs the variants' results`);
  return inputs.variants;
}

/** Every set image of one photo for template `slug`, in the order a manifest lists them. */
export async function renderSet(slug: TemplateSlug, inputs: SetInputs): Promise<SetImage[]> {
  const { image, result, concepts, instances, watermark, locale } = inputs;
  const after: RgbImage = { width: image.width, height: image.height, data: result };
  const { width, height } = image;
  switch (slug) {
    case "three_options": {
      const variants = needVariants(slug, inputs);
      const [files, options] = await Promise.all([
        variantFiles(variants, watermark, inputs.format, inputs.firstResult),
        renderOptions(variants, watermark, locale),
      ]);
      return [...files, await jpeg("options", "options", options, sheetLayout(width, height, variants.length).mark)];
    }
    case "before_after": {
      const sheet = await renderBeforeAfter(image, result, watermark, locale);
      return [await jpeg("before_after", "before_after", sheet, sheetLayout(width, height, 2).mark)];
    }
    case "share_card": {
      const palette = paletteRows(concepts, result, width, instances);
      const card = await renderShareCard(image, result, palette, watermark, locale);
      return [await jpeg("share_card", "share_card", card, cardLayout(width, height, palette.length).mark)];
    }
    case "product_pack": {
      const product = productBox(after, focusBox(instances, null));
      return [await jpeg("pack", packPart(inputs.idx), await renderPack(after, product, watermark))];
    }
    case "option_board": {
      const variants = needVariants(slug, inputs);
      const tiles = variants.map((variant) => ({
        name: variant.name,
        ...variantSwatch(variant.concepts, variant.image.data, width, instances),
        image: variant.image,
        unchanged: variant.unchanged,
      }));
      const [files, board] = await Promise.all([
        variantFiles(variants, watermark, inputs.format, inputs.firstResult),
        renderBoard(tiles, watermark, locale),
      ]);
      return [...files, await jpeg("board", "board", board, boardLayout(width, height, tiles.length).mark)];
    }
    case "thumbnails": {
      const thumbnails = await renderThumbnails(after, focusBox(instances, Object.keys(concepts)), watermark);
      return Promise.all(thumbnails.map((thumbnail) => jpeg("thumbnail", thumbnail.part, thumbnail.image)));
    }
  }
}
