import type { FastifyPluginAsyncZod } from "fastify-type-provider-zod";
import { z } from "zod";
import { ApiErrorSchema, RetentionReportSchema, SchoolRetentionSchema } from "@gradphoto/contracts";
import { AppError, notFound } from "../lib/errors.js";
import { audit } from "../lib/audit.js";
import { assertSchoolScope, staffOf } from "../plugins/auth.js";
import { scopedCampaign } from "../lib/staff-scope.js";
import { purgeCampaign, retentionDryRun } from "../services/admin/retention.js";
import { STAFF_HEAVY_LIMIT } from "../lib/staff-rate-limits.js";

const bearer = [{ bearer: [] }];
const IdParams = z.object({ id: z.string().uuid() });
const ADMINS = ["OPERATOR", "SCHOOL_ADMIN"] as const;

/** Personal-data retention: the school's period, a campaign's dry-run report, and purging it now. */
export const staffRetentionRoutes: FastifyPluginAsyncZod = async (app) => {
  const { db } = app.deps;

  app.get(
    "/api/staff/campaigns/:id/retention",
    { config: { auth: "staff", roles: [...ADMINS] }, schema: { tags: ["staff-admin"], summary: "Dry run of the retention purge: what would be deleted and kept, and when it is due", security: bearer, params: IdParams, response: { 200: RetentionReportSchema, 403: ApiErrorSchema, 404: ApiErrorSchema } } },
    async (req) => {
      const c = await scopedCampaign(db, staffOf(req), req.params.id);
      return retentionDryRun(app.deps, c.id);
    },
  );

  app.post(
    "/api/staff/campaigns/:id/retention/purge",
    { config: { auth: "staff", roles: [...ADMINS], subjectRateLimit: STAFF_HEAVY_LIMIT }, schema: { tags: ["staff-admin"], summary: "Purge a campaign whose retention period is over now (the daily job does it otherwise)", security: bearer, params: IdParams, response: { 200: RetentionReportSchema, 403: ApiErrorSchema, 404: ApiErrorSchema, 409: ApiErrorSchema } } },
    async (req) => {
      const staff = staffOf(req);
      const c = await scopedCampaign(db, staff, req.params.id);
      const r = await purgeCampaign(app.deps, c.id, { type: "STAFF", id: staff.id, ip: req.ip });
      if (!r) throw new AppError(409, "RETENTION_NOT_DUE", "该活动的保存期限尚未届满，不能清理");
      return r;
    },
  );

  app.put(
    "/api/staff/schools/:id/retention",
    { config: { auth: "staff", roles: [...ADMINS] }, schema: { tags: ["staff-admin"], summary: "Set the school's retention period (days after a campaign closes)", security: bearer, params: IdParams, body: SchoolRetentionSchema, response: { 200: SchoolRetentionSchema.extend({ id: z.string().uuid() }), 403: ApiErrorSchema, 404: ApiErrorSchema } } },
    async (req) => {
      const staff = staffOf(req);
      const s = await db.school.findUnique({ where: { id: req.params.id } });
      if (!s) throw notFound();
      assertSchoolScope(staff, s.id);
      await db.school.update({ where: { id: s.id }, data: { retentionDays: req.body.retentionDays } });
      await audit(db, { actorType: "STAFF", actorId: staff.id, schoolId: s.id, action: "school.retention_changed", targetType: "school", targetId: s.id, before: { retentionDays: s.retentionDays }, after: { retentionDays: req.body.retentionDays }, ip: req.ip });
      return { id: s.id, retentionDays: req.body.retentionDays };
    },
  );
};
