// A finished job's set as one list (docs/sets.md): per done item its result and preview, then the
// template files its callback reported. The manifest and the ZIP both read this list.
import { setFileContentType, type SetFile, type SetManifestFile } from "@s3/contract";
import type { ItemSetFile, JobView } from "../rpc";
import { entryName, photoStems } from "./set-names";

/** A manifest file before presigning, with the key its URL and ZIP entry read. */
export type SetEntry = Omit<SetManifestFile, "url"> & { key: string };

/** Every file of the set, in idx order, named after its photo; failed and unfinished items have none. */
export function setEntries(
  job: Pick<JobView, "items"> & Partial<Pick<JobView, "output_format">>,
  files: readonly ItemSetFile[],
  names: readonly (string | undefined)[] = [],
): SetEntry[] {
  const stems = photoStems(names, Math.max(0, ...job.items.map((item) => item.idx + 1)));
  const entry = (file: Omit<SetEntry, "name">): SetEntry => ({
    ...file,
    name: entryName(stems[file.idx]!, file.role, file.part, file.key),
  });
  const byIdx = new Map<number, ItemSetFile[]>();
  for (const file of files) byIdx.set(file.idx, [...(byIdx.get(file.idx) ?? []), file]);
  return job.items
    .filter((item) => item.status === "done")
    .flatMap((item) => {
      const reported = byIdx.get(item.idx) ?? [];
      const own = (role: "result" | "preview", key: string, content_type: SetFile["content_type"]): SetEntry => {
        const sized = reported.find((file) => file.role === role);
        const size = sized
          ? { width: sized.width, height: sized.height, bytes: sized.bytes }
          : { width: null, height: null, bytes: null };
        return entry({ idx: item.idx, role, part: null, variant: null, ...size, content_type, key });
      };
      return [
        own("result", item.output_key, setFileContentType("result", job.output_format)),
        own("preview", item.preview_key, "image/jpeg"),
        ...reported
          .filter((file) => file.role !== "result" && file.role !== "preview")
          .map((file) =>
            entry({
              idx: item.idx,
              role: file.role,
              part: file.part === file.role ? null : file.part,
              variant: file.variant,
              width: file.width,
              height: file.height,
              bytes: file.bytes,
              content_type: file.content_type,
              key: file.key,
            }),
          ),
      ];
    });
}
