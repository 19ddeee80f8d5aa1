import { DurableObject } from "cloudflare:workers";
import type { Env } from "../env";
export class JobCoordinator extends DurableObject<Env> {}
