// Saved rules (docs/architecture.md, Endpoints): D1 rows, with the slot count held by the UserLimiter.
// One endpoint per file; this router mounts them in the order the OpenAPI document lists them.
import { newRouter } from "../../lib/openapi";
import { createRule } from "./create";
import { deleteRule } from "./delete";
import { getRule } from "./get";
import { listRules } from "./list";
import { updateRule } from "./update";

export const rulesRouter = newRouter()
  .route("/", createRule)
  .route("/", listRules)
  .route("/", getRule)
  .route("/", updateRule)
  .route("/", deleteRule);
