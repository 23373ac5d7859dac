import { z } from "zod";
import { defineJob } from "@gradphoto/jobs";
import type { AppDeps } from "../context.js";

/** Housekeeping: expired sessions are deleted. Idempotent. */
export const maintenanceJob = defineJob({
  name: "maintenance",
  schema: z.object({ task: z.enum(["expire-sessions"]) }),
  retryLimit: 3,
});

export async function runMaintenance(deps: AppDeps, payload: z.output<typeof maintenanceJob.schema>): Promise<void> {
  if (payload.task === "expire-sessions") {
    await deps.db.session.deleteMany({ where: { expiresAt: { lt: new Date() } } });
  }
}

/** Daily personal-data retention purge (services/admin/retention.ts). */
export const retentionPurgeJob = defineJob({
  name: "maintenance.retention-purge",
  schema: z.object({ day: z.string().regex(/^\d{4}-\d{2}-\d{2}$/) }),
  retryLimit: 3,
  retryDelay: 60,
  expireInSeconds: 60,
});
