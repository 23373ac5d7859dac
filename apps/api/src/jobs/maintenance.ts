import { z } from "zod";
import { defineJob } from "@gradphoto/jobs";
import type { AppDeps } from "../context.js";

/**
 * Housekeeping: expired sessions are deleted; staff tasks whose worker died are failed; expired export
 * archives are deleted. Idempotent.
 */
export const maintenanceJob = defineJob({
  name: "maintenance",
  schema: z.object({ task: z.enum(["expire-sessions", "fail-stale-tasks", "purge-expired-exports"]), bucket: z.string().max(32).optional() }),
  retryLimit: 3,
});

/**
 * A running import or export reports progress at least every few seconds, and a retry of a crashed one
 * starts within a minute. One silent for this long lost its worker for good (killed on its last attempt,
 * out of memory, or the job expired in the queue): staff would otherwise watch its progress forever.
 */
export const STALE_TASK_MS = 30 * 60_000;
const STALE_MESSAGE = "任务中断（处理进程已退出），请重新发起";

export async function failStaleTasks(deps: AppDeps, now = new Date()): Promise<{ imports: number; exports: number }> {
  const before = new Date(now.getTime() - STALE_TASK_MS);
  const imports = await deps.db.rosterImport.findMany({ where: { status: "RUNNING", updatedAt: { lt: before } }, select: { id: true, report: true } });
  for (const imp of imports) {
    // only if it is still silent: a worker that just came back keeps it
    await deps.db.rosterImport.updateMany({ where: { id: imp.id, status: "RUNNING", updatedAt: { lt: before } }, data: { status: "FAILED", report: { ...((imp.report ?? {}) as object), error: STALE_MESSAGE } } });
  }
  const exports = await deps.db.exportJob.updateMany({ where: { status: "RUNNING", updatedAt: { lt: before } }, data: { status: "FAILED", error: STALE_MESSAGE } });
  return { imports: imports.length, exports: exports.count };
}

/**
 * Deletes the archives of exports past their expiry (EXPORT_RETENTION_HOURS): each holds every approved
 * graduate's photo and name, so it must not wait for someone to open that campaign's export list.
 * `campaignId`: only that campaign's (the list does this too before it answers).
 */
export async function purgeExpiredExports(deps: AppDeps, campaignId?: string, now = new Date()): Promise<number> {
  const expired = await deps.db.exportJob.findMany({ where: { ...(campaignId ? { campaignId } : {}), expiresAt: { lt: now }, objectKey: { not: null } }, select: { id: true, objectKey: true } });
  for (const e of expired) {
    await deps.storage.delete(e.objectKey!).catch(() => undefined); // already gone is fine
    await deps.db.exportJob.update({ where: { id: e.id }, data: { objectKey: null } });
  }
  return expired.length;
}

export async function runMaintenance(deps: AppDeps, payload: z.output<typeof maintenanceJob.schema>): Promise<void> {
  if (payload.task === "expire-sessions") {
    await deps.db.session.deleteMany({ where: { expiresAt: { lt: new Date() } } });
  }
  if (payload.task === "fail-stale-tasks") await failStaleTasks(deps);
  if (payload.task === "purge-expired-exports") await purgeExpiredExports(deps);
}

/** Daily personal-data retention purge (services/admin/retention.ts). */
export const retentionPurgeJob = defineJob({
  name: "maintenance.retention-purge",
  schema: z.object({ day: z.string().regex(/^\d{4}-\d{2}-\d{2}$/) }),
  retryLimit: 3,
  retryDelay: 60,
  expireInSeconds: 60,
});
