// A one-line progress bar on a terminal; on anything else (a log, a pipe) one line per change.
export interface ProgressLine {
  update(label: string, done: number, total: number, suffix?: string): void;
  finish(): void;
}

const WIDTH = 30;

export function progressLine(stream: NodeJS.WriteStream = process.stdout): ProgressLine {
  let last = "";
  let open = false;
  return {
    update(label, done, total, suffix = "") {
      const filled = Math.min(WIDTH, Math.round((done / Math.max(1, total)) * WIDTH));
      const line = `${label.padEnd(9)} [${"#".repeat(filled)}${".".repeat(WIDTH - filled)}] ${suffix}`.trimEnd();
      if (line === last) return;
      last = line;
      if (stream.isTTY) {
        stream.write(`\r${line}\x1b[K`);
        open = true;
      } else {
        stream.write(`${line}\n`);
      }
    },
    finish() {
      if (open) stream.write("\n");
      open = false;
      last = "";
    },
  };
}

export function formatBytes(bytes: number): string {
  if (bytes < 1024) return `${bytes} B`;
  if (bytes < 1024 * 1024) return `${(bytes / 1024).toFixed(0)} KiB`;
  return `${(bytes / 1024 / 1024).toFixed(1)} MiB`;
}
