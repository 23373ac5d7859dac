import type { AppDeps } from "./context.js";
import { maintenanceJob, runMaintenance } from "./jobs/maintenance.js";
import { notifyResendJob, notifyReviewJob, resendFailedNotifications, sendReviewNotification } from "./jobs/notify.js";
import { reconcileOrder, reconcileOrderJob, reconcileRefund, reconcileRefundJob } from "./jobs/payments.js";
import { admissionImportJob, exportBuildJob, rosterApplyJob } from "./jobs/staff-tasks.js";
import { applyRosterImport } from "./services/admin/roster-import.js";
import { runAdmissionImport } from "./services/admin/admission-import.js";
import { runExport } from "./services/admin/export-service.js";
import { purgeDueCampaigns } from "./services/admin/retention.js";
import { retentionPurgeJob } from "./jobs/maintenance.js";

/** Registers every background job handler on this process's queue, and the periodic sweeps. */
export async function registerWorkers(deps: AppDeps, opts: { resendEverySeconds?: number } = {}): Promise<void> {
  const jobs = deps.jobs;
  if (!jobs) return;
  const concurrency = deps.config.env.WORKER_CONCURRENCY;
  await jobs.work(maintenanceJob, (payload) => runMaintenance(deps, payload));
  await jobs.work(notifyReviewJob, (payload, ctx) => sendReviewNotification(deps, payload, ctx), { concurrency });
  await jobs.work(reconcileOrderJob, (payload) => reconcileOrder(deps, payload), { concurrency });
  await jobs.work(reconcileRefundJob, (payload) => reconcileRefund(deps, payload), { concurrency });
  await jobs.work(notifyResendJob, async () => {
    await resendFailedNotifications(deps);
  });
  // One sweep per interval across all processes: the time bucket is the job's singleton key.
  const everyAcrossProcesses = (ms: number, send: (bucket: string) => Array<Promise<unknown>>) => {
    const tick = setInterval(() => {
      for (const sent of send(String(Math.floor(Date.now() / ms)))) void sent.catch(() => undefined);
    }, ms);
    tick.unref();
  };
  everyAcrossProcesses((opts.resendEverySeconds ?? 60) * 1000, (bucket) => [jobs.send(notifyResendJob, { bucket }, { singletonKey: bucket })]);
  // Retention: once a day across all processes (hourly tick, the day is the singleton key).
  await jobs.work(retentionPurgeJob, async () => {
    await purgeDueCampaigns(deps);
  });
  const daily = setInterval(() => {
    const day = new Date().toISOString().slice(0, 10);
    void jobs.send(retentionPurgeJob, { day }, { singletonKey: day }).catch(() => undefined);
  }, 3600_000);
  daily.unref();
  // Staff tasks whose worker died, expired sessions and expired export archives: every 10 minutes.
  everyAcrossProcesses(600_000, (bucket) => [
    jobs.send(maintenanceJob, { task: "fail-stale-tasks", bucket }, { singletonKey: `stale:${bucket}` }),
    jobs.send(maintenanceJob, { task: "expire-sessions", bucket }, { singletonKey: `sessions:${bucket}` }),
    jobs.send(maintenanceJob, { task: "purge-expired-exports", bucket }, { singletonKey: `exports:${bucket}` }),
  ]);
  // Staff background work: one at a time per process (each is heavy and reports its own progress).
  await jobs.work(rosterApplyJob, (p, ctx) => applyRosterImport(deps, p.importId, { lastAttempt: ctx.attempt > (rosterApplyJob.retryLimit ?? 0) }));
  await jobs.work(admissionImportJob, (p, ctx) => runAdmissionImport(deps, p.importId, { lastAttempt: ctx.attempt > (admissionImportJob.retryLimit ?? 0) }));
  await jobs.work(exportBuildJob, (p, ctx) => runExport(deps, p.exportId, { lastAttempt: ctx.attempt > (exportBuildJob.retryLimit ?? 0) }));
}
