import { DurableObject } from "cloudflare:workers";
export class UserLimiter extends DurableObject {}
export class JobCoordinator extends DurableObject {}
export default { fetch: () => new Response("ok") };
