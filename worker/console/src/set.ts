// The finished job's set (docs/sets.md): its files grouped by role, and the ZIP of all of them.
import type { Job, SetManifest, SetManifestFile, SetRole } from "@s3/contract";
import { api, isMissingRoute } from "./api";
import { byId, clear, h } from "./dom";
import { state } from "./state";

/** The set's groups, template images first (docs/sets.md lists each template's files). */
const ROLE_HEADINGS: Record<SetRole, string> = {
  before_after: "Before / after",
  share_card: "Share cards",
  options: "Option sheets",
  board: "Option boards",
  variant: "Variants",
  pack: "Product pack",
  thumbnail: "Thumbnails",
  result: "Results",
  preview: "Previews",
};

export async function showSet(jobId: string, job: Job): Promise<void> {
  const section = byId("set-section");
  const files = byId("set-files");
  const zip = byId<HTMLAnchorElement>("zip");
  section.hidden = false;
  clear(files);
  let set: SetManifest;
  try {
    set = await api<SetManifest>("GET", `/jobs/${jobId}/set`);
  } catch (error) {
    if (!isMissingRoute(error)) throw error;
    return showResults(job);
  }
  // A plain link: zip_url is signed and expiring, so the browser downloads it without the JWT (docs/sets.md).
  zip.href = set.zip_url;
  zip.download = `${jobId}.zip`;
  zip.hidden = false;
  const template = state.preset?.output_templates.find((t) => t.id === set.template || t.slug === set.template);
  byId("set-template").textContent = set.template
    ? `Template: ${template?.name ?? set.template} · ${set.files.length} files`
    : `No template: each photo's result and preview · ${set.files.length} files`;
  const byRole = Map.groupBy(set.files, (file) => file.role);
  for (const role of Object.keys(ROLE_HEADINGS) as SetRole[]) {
    const group = byRole.get(role);
    if (!group) continue;
    const headingId = `set-${role}`;
    files.append(
      h("h3", { id: headingId }, `${ROLE_HEADINGS[role]} (${group.length})`),
      h(
        "ul",
        { class: "set-files", "aria-labelledby": headingId, "data-role": role },
        ...group.map((file) =>
          h(
            "li",
            {},
            h(
              "a",
              { href: file.url, download: "" },
              file.content_type.startsWith("image/")
                ? h("img", { src: file.url, alt: "", loading: "lazy", width: file.width, height: file.height })
                : null,
              h("span", {}, describeFile(file)),
            ),
          ),
        ),
      ),
    );
  }
}
export function describeFile(file: SetManifestFile): string {
  const name = file.variant ?? (file.part && file.part !== file.role ? file.part : null);
  return (
    `Photo ${file.idx + 1}${name ? ` · ${name}` : ""}` +
    (file.width !== null && file.height !== null ? ` · ${file.width}×${file.height}` : "") +
    (file.bytes !== null ? ` · ${Math.max(1, Math.round(file.bytes / 1024))} KiB` : "")
  );
}
/** An API that does not list sets: the results and previews GET /jobs/{id} gives, as links. */
export function showResults(job: Job): void {
  byId("zip").hidden = true;
  byId("set-template").textContent = "This API does not list sets; here are the results.";
  byId("set-files").append(
    h(
      "ul",
      { class: "set-files" },
      ...job.outputs_ready.map((output) =>
        h(
          "li",
          {},
          h("a", { href: output.result_url }, `Photo ${output.idx + 1} result`),
          " · ",
          h("a", { href: output.preview_url }, "preview"),
        ),
      ),
    ),
  );
}
