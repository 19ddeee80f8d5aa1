// The keys a done item's set files may have (docs/sets.md): exactly those storageKeys builds for the
// job's template, so a callback can never point the manifest or the ZIP at another object.
import {
  findPreset,
  findTemplate,
  setFileContentType,
  setFileKey,
  storageKeys,
  type OutputFormat,
  type OutputTemplate,
  type SetFile,
} from "@s3/contract";

/** The job's template, or null for a job without one (or a template the preset no longer has). */
export function setTemplateOf(presetId: string, outputTemplate: string | null): OutputTemplate | null {
  const preset = outputTemplate === null ? undefined : findPreset(presetId);
  return (preset && findTemplate(preset, outputTemplate!)) ?? null;
}

/**
 * Why `files` cannot be this item's set, or null when each is. Results and previews may be listed
 * under their own item keys; every other file needs the job's template and its exact set key.
 */
export function foreignSetFile(
  files: readonly SetFile[],
  ids: { user: string; job: string; idx: number },
  template: OutputTemplate | null,
  format: OutputFormat,
): string | null {
  const seen = new Set<string>();
  for (const file of files) {
    if (seen.has(file.key)) return `files: "${file.key}" is listed twice`;
    seen.add(file.key);
    let own: string;
    if (file.role === "result") own = storageKeys.output(ids.user, ids.job, ids.idx, format);
    else if (file.role === "preview") own = storageKeys.preview(ids.user, ids.job, ids.idx);
    else if (template === null) return "files: the job has no output template";
    else own = setFileKey(ids, template.slug, file.role, file.part, format);
    if (file.key !== own) return `files: "${file.key}" is not this item's own key (expected "${own}")`;
    const contentType = setFileContentType(file.role, format);
    if (file.content_type !== contentType) return `files: "${file.key}" must be ${contentType}`;
  }
  return null;
}
