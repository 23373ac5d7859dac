import type { FastifyPluginAsyncZod } from "fastify-type-provider-zod";
import { z } from "zod";
import { ApiErrorSchema, AuditPageSchema, AuditQuerySchema, DashboardSchema } from "@gradphoto/contracts";
import type { Prisma } from "@gradphoto/db";
import { staffOf } from "../plugins/auth.js";
import { schoolWhere, scopedCampaign } from "../lib/staff-scope.js";
import { campaignDashboard } from "../services/admin/dashboard.js";
import { auditNames } from "../services/admin/audit-names.js";

const bearer = [{ bearer: [] }];
const IdParams = z.object({ id: z.string().uuid() });

/** The dashboard of a campaign and the audit log view. */
export const staffInsightRoutes: FastifyPluginAsyncZod = async (app) => {
  const { db } = app.deps;

  app.get(
    "/api/staff/campaigns/:id/dashboard",
    { config: { auth: "staff", roles: ["OPERATOR", "SCHOOL_ADMIN"] }, schema: { tags: ["staff-admin"], summary: "Funnel, per college and major, per day, score distribution, stuck graduates", security: bearer, params: IdParams, response: { 200: DashboardSchema, 403: ApiErrorSchema, 404: ApiErrorSchema } } },
    async (req) => {
      const c = await scopedCampaign(db, staffOf(req), req.params.id);
      return campaignDashboard(db, c.id, app.deps.config.idEncryptionKey);
    },
  );

  app.get(
    "/api/staff/audit-logs",
    { config: { auth: "staff", roles: ["OPERATOR", "SCHOOL_ADMIN"] }, schema: { tags: ["staff-admin"], summary: "Audit log with filters (school admins see their school)", security: bearer, querystring: AuditQuerySchema, response: { 200: AuditPageSchema, 403: ApiErrorSchema } } },
    async (req) => {
      const staff = staffOf(req);
      const q = req.query;
      const scope = schoolWhere(staff, q.schoolId);
      const where: Prisma.AuditLogWhereInput = {
        ...scope,
        ...(q.action ? { action: q.action.endsWith("*") ? { startsWith: q.action.slice(0, -1) } : q.action } : {}),
        ...(q.actorType ? { actorType: q.actorType } : {}),
        ...(q.actorId ? { actorId: q.actorId } : {}),
        ...(q.targetType ? { targetType: q.targetType } : {}),
        ...(q.targetId ? { targetId: q.targetId } : {}),
        ...(q.from || q.to ? { createdAt: { ...(q.from ? { gte: new Date(q.from) } : {}), ...(q.to ? { lte: new Date(q.to) } : {}) } } : {}),
      };
      const [rows, total, actions, staffRows] = await Promise.all([
        db.auditLog.findMany({ where, orderBy: { id: "desc" }, skip: (q.page - 1) * q.pageSize, take: q.pageSize }),
        db.auditLog.count({ where }),
        db.auditLog.findMany({ where: scope, distinct: ["action"], select: { action: true }, orderBy: { action: "asc" }, take: 300 }),
        db.staffUser.findMany({ where: staff.role === "OPERATOR" ? (q.schoolId ? { OR: [{ schoolId: q.schoolId }, { role: "OPERATOR" }] } : {}) : { schoolId: staff.schoolId }, select: { id: true, displayName: true, username: true }, orderBy: { username: "asc" } }),
      ]);
      const names = new Map(staffRows.map((s) => [s.id, `${s.displayName}（${s.username}）`]));
      const missing = [...new Set(rows.filter((r) => r.actorType === "STAFF" && r.actorId && !names.has(r.actorId)).map((r) => r.actorId!))];
      if (missing.length) for (const s of await db.staffUser.findMany({ where: { id: { in: missing } }, select: { id: true, displayName: true, username: true } })) names.set(s.id, `${s.displayName}（${s.username}）`);
      const named = await auditNames(db, rows);
      return {
        items: rows.map((r) => ({
          id: r.id.toString(),
          createdAt: r.createdAt.toISOString(),
          actorType: r.actorType,
          actorId: r.actorId,
          actorName: r.actorType === "STAFF" && r.actorId ? (names.get(r.actorId) ?? null) : r.actorType === "SYSTEM" ? "系统" : named.graduateActor(r),
          schoolId: r.schoolId,
          action: r.action,
          targetType: r.targetType,
          targetId: r.targetId,
          targetName: named.target(r),
          before: r.before ?? null,
          after: r.after ?? null,
          ip: r.ip,
        })),
        total,
        page: q.page,
        pageSize: q.pageSize,
        actions: actions.map((a) => a.action),
        staff: staffRows.map((s) => ({ id: s.id, name: `${s.displayName}（${s.username}）` })),
      };
    },
  );
};
