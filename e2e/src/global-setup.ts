// Builds the GPU worker image (cpu target) once per run. The base image comes from
// scripts/docker/build-base-image.sh (pulled, or built offline), which is a no-op when present.
import { spawnSync } from "node:child_process";
import { ROOT } from "@s3/scripts/stack";
import { GPU_WORKER_IMAGE } from "./stack.ts";

function run(command: string, args: string[]): void {
  const result = spawnSync(command, args, { cwd: ROOT, stdio: ["ignore", "inherit", "inherit"] });
  if (result.status !== 0) throw new Error(`${command} ${args.join(" ")} failed (${result.status})`);
}

export default function setup(): void {
  const started = Date.now();
  run("bash", ["scripts/docker/build-base-image.sh"]);
  run("docker", ["build", "-q", "-f", "docker/gpu-worker.Dockerfile", "--target", "cpu", "-t", GPU_WORKER_IMAGE, "."]);
  process.stdout.write(`[e2e] ${GPU_WORKER_IMAGE} built in ${((Date.now() - started) / 1000).toFixed(1)} s\n`);
}
