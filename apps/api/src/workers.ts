import type { AppDeps } from "./context.js";
import { maintenanceJob, runMaintenance } from "./jobs/maintenance.js";

/** Registers every background job handler on this process's queue. */
export async function registerWorkers(deps: AppDeps): Promise<void> {
  const jobs = deps.jobs;
  if (!jobs) return;
  await jobs.work(maintenanceJob, (payload) => runMaintenance(deps, payload));
}
