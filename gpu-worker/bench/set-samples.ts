// Sample sets to look at: every template's files for a generated interior and seller photo, with the
// free plan's watermark, in each language. SETS_OUT=dir (default /tmp/sets) receives
// `{locale}/{slug}_{part}.{png|jpg}`; sizes are printed. Not a benchmark: nothing is timed.
import { mkdir, writeFile } from "node:fs/promises";
import type { Locale } from "@s3/contract";
import { LOCALES } from "@s3/contract";
import { interiorScene, sellerScene } from "@s3/contract/testing";
import { applyRule } from "../src/engine/apply";
import { unionOf } from "../src/engine/concept-edits";
import { createCpuSegmenter } from "../src/engine/segmenter/cpu";
import { renderSet, renderVariants } from "../src/engine/sets";
import { SET_ALBUMS, type Rule } from "./set-albums";

const OUT = process.env.SETS_OUT ?? "/tmp/sets";
/** Each album at an odd photo size, the case where set files must still come out even. */
const PHOTOS = [
  { preset: "interior" as const, width: 1837, height: 1343, ...SET_ALBUMS.interior },
  { preset: "seller" as const, width: 1201, height: 1501, ...SET_ALBUMS.seller },
];

for (const spec of PHOTOS) {
  const { image } = (spec.preset === "interior" ? interiorScene : sellerScene)(spec.width, spec.height, 7);
  const concepts = [
    ...new Set([...Object.keys(spec.rule), ...spec.protect, ...spec.variants.flatMap((v) => Object.keys(v.concepts))]),
  ];
  const instances = await (await createCpuSegmenter().forJob(concepts)).segment(image);
  const protect = unionOf(instances, spec.protect, image.width, image.height);
  const apply = (rule: Rule) =>
    applyRule({
      image,
      edits: Object.entries(rule).map(([concept, action]) => ({
        concept,
        ...action,
        ...unionOf(instances, concept, image.width, image.height),
      })),
      protect: protect.mask,
      protectBbox: protect.bbox,
      watermark: false,
    });
  for (const locale of LOCALES as readonly Locale[]) {
    await mkdir(`${OUT}/${locale}`, { recursive: true });
    for (const slug of spec.templates) {
      const perVariant = slug === "three_options" || slug === "option_board";
      const rule = perVariant ? spec.variants[0]!.concepts : spec.rule;
      const result = apply(rule);
      const files = await renderSet(slug, {
        idx: 0,
        image,
        result,
        concepts: rule,
        instances,
        variants: perVariant ? renderVariants(image, instances, spec.protect, spec.variants, result) : undefined,
        watermark: true,
        locale,
        format: "png",
      });
      for (const file of files) {
        const name = `${locale}/${slug}_${file.part}.${file.contentType === "image/png" ? "png" : "jpg"}`;
        await writeFile(`${OUT}/${name}`, file.body);
        console.log(`${name} ${file.width}×${file.height}`);
      }
    }
  }
}
