// Output sets through the real app (docs/sets.md): the catalog's templates and styles, variants at
// execute, set files recorded with the done item, the manifest, and the ZIP by JWT or signed link.
import { env, SELF } from "cloudflare:test";
import { afterEach, describe, expect, it, vi } from "vitest";
import { PRESETS, storageKeys, type CallbackBodyInput, type SetFile, type SetManifest } from "@s3/contract";
import { signSetLink } from "../../src/lib/set-link";
import { readZipListing, storedData } from "@s3/contract/testing";
import {
  BASE,
  call,
  captureQueue,
  expectError,
  expectOk,
  FLOOR_OAK,
  newUser,
  ruleBody,
  uploadedJob,
  type TestUser,
} from "./helpers";

const readAll = async (stream: ReadableStream) => new Uint8Array(await new Response(stream).arrayBuffer());

afterEach(() => {
  vi.restoreAllMocks();
});

const execute = (user: TestUser, jobId: string, json: object) =>
  call("POST", `/jobs/${jobId}/execute`, { token: user.token, json });

const callback = (jobId: string, body: CallbackBodyInput) =>
  call("POST", `/jobs/${jobId}/callback`, { token: env.GPU_CALLBACK_SECRET, json: body });

const BODY_RED = { Body: { action: "recolor", value: "red_a" } } as const;
const BODY_SKY = { Body: { action: "recolor", value: "sky_a" } } as const;
const BODY_MINT = { Body: { action: "recolor", value: "mint_a" } } as const;

/** A set file as the GPU worker reports it, with bytes put in R2 under its key. */
async function setFile(
  ids: { user: string; job: string; idx: number },
  slug: string,
  file: Pick<SetFile, "role" | "part" | "variant">,
  bytes = 100 + ids.idx,
): Promise<SetFile> {
  const ext = file.role === "variant" ? "png" : "jpg";
  const key = storageKeys.set(ids.user, ids.job, ids.idx, slug, file.part, ext);
  await env.BUCKET.put(key, new Uint8Array(bytes).fill(ids.idx + 1));
  return {
    ...file,
    key,
    width: 1000,
    height: 800,
    bytes,
    content_type: ext === "png" ? "image/png" : "image/jpeg",
  };
}

async function doneWith(user: string, job: string, idx: number, files: SetFile[]): Promise<CallbackBodyInput> {
  const output_key = storageKeys.output(user, job, idx);
  const preview_key = storageKeys.preview(user, job, idx);
  await env.BUCKET.put(output_key, new Uint8Array(40 + idx).fill(9));
  await env.BUCKET.put(preview_key, new Uint8Array(20 + idx).fill(8));
  return { idx, status: "done", output_key, preview_key, files, idempotency_key: `${job}:${idx}:attempt1` };
}

describe("the catalog", () => {
  it("GET /presets/{id} publishes each template's slug and needs_variants, and the interior styles", async () => {
    const interior = expectOk(await call("GET", "/presets/interior"));
    expect(
      interior.output_templates.map(({ slug, needs_variants }: Record<string, unknown>) => [slug, needs_variants]),
    ).toEqual([
      ["three_options", false],
      ["before_after", false],
      ["share_card", false],
    ]);
    expect(interior.styles.map((style: { name: string }) => style.name)).toEqual(["modern", "natural", "hotel"]);
    expect(interior.styles[0].concepts.Wall).toEqual({ action: "recolor", value: "offwhite_a" });
    const seller = expectOk(await call("GET", "/presets/seller"));
    expect(
      seller.output_templates.find((template: { slug: string }) => template.slug === "option_board"),
    ).toMatchObject({ id: "옵션보드", needs_variants: true });
    expect(seller.styles).toEqual([]);
  });
});

describe("variants at execute", () => {
  const board = (variants: unknown, extra: object = {}) => ({
    concepts: BODY_RED,
    output_template: "option_board",
    variants,
    ...extra,
  });
  const three = [
    { name: "Red", concepts: BODY_RED },
    { name: "Sky", concepts: BODY_SKY },
    { name: "Mint", concepts: BODY_MINT },
  ];

  it.each([
    ["option_board without variants", { concepts: BODY_RED, output_template: "option_board" }],
    ["option_board with one variant", board(three.slice(0, 1))],
    ["option_board with nine variants", board(Array.from({ length: 9 }, (_, i) => ({ ...three[0], name: `v${i}` })))],
    ["variants for a template that takes none", { concepts: BODY_RED, output_template: "thumbnails", variants: three }],
    ["variants without a template", { concepts: BODY_RED, variants: three }],
    ["a repeated name", board([three[0], { ...three[1], name: "Red" }])],
    ["a name over 40 characters", board([three[0], { ...three[1], name: "x".repeat(41) }])],
    [
      "a variant value outside the palette",
      board([three[0], { name: "Oak", concepts: { Body: { action: "texture", value: "wood" } } }]),
    ],
    [
      "a variant concept of another preset",
      board([three[0], { name: "Wall", concepts: { Wall: { action: "tone", value: "warm" } } }]),
    ],
    [
      "a variant editing a protected concept",
      board([three[0], { name: "Logo", concepts: { Logo: { action: "tone", value: "warm" } } }], { protect: ["Logo"] }),
    ],
    ["an unknown template", { concepts: BODY_RED, output_template: "collage" }],
  ])("refuses %s with 400 VALIDATION_ERROR and leaves the job uploaded", async (_, json) => {
    const user = await newUser();
    const jobId = (await uploadedJob(user, 1, { preset: "seller" })).job_id;
    expectError(await execute(user, jobId, json), 400, "VALIDATION_ERROR");
    expect(expectOk(await call("GET", `/jobs/${jobId}`, { token: user.token })).status).toBe("uploaded");
  });

  it("stores option_board's variants and carries them in the queue message, the template named by slug", async () => {
    const sent = captureQueue();
    const user = await newUser();
    const jobId = (await uploadedJob(user, 2, { preset: "seller" })).job_id;
    expectOk(await execute(user, jobId, board(three, { protect: ["Logo"], concepts: BODY_MINT })));
    expect(sent).toHaveLength(1);
    // The main result is the first variant's: its concepts replace the inline ones.
    expect(sent[0]).toMatchObject({
      output_template: "옵션보드",
      variants: three,
      protect: ["Logo"],
      concepts: BODY_RED,
    });
  });

  it("three_options takes 2–3 variants, and none: the GPU worker then uses the preset's styles", async () => {
    const sent = captureQueue();
    const user = await newUser();
    const named = (await uploadedJob(user, 1, { preset: "interior" })).job_id;
    const variants = [
      { name: "Oak", concepts: FLOOR_OAK },
      { name: "Walnut", concepts: { Floor: { action: "recolor", value: "walnut_a" } } },
    ];
    expectOk(
      await execute(user, named, {
        concepts: { Wall: { action: "tone", value: "warm" } },
        output_template: "시안3안팩",
        variants,
      }),
    );
    // A free plan runs one job at a time.
    const second = await newUser();
    const styled = (await uploadedJob(second, 1, { preset: "interior" })).job_id;
    expectOk(await execute(second, styled, { concepts: FLOOR_OAK, output_template: "three_options" }));
    expect(sent.map((message) => [message.output_template, message.variants, message.concepts])).toEqual([
      ["시안3안팩", variants, FLOOR_OAK],
      ["시안3안팩", undefined, PRESETS[0]!.styles[0]!.concepts],
    ]);
  });
});

describe("set files at the callback", () => {
  it("refuses a file whose key is not this item's set key for the job's template, recording nothing", async () => {
    const user = await newUser();
    const jobId = (await uploadedJob(user, 1, { preset: "interior" })).job_id;
    expectOk(await execute(user, jobId, { concepts: FLOOR_OAK, output_template: "before_after" }));
    const ids = { user: user.user_id, job: jobId, idx: 0 };
    const other = await newUser();
    const cases: SetFile[] = [
      await setFile({ ...ids, user: other.user_id }, "before_after", {
        role: "before_after",
        part: "before_after",
        variant: null,
      }),
      await setFile(ids, "share_card", { role: "share_card", part: "share_card", variant: null }),
      await setFile({ ...ids, idx: 1 }, "before_after", { role: "before_after", part: "before_after", variant: null }),
      {
        ...(await setFile(ids, "before_after", { role: "before_after", part: "before_after", variant: null })),
        content_type: "image/png",
      },
    ];
    for (const file of cases) {
      expectError(await callback(jobId, await doneWith(user.user_id, jobId, 0, [file])), 400, "VALIDATION_ERROR");
    }
    expect(expectOk(await call("GET", `/jobs/${jobId}`, { token: user.token })).progress.done).toBe(0);
  });

  it("a job without a template refuses template files", async () => {
    const user = await newUser();
    const jobId = (await uploadedJob(user, 1, { preset: "interior" })).job_id;
    expectOk(await execute(user, jobId, { concepts: FLOOR_OAK }));
    const file = await setFile({ user: user.user_id, job: jobId, idx: 0 }, "before_after", {
      role: "before_after",
      part: "before_after",
      variant: null,
    });
    expectError(await callback(jobId, await doneWith(user.user_id, jobId, 0, [file])), 400, "VALIDATION_ERROR");
  });
});

type Manifest = SetManifest;

/** The day a ZIP's name ends with: the job ended moments ago, so today's (UTC) or, across midnight, yesterday's. */
function dayOf(response: Response): string {
  const day = /_(\d{4}-\d{2}-\d{2})\.zip"/.exec(response.headers.get("Content-Disposition") ?? "")?.[1] ?? "";
  const today = new Date();
  const yesterday = new Date(today.getTime() - 86_400_000);
  expect([today, yesterday].map((date) => date.toISOString().slice(0, 10))).toContain(day);
  return day;
}

describe("the set: manifest and ZIP", () => {
  /** The photos' file names: a folder to drop, and two that differ only in case and extension. */
  const NAMES = ["Living Room.jpg", "../kitchen.png", "living room.JPEG"];
  const STEMS: Record<number, string> = { 0: "Living-Room", 2: "living-room-2" };

  /** A 3-photo option_board job: idx 0 and 2 done with their files, idx 1 failed. */
  async function finishedBoard(user: TestUser) {
    const jobId = (await uploadedJob(user, 3, { preset: "seller", names: NAMES })).job_id;
    const variants = [
      { name: "Red", concepts: BODY_RED },
      { name: "Sky blue", concepts: BODY_SKY },
    ];
    expectOk(await execute(user, jobId, { concepts: BODY_RED, output_template: "옵션보드", variants }));
    const reported: Record<number, SetFile[]> = {};
    for (const idx of [0, 2]) {
      const ids = { user: user.user_id, job: jobId, idx };
      reported[idx] = [
        await setFile(ids, "option_board", { role: "variant", part: "red", variant: "Red" }),
        await setFile(ids, "option_board", { role: "variant", part: "sky_blue", variant: "Sky blue" }),
        await setFile(ids, "option_board", { role: "board", part: "board", variant: null }),
      ];
    }
    return { jobId, reported };
  }

  it("409 before the job ends, then the manifest lists results, previews and what the callbacks said", async () => {
    const user = await newUser();
    const { jobId, reported } = await finishedBoard(user);
    expectError(await call("GET", `/jobs/${jobId}/set`, { token: user.token }), 409, "INVALID_TRANSITION");
    const first = await doneWith(user.user_id, jobId, 0, reported[0]!);
    expectOk(await callback(jobId, first));
    // A redelivered report with other files changes nothing.
    const again = await doneWith(user.user_id, jobId, 0, reported[0]!.slice(0, 1));
    expect(expectOk(await callback(jobId, { ...again, idempotency_key: `${jobId}:0:attempt2` })).recorded).toBe(false);
    expectError(await call("GET", `/jobs/${jobId}/set.zip`, { token: user.token }), 409, "INVALID_TRANSITION");
    expectOk(
      await callback(jobId, {
        idx: 1,
        status: "failed",
        error: "no product",
        error_code: "SEGMENT_FAILED",
        idempotency_key: `${jobId}:1:attempt1`,
      }),
    );
    expectOk(await callback(jobId, await doneWith(user.user_id, jobId, 2, reported[2]!)));

    const manifest = expectOk(await call<Manifest>("GET", `/jobs/${jobId}/set`, { token: user.token }));
    expect(manifest.job_id).toBe(jobId);
    expect(manifest.template).toBe("option_board");
    expect(manifest.template_id).toBe("옵션보드");
    const expected = [0, 2].flatMap((idx) => [
      {
        idx,
        role: "result",
        part: null,
        variant: null,
        width: null,
        height: null,
        bytes: null,
        content_type: "image/png",
        name: `result/${STEMS[idx]}_result.png`,
      },
      {
        idx,
        role: "preview",
        part: null,
        variant: null,
        width: null,
        height: null,
        bytes: null,
        content_type: "image/jpeg",
        name: `preview/${STEMS[idx]}_preview.jpg`,
      },
      ...reported[idx]!.map(({ key, ...file }) => ({
        ...file,
        idx,
        part: file.role === "board" ? null : file.part,
        name: `${file.role}/${STEMS[idx]}_${file.part}.${key.slice(key.lastIndexOf(".") + 1)}`,
      })),
    ]);
    expect(manifest.files.map(({ url: _, ...file }) => file)).toEqual(expected);
    for (const file of manifest.files) {
      const url = new URL(file.url);
      expect(url.searchParams.get("X-Amz-Signature")).toMatch(/^[0-9a-f]{64}$/);
      expect(url.pathname).toContain(`/${jobId}/`);
    }
    expect(manifest.zip_url).toMatch(new RegExp(`^${env.PUBLIC_BASE_URL}/jobs/${jobId}/set\\.zip\\?expires=\\d+&sig=`));

    // The ZIP through the signed link, without a token: its listing is the manifest.
    const link = new URL(manifest.zip_url);
    const response = await SELF.fetch(`${BASE}${link.pathname}${link.search}`);
    expect(response.status).toBe(200);
    expect(response.headers.get("Content-Type")).toBe("application/zip");
    // Named after the template the job ran (no saved rule) and the day it ended, with an ASCII fallback.
    const day = dayOf(response);
    expect(response.headers.get("Content-Disposition")).toBe(
      `attachment; filename="s3-set_${day}.zip"; filename*=UTF-8''${encodeURIComponent(`옵션보드_${day}.zip`)}`,
    );
    const archive = await readAll(response.body!);
    const { entries } = readZipListing(archive, archive.length);
    expect(entries.map((entry) => entry.name)).toEqual(manifest.files.map((file) => file.name));
    expect(entries.every((entry) => entry.method === 0)).toBe(true);
    const board = entries.find((entry) => entry.name === "board/living-room-2_board.jpg")!;
    expect(storedData(archive, board)).toEqual(new Uint8Array(102).fill(3));
    expect(entries.find((entry) => entry.name === "result/Living-Room_result.png")!.size).toBe(40);

    // And by JWT.
    const byToken = await SELF.fetch(`${BASE}/jobs/${jobId}/set.zip`, {
      headers: { Authorization: `Bearer ${user.token}` },
    });
    expect(byToken.status).toBe(200);
    const viaToken = await readAll(byToken.body!);
    expect(readZipListing(viaToken, viaToken.length).entries.map((entry) => entry.name)).toEqual(
      entries.map((entry) => entry.name),
    );
  });

  it("a result and preview reported with their sizes are listed with them, not twice", async () => {
    const user = await newUser();
    const { jobId, reported } = await finishedBoard(user);
    for (const idx of [0, 1, 2]) {
      const own = [
        {
          role: "result" as const,
          part: "result",
          variant: null,
          key: storageKeys.output(user.user_id, jobId, idx),
          width: 640,
          height: 480,
          bytes: 40 + idx,
          content_type: "image/png" as const,
        },
        {
          role: "preview" as const,
          part: "preview",
          variant: null,
          key: storageKeys.preview(user.user_id, jobId, idx),
          width: 512,
          height: 384,
          bytes: 20 + idx,
          content_type: "image/jpeg" as const,
        },
      ];
      expectOk(await callback(jobId, await doneWith(user.user_id, jobId, idx, [...own, ...(reported[idx] ?? [])])));
    }
    const manifest = expectOk(await call<Manifest>("GET", `/jobs/${jobId}/set`, { token: user.token }));
    const ownFiles = manifest.files.filter((file) => file.role === "result" || file.role === "preview");
    expect(
      ownFiles.map(({ idx, role, part, width, height, bytes }) => [idx, role, part, width, height, bytes]),
    ).toEqual(
      [0, 1, 2].flatMap((idx) => [
        [idx, "result", null, 640, 480, 40 + idx],
        [idx, "preview", null, 512, 384, 20 + idx],
      ]),
    );
    expect(manifest.files).toHaveLength(3 * 2 + 2 * 3);
  });

  it("another user's job is 404 for the manifest and the ZIP; no token and no link is 401", async () => {
    const owner = await newUser();
    const other = await newUser();
    const jobId = (await uploadedJob(owner, 1, { preset: "interior" })).job_id;
    expectOk(await execute(owner, jobId, { concepts: FLOOR_OAK }));
    expectOk(await callback(jobId, await doneWith(owner.user_id, jobId, 0, [])));
    expectError(await call("GET", `/jobs/${jobId}/set`, { token: other.token }), 404, "JOB_NOT_FOUND");
    expectError(await call("GET", `/jobs/${jobId}/set.zip`, { token: other.token }), 404, "JOB_NOT_FOUND");
    expectError(await call("GET", `/jobs/${jobId}/set.zip`), 401, "AUTH_REQUIRED");
    const manifest = expectOk(await call<Manifest>("GET", `/jobs/${jobId}/set`, { token: owner.token }));
    expect(manifest.template).toBeNull();
    expect(manifest.template_id).toBeNull();
    // No file names given: each photo is named by its position.
    expect(manifest.files.map((file) => file.name)).toEqual([
      "result/photo-1_result.png",
      "preview/photo-1_preview.jpg",
    ]);
  });

  it("a job run with a saved rule downloads as the rule's name and the day it ended", async () => {
    const owner = await newUser();
    const rule = expectOk(
      await call("POST", "/rules", { token: owner.token, json: ruleBody({ name: "Oak floor / 거실" }) }),
    );
    const jobId = (await uploadedJob(owner, 1, { preset: "interior", names: ["거실.jpg"] })).job_id;
    expectOk(await execute(owner, jobId, { rule_id: rule.id }));
    expectOk(await callback(jobId, await doneWith(owner.user_id, jobId, 0, [])));
    const zip = await SELF.fetch(`${BASE}/jobs/${jobId}/set.zip`, {
      headers: { Authorization: `Bearer ${owner.token}` },
    });
    const day = dayOf(zip);
    expect(zip.headers.get("Content-Disposition")).toBe(
      `attachment; filename="Oak-floor_${day}.zip"; filename*=UTF-8''${encodeURIComponent(`Oak-floor-거실_${day}.zip`)}`,
    );
    const archive = await readAll(zip.body!);
    const listing = readZipListing(archive, archive.length).entries;
    // Bit 11: the names are UTF-8, so an unzip tool shows 거실, not mojibake.
    expect(listing.every((entry) => (entry.flags & 0x800) !== 0)).toBe(true);
    expect(listing.map((entry) => entry.name)).toEqual(["result/거실_result.png", "preview/거실_preview.jpg"]);
  });

  it("POST /jobs refuses names that are not one per photo with VALIDATION_ERROR", async () => {
    const user = await newUser();
    const body = { preset: "interior", item_count: 2 };
    for (const names of [["a.jpg"], ["a.jpg", ""], ["a.jpg", "x".repeat(256)]])
      expectError(
        await call("POST", "/jobs", { token: user.token, json: { ...body, names } }),
        400,
        "VALIDATION_ERROR",
      );
  });

  it("once the job's objects are deleted the set is empty and says when", async () => {
    const owner = await newUser();
    const jobId = (await uploadedJob(owner, 1, { preset: "interior" })).job_id;
    expectOk(await execute(owner, jobId, { concepts: FLOOR_OAK }));
    expectOk(await callback(jobId, await doneWith(owner.user_id, jobId, 0, [])));
    expectOk(await call("DELETE", `/jobs/${jobId}`, { token: owner.token }));
    const manifest = expectOk(await call<Manifest>("GET", `/jobs/${jobId}/set`, { token: owner.token }));
    expect({ files: manifest.files, deleted: typeof (manifest as { deleted_at?: string }).deleted_at }).toEqual({
      files: [],
      deleted: "string",
    });
    const zip = await SELF.fetch(`${BASE}/jobs/${jobId}/set.zip`, {
      headers: { Authorization: `Bearer ${owner.token}` },
    });
    const archive = await readAll(zip.body!);
    expect(readZipListing(archive, archive.length).entries).toEqual([]);
  });

  it("refuses a tampered link with TOKEN_INVALID and an expired one with TOKEN_EXPIRED", async () => {
    const owner = await newUser();
    const other = await newUser();
    const jobId = (await uploadedJob(owner, 1, { preset: "interior" })).job_id;
    expectOk(await execute(owner, jobId, { concepts: FLOOR_OAK }));
    expectOk(await callback(jobId, await doneWith(owner.user_id, jobId, 0, [])));
    const { zip_url } = expectOk(await call<Manifest>("GET", `/jobs/${jobId}/set`, { token: owner.token }));
    const link = new URL(zip_url);
    const zipAt = (query: string) => call("GET", `/jobs/${jobId}/set.zip?${query}`);

    const sig = link.searchParams.get("sig")!;
    const expires = Number(link.searchParams.get("expires"));
    const flipped = (sig[0] === "A" ? "B" : "A") + sig.slice(1);
    expectError(await zipAt(`expires=${expires}&sig=${flipped}`), 401, "TOKEN_INVALID");
    expectError(await zipAt(`expires=${expires + 3600}&sig=${sig}`), 401, "TOKEN_INVALID");
    expectError(await zipAt(`expires=${expires}`), 401, "AUTH_REQUIRED");
    expectError(await zipAt(`expires=${expires}&sig=`), 401, "TOKEN_INVALID");
    // Signed for another job, it opens nothing here.
    const otherJobId = (await uploadedJob(other, 1, { preset: "interior" })).job_id;
    const forOther = await signSetLink(env.JWT_SECRET, otherJobId, 600);
    expectError(await zipAt(forOther), 401, "TOKEN_INVALID");
    const longAgo = Math.floor(Date.now() / 1000) - 3600;
    expectError(await zipAt(await signSetLink(env.JWT_SECRET, jobId, 60, longAgo)), 401, "TOKEN_EXPIRED");
    const response = await SELF.fetch(`${BASE}${link.pathname}${link.search}`);
    expect(response.status).toBe(200);
    await response.body?.cancel();
  });
});

describe("the OpenAPI document", () => {
  it("has both set routes, execute's variants and the preset's styles and template slugs", async () => {
    const document = (await (await SELF.fetch(`${BASE}/openapi.json`)).json()) as {
      paths: Record<string, Record<string, unknown>>;
      components: { schemas: Record<string, { properties: Record<string, unknown> }> };
    };
    expect(Object.keys(document.paths["/jobs/{id}/set"] ?? {})).toEqual(["get"]);
    expect(Object.keys(document.paths["/jobs/{id}/set.zip"] ?? {})).toEqual(["get"]);
    const { schemas } = document.components;
    expect(Object.keys(schemas.SetManifest!.properties)).toEqual([
      "job_id",
      "template",
      "template_id",
      "files",
      "items",
      "deleted_at",
      "zip_url",
    ]);
    expect(schemas.ExecuteJob!.properties).toHaveProperty("variants");
    expect(schemas.Preset!.properties).toHaveProperty("styles");
    expect(JSON.stringify(schemas.Preset!.properties.output_templates)).toContain("needs_variants");
  });
});
