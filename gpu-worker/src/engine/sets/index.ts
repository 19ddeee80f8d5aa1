// Output sets: what one photo adds to its job's set, per template.
//
//   renderVariants(image, instances, protect, variants, firstResult?) → RenderedVariant[]
//     Each variant's result pixels: the photo's one segmentation, applyRule once per variant.
//   renderSet(slug, inputs: SetInputs) → Promise<SetImage[]>
//     Every set image of one photo for a template, encoded: per-variant results in the job's
//     output format (PNG by default), the rest as JPEG (quality 92). Inputs are unwatermarked; with
//     `watermark` every image gets it.
//   SetImage.part is the `{part}` of the storage key `{idx}_{slug}_{part}.{png|jpg|webp}`.
//
// Each template is a pure function of pixels (and masks) in one file beside this one:
// before-after.ts, three-options.ts, share-card.ts, product-pack.ts, option-board.ts, thumbnails.ts.
import {
  packPart,
  setFileContentType,
  variantParts,
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
import { renderBoard } from "./option-board";
import { renderPack } from "./product-pack";
import { renderShareCard } from "./share-card";
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
  /** The job's output format: the per-variant results'. */
  format: OutputFormat;
  /** The first variant's file when its pixels are the main result's: the result's own, not encoded twice. */
  firstResult?: Promise<Buffer>;
}

async function jpeg(role: SetRole, part: string, image: RgbImage): Promise<SetImage> {
  const body = await encodeSetJpeg(image);
  return { role, part, variant: null, width: image.width, height: image.height, contentType: "image/jpeg", body };
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
  const { image, result, concepts, instances, watermark } = inputs;
  const after: RgbImage = { width: image.width, height: image.height, data: result };
  switch (slug) {
    case "three_options": {
      const variants = needVariants(slug, inputs);
      const [files, options] = await Promise.all([
        variantFiles(variants, watermark, inputs.format, inputs.firstResult),
        renderOptions(variants, watermark),
      ]);
      return [...files, await jpeg("options", "options", options)];
    }
    case "before_after":
      return [await jpeg("before_after", "before_after", await renderBeforeAfter(image, result, watermark))];
    case "share_card": {
      const palette = paletteRows(concepts, result, image.width, instances);
      return [await jpeg("share_card", "share_card", await renderShareCard(image, result, palette, watermark))];
    }
    case "product_pack":
      return [await jpeg("pack", packPart(inputs.idx), await renderPack(after, focusBox(instances, null), watermark))];
    case "option_board": {
      const variants = needVariants(slug, inputs);
      const tiles = variants.map((variant) => ({
        name: variant.name,
        hex: variantSwatch(variant.concepts, variant.image.data, image.width, instances),
        image: variant.image,
        unchanged: variant.unchanged,
      }));
      const [files, board] = await Promise.all([
        variantFiles(variants, watermark, inputs.format, inputs.firstResult),
        renderBoard(tiles, watermark),
      ]);
      return [...files, await jpeg("board", "board", board)];
    }
    case "thumbnails": {
      const thumbnails = await renderThumbnails(after, focusBox(instances, Object.keys(concepts)), watermark);
      return Promise.all(thumbnails.map((thumbnail) => jpeg("thumbnail", thumbnail.part, thumbnail.image)));
    }
  }
}
