// Waiting for a service's GET /health.
import { API_URL } from "./paths";
import type { Service } from "./services";

export async function isApiUp(url = API_URL): Promise<boolean> {
  try {
    const response = await fetch(`${url}/health`, { signal: AbortSignal.timeout(2_000) });
    return response.status === 200;
  } catch {
    return false;
  }
}

export async function waitForHealth(service: Service, url = API_URL, timeoutMs = 120_000): Promise<void> {
  if (url.endsWith("/health")) url = url.slice(0, -"/health".length);
  const deadline = Date.now() + timeoutMs;
  let exited = false;
  void service.exited.then(() => (exited = true));
  while (Date.now() < deadline) {
    if (exited) throw new Error(`${service.name} exited before ${url}/health answered`);
    if (await isApiUp(url)) return;
    await new Promise((resolve) => setTimeout(resolve, 300));
  }
  throw new Error(`${url}/health did not answer within ${timeoutMs / 1000} s`);
}
