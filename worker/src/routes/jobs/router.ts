// Jobs (docs/architecture.md, Endpoints): create with presigned uploads (or a re-run), confirm, scan, execute,
// read, cancel, retry,
// the output set, delete, list, live events and the GPU worker's callback. The JobCoordinator owns the
// state machine; each endpoint, one per file, validates, calls it and responds. This router mounts them
// in the order the OpenAPI document lists them.
import { newRouter } from "../../lib/openapi";
import { jobCallback } from "./callback";
import { cancelJob } from "./cancel";
import { confirmUpload } from "./confirm-upload";
import { createJob } from "./create";
import { deleteJob } from "./delete";
import { jobEvents } from "./events";
import { executeJob } from "./execute";
import { getJob } from "./get";
import { jobList } from "./list";
import { getSet } from "./set";
import { retryJob } from "./retry";
import { scanJob } from "./scan";
import { getSetZip } from "./set-zip";
import { jobWebhooks } from "./webhooks";

export const jobsRouter = newRouter()
  .route("/", createJob)
  .route("/", confirmUpload)
  .route("/", scanJob)
  .route("/", executeJob)
  .route("/", getJob)
  .route("/", cancelJob)
  .route("/", getSet)
  .route("/", getSetZip)
  .route("/", retryJob)
  .route("/", deleteJob)
  .route("/", jobList)
  .route("/", jobEvents)
  .route("/", jobWebhooks)
  .route("/", jobCallback);
