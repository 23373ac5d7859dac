import type { AppDeps } from "./context.js";
import { maintenanceJob, runMaintenance } from "./jobs/maintenance.js";
import { notifyReviewJob, sendReviewNotification } from "./jobs/notify.js";
import { reconcileOrder, reconcileOrderJob } from "./jobs/payments.js";

/** Registers every background job handler on this process's queue. */
export async function registerWorkers(deps: AppDeps): Promise<void> {
  const jobs = deps.jobs;
  if (!jobs) return;
  const concurrency = deps.config.env.WORKER_CONCURRENCY;
  await jobs.work(maintenanceJob, (payload) => runMaintenance(deps, payload));
  await jobs.work(notifyReviewJob, (payload, ctx) => sendReviewNotification(deps, payload, ctx), { concurrency });
  await jobs.work(reconcileOrderJob, (payload) => reconcileOrder(deps, payload), { concurrency });
}
