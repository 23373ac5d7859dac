import type { FastifyPluginAsyncZod } from "fastify-type-provider-zod";
import type { FastifyRequest } from "fastify";
import { z } from "zod";
import { ApiErrorSchema, ExportJobListSchema, ExportJobSchema, ExportLinkSchema, type ExportJob } from "@gradphoto/contracts";
import type { Prisma } from "@gradphoto/db";
import { AppError, notFound } from "../lib/errors.js";
import { audit } from "../lib/audit.js";
import { assertSchoolScope, staffOf } from "../plugins/auth.js";
import { scopedCampaign } from "../lib/staff-scope.js";
import { exportDownloadName } from "../services/admin/export-service.js";
import { exportBuildJob } from "../jobs/staff-tasks.js";
import { purgeExpiredExports } from "../jobs/maintenance.js";
import { STAFF_HEAVY_LIMIT } from "../lib/staff-rate-limits.js";

const bearer = [{ bearer: [] }];
const IdParams = z.object({ id: z.string().uuid() });
const ADMINS = ["OPERATOR", "SCHOOL_ADMIN"] as const;
/** Download links are short-lived; a new one can be asked for until the archive expires. */
const LINK_SECONDS = 10 * 60;

type ExportRow = Prisma.ExportJobGetPayload<{ include: { campaign: true; requester: { select: { displayName: true } } } }>;

function exportView(e: ExportRow): ExportJob {
  return {
    id: e.id,
    campaignId: e.campaignId,
    status: e.status,
    total: e.total,
    done: e.done,
    error: e.error,
    requestedBy: e.requester.displayName,
    createdAt: e.createdAt.toISOString(),
    updatedAt: e.updatedAt.toISOString(),
    expiresAt: e.expiresAt?.toISOString() ?? null,
    fileName: exportDownloadName(e.campaign.name, e.createdAt),
  };
}

/** Export of approved photos: a background job with progress, and expiring download links. */
export const staffExportRoutes: FastifyPluginAsyncZod = async (app) => {
  const { db, storage } = app.deps;
  const include = { campaign: true, requester: { select: { displayName: true } } } as const;

  async function scopedExport(req: FastifyRequest, id: string) {
    const e = await db.exportJob.findUnique({ where: { id }, include });
    if (!e) throw notFound();
    assertSchoolScope(staffOf(req), e.campaign.schoolId);
    return e;
  }

  app.post(
    "/api/staff/campaigns/:id/exports",
    { config: { auth: "staff", roles: [...ADMINS], subjectRateLimit: STAFF_HEAVY_LIMIT }, schema: { tags: ["staff-admin"], summary: "Start an export of the approved photos (ZIP: photos/, print/, manifest.xlsx)", security: bearer, params: IdParams, response: { 200: ExportJobSchema, 403: ApiErrorSchema, 404: ApiErrorSchema, 409: ApiErrorSchema } } },
    async (req) => {
      const staff = staffOf(req);
      const c = await scopedCampaign(db, staff, req.params.id);
      const approved = await db.submission.count({ where: { campaignId: c.id, state: "APPROVED" } });
      if (approved === 0) throw new AppError(409, "NOTHING_TO_EXPORT", "还没有审核通过的照片可以导出");
      // One export at a time per campaign, decided under the campaign's row lock: two staff (or a
      // double click) starting one at once get the same export, not two archives built side by side.
      const e = await db.$transaction(async (tx) => {
        await tx.$queryRaw`SELECT id FROM "campaigns" WHERE id = ${c.id}::uuid FOR UPDATE`;
        const running = await tx.exportJob.findFirst({ where: { campaignId: c.id, status: { in: ["QUEUED", "RUNNING"] } }, include });
        if (running) return running;
        const e = await tx.exportJob.create({ data: { campaignId: c.id, requestedBy: staff.id, total: approved }, include });
        await audit(tx, { actorType: "STAFF", actorId: staff.id, schoolId: c.schoolId, action: "export.requested", targetType: "export_job", targetId: e.id, after: { approved }, ip: req.ip });
        return e;
      });
      // Queued (again, for one still waiting): if the queue refused it when it was created, the export
      // would otherwise wait forever and hold back every later one. The job id derives from the export,
      // so a job already queued or under way is not doubled.
      if (e.status === "QUEUED") await app.deps.jobs?.send(exportBuildJob, { exportId: e.id }, { singletonKey: e.id });
      return exportView(e);
    },
  );

  app.get(
    "/api/staff/campaigns/:id/exports",
    { config: { auth: "staff", roles: [...ADMINS] }, schema: { tags: ["staff-admin"], summary: "Exports of a campaign (expired archives are deleted)", security: bearer, params: IdParams, response: { 200: ExportJobListSchema, 403: ApiErrorSchema, 404: ApiErrorSchema } } },
    async (req) => {
      const c = await scopedCampaign(db, staffOf(req), req.params.id);
      await purgeExpiredExports(app.deps, c.id);
      const [rows, approved] = await Promise.all([
        db.exportJob.findMany({ where: { campaignId: c.id }, include, orderBy: { createdAt: "desc" }, take: 20 }),
        db.submission.count({ where: { campaignId: c.id, state: "APPROVED" } }),
      ]);
      return { items: rows.map(exportView), approved };
    },
  );

  app.get(
    "/api/staff/exports/:id",
    { config: { auth: "staff", roles: [...ADMINS] }, schema: { tags: ["staff-admin"], summary: "An export's progress", security: bearer, params: IdParams, response: { 200: ExportJobSchema, 403: ApiErrorSchema, 404: ApiErrorSchema } } },
    async (req) => exportView(await scopedExport(req, req.params.id)),
  );

  app.post(
    "/api/staff/exports/:id/link",
    { config: { auth: "staff", roles: [...ADMINS] }, schema: { tags: ["staff-admin"], summary: "A download link for a finished export, valid for 10 minutes", security: bearer, params: IdParams, response: { 200: ExportLinkSchema, 403: ApiErrorSchema, 404: ApiErrorSchema, 409: ApiErrorSchema, 410: ApiErrorSchema } } },
    async (req) => {
      const staff = staffOf(req);
      const e = await scopedExport(req, req.params.id);
      if (e.status !== "DONE") throw new AppError(409, "EXPORT_NOT_READY", "导出尚未完成");
      if (!e.objectKey || (e.expiresAt && e.expiresAt < new Date())) throw new AppError(410, "EXPORT_EXPIRED", "导出文件已过期，请重新导出");
      const url = await storage.signedUrl(e.objectKey, { expiresInSeconds: LINK_SECONDS, downloadName: exportDownloadName(e.campaign.name, e.createdAt) });
      await audit(db, { actorType: "STAFF", actorId: staff.id, schoolId: e.campaign.schoolId, action: "export.link_issued", targetType: "export_job", targetId: e.id, ip: req.ip });
      return { url, expiresAt: new Date(Date.now() + LINK_SECONDS * 1000).toISOString() };
    },
  );
};
