// Output sets through the public API only (docs/sets.md): one job per template, every file of the
// manifest downloaded and decoded to its reported size, the ZIP's entries equal to the manifest, and
// one credit per photo whatever the template adds. Needs the GPU worker that renders sets.
import sharp from "sharp";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { PRESETS, TEMPLATE_SLUGS, type TemplateSlug } from "@s3/contract";
import { interiorScene, readZipListing, sellerScene, type Scene } from "@s3/contract/testing";
import { downloadSetZip, getPresigned, unwrap, waitForJob, type RuleConcepts } from "@s3/client";
import { getMe, newUser, submitJob } from "../src/api.ts";
import { GpuWorkerContainer, TestWorker } from "../src/stack.ts";

const worker = new TestWorker({ port: 8798, vars: { GPU_DISPATCH: "bridge", JOB_LEASE_SEC: "60" } });
let gpu: GpuWorkerContainer;

const RULES: Record<string, { concepts: RuleConcepts; protect: string[] }> = {
  interior: { concepts: { Floor: { action: "recolor", value: "oak_a" } }, protect: ["Grout"] },
  seller: { concepts: { Body: { action: "recolor", value: "navy_a" } }, protect: ["Logo"] },
};
const BOARD_VARIANTS = ["red_a", "sky_a", "mint_a"].map((color) => ({
  name: color,
  concepts: { Body: { action: "recolor" as const, value: color } },
}));
const PHOTOS = 2;

async function png(scene: Scene): Promise<Uint8Array> {
  const { width, height, data } = scene.image;
  return new Uint8Array(
    await sharp(data, { raw: { width, height, channels: 3 } })
      .png()
      .toBuffer(),
  );
}

const presetOf = (slug: TemplateSlug) =>
  PRESETS.find((preset) => preset.output_templates.some((template) => template.slug === slug))!.id;

beforeAll(async () => {
  await worker.start();
  gpu = await new GpuWorkerContainer(worker, 8892).start();
}, 180_000);

afterAll(async () => {
  await gpu?.stop().catch(() => {});
  await worker.dispose();
});

describe("a set per template through the whole stack", () => {
  it.each(TEMPLATE_SLUGS)("%s: every manifest file decodes to its size, the ZIP lists the manifest", async (slug) => {
    const preset = presetOf(slug);
    const { api } = await newUser(worker.url);
    const make = preset === "seller" ? sellerScene : interiorScene;
    const files = await Promise.all(Array.from({ length: PHOTOS }, (_, i) => png(make(320, 240, i + 1))));
    const jobId = await submitJob(api, preset, files, {
      ...RULES[preset]!,
      output_template: slug,
      variants: slug === "option_board" ? BOARD_VARIANTS : undefined,
    });
    const finished = await waitForJob(api, jobId, { timeoutMs: 120_000 });
    expect(finished.progress).toEqual({ done: PHOTOS, failed: 0, total: PHOTOS, needs_review: 0 });

    const manifest = await unwrap(api.GET("/jobs/{id}/set", { params: { path: { id: jobId } } }));
    expect(manifest.template).toBe(slug);
    const roles = new Set(manifest.files.map((file) => file.role));
    expect(roles.has("result") && roles.has("preview")).toBe(true);
    expect(manifest.files.some((file) => file.role !== "result" && file.role !== "preview")).toBe(true);
    for (const file of manifest.files) {
      const bytes = await getPresigned(file.url);
      const meta = await sharp(bytes).metadata();
      expect(meta.format).toBe(file.content_type === "image/png" ? "png" : "jpeg");
      if (file.width !== null) expect([meta.width, meta.height]).toEqual([file.width, file.height]);
      if (file.bytes !== null) expect(bytes.length).toBe(file.bytes);
    }

    const zip = await downloadSetZip(manifest);
    const { entries } = readZipListing(zip, zip.length);
    expect(entries.map((entry) => entry.name)).toEqual(manifest.files.map((file) => file.name));
    for (const [i, entry] of entries.entries()) {
      const reported = manifest.files[i]!.bytes;
      if (reported !== null) expect(entry.size).toBe(reported);
    }

    // One credit per photo: the set's extra images cost nothing.
    expect((await getMe(api)).credits).toBe(10 - PHOTOS);
  });
});
