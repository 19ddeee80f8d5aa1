// Jobs (docs/architecture.md, Endpoints): create with presigned uploads, confirm, execute, read, cancel,
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
import { getSetZip } from "./set-zip";

export const jobsRouter = newRouter()
  .route("/", createJob)
  .route("/", confirmUpload)
  .route("/", executeJob)
  .route("/", getJob)
  .route("/", cancelJob)
  .route("/", getSet)
  .route("/", getSetZip)
  .route("/", deleteJob)
  .route("/", jobList)
  .route("/", jobEvents)
  .route("/", jobCallback);
