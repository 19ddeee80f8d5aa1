// The finished job's set (docs/sets.md): its files grouped by role, each opening in the viewer, and
// the ZIP of all of them, named after the rule and the day.
import type { Job, SetManifest, SetManifestFile, SetRole } from "@s3/contract";
import { api, isMissingRoute } from "./api";
import { byId, clear, h } from "./dom";
import { t } from "./i18n";
import { templateName } from "./names";
import { state } from "./state";
import { openViewer, type ViewerEntry } from "./viewer";

/** The set's groups, template images first (docs/sets.md lists each template's files). */
const ROLES: SetRole[] = [
  "before_after",
  "share_card",
  "options",
  "board",
  "variant",
  "pack",
  "thumbnail",
  "result",
  "preview",
];

/** The ZIP's file name: the rule's name (or the template's) and the day, as a person files it. */
function zipName(set: SetManifest): string {
  const rule = document.querySelector<HTMLInputElement>("#rule-name")?.value.trim();
  const base = rule || templateName(set.template)?.text || "s3-set";
  const day = new Date().toISOString().slice(0, 10);
  return `${base.replace(/[^\p{L}\p{N}]+/gu, "-").replace(/^-|-$/g, "")}_${day}.zip`;
}

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
  zip.download = zipName(set);
  zip.hidden = false;
  const name = templateName(set.template);
  byId("set-template").textContent = name
    ? t("set_template", { name: name.text, n: set.files.length })
    : t("set_no_template", { n: set.files.length });
  // The viewer walks the images in the order the page shows them: by role, then as listed.
  const images = ROLES.flatMap((role) =>
    set.files.filter((file) => file.role === role && file.content_type.startsWith("image/")),
  );
  const entries: ViewerEntry[] = images.map((file) => ({ title: describeFile(file), src: file.url, before: null }));
  const byRole = Map.groupBy(set.files, (file) => file.role);
  for (const role of ROLES) {
    const group = byRole.get(role);
    if (!group) continue;
    const headingId = `set-${role}`;
    files.append(
      h("h3", { id: headingId }, t(`role_${role}`, { n: group.length })),
      h(
        "ul",
        { class: "set-files", "aria-labelledby": headingId, "data-role": role },
        ...group.map((file) => {
          const index = images.indexOf(file);
          const open = h(
            "button",
            { type: "button", class: "set-file" },
            index >= 0
              ? h("img", { src: file.url, alt: "", loading: "lazy", width: file.width, height: file.height })
              : null,
            h("span", {}, describeFile(file)),
          );
          open.addEventListener("click", () =>
            index >= 0 ? openViewer(entries, index) : window.open(file.url, "_blank"),
          );
          return h("li", {}, open);
        }),
      ),
    );
  }
}
export function describeFile(file: SetManifestFile): string {
  const photo = state.photos[file.idx];
  const name = file.variant ?? (file.part && file.part !== file.role ? file.part : null);
  return (
    `${photo?.name ?? t("photo_n", { n: file.idx + 1 })}${name ? ` · ${name}` : ""}` +
    (file.width !== null && file.height !== null ? ` · ${file.width}×${file.height}` : "") +
    (file.bytes !== null ? ` · ${Math.max(1, Math.round(file.bytes / 1024))} KiB` : "")
  );
}
/** An API that does not list sets: the results and previews GET /jobs/{id} gives, as links. */
export function showResults(job: Job): void {
  byId("zip").hidden = true;
  byId("set-template").textContent = t("no_sets");
  byId("set-files").append(
    h(
      "ul",
      { class: "set-files" },
      ...job.outputs_ready.map((output) =>
        h(
          "li",
          {},
          h("a", { href: output.result_url, target: "_blank" }, t("photo_result", { n: output.idx + 1 })),
          " · ",
          h("a", { href: output.preview_url, target: "_blank" }, t("preview")),
        ),
      ),
    ),
  );
}
