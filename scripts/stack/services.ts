// Child processes of the stack: each in its own process group, its output prefixed with its
// name, stopped as a group (wrangler spawns workerd).
import { spawn, type ChildProcess } from "node:child_process";

export interface Service {
  name: string;
  child: ChildProcess;
  /** Resolves with the exit code once the process has ended. */
  exited: Promise<number | null>;
  stop(): Promise<void>;
}

/** Every service started and not yet stopped, so Ctrl-C can stop them even mid-start. */
export const running = new Set<Service>();

export async function stopAll(): Promise<void> {
  await Promise.all([...running].map((service) => service.stop()));
}

export function log(name: string, line: string): void {
  process.stdout.write(`[${name}] ${line}\n`);
}

/** Starts a process in its own process group, its output prefixed with its name. */
export function startService(
  name: string,
  command: string,
  args: string[],
  options: { cwd: string; env?: NodeJS.ProcessEnv; quiet?: boolean; hide?: RegExp },
): Service {
  const child = spawn(command, args, {
    cwd: options.cwd,
    env: options.env ?? process.env,
    stdio: ["ignore", "pipe", "pipe"],
    detached: true,
  });
  for (const stream of [child.stdout, child.stderr]) {
    let pending = "";
    stream?.on("data", (chunk: Buffer) => {
      if (options.quiet) return;
      pending += chunk.toString();
      const lines = pending.split("\n");
      pending = lines.pop() ?? "";
      for (const line of lines) if (line.trim() && !options.hide?.test(line)) log(name, line);
    });
  }
  const exited = new Promise<number | null>((resolve) => child.on("exit", (code) => resolve(code)));
  const service: Service = {
    name,
    child,
    exited,
    async stop() {
      if (child.exitCode !== null || child.pid === undefined) return;
      // wrangler spawns workerd: signal the whole group, then insist if it lingers.
      try {
        process.kill(-child.pid, "SIGTERM");
      } catch {
        return;
      }
      const timer = setTimeout(() => {
        try {
          process.kill(-child.pid!, "SIGKILL");
        } catch {
          // already gone
        }
      }, 5_000);
      await exited;
      clearTimeout(timer);
    },
  };
  running.add(service);
  void exited.then(() => running.delete(service));
  return service;
}
