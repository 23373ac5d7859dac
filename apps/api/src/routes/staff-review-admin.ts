import type { FastifyPluginAsyncZod } from "fastify-type-provider-zod";
import { z } from "zod";
import {
  ApiErrorSchema,
  OkSchema,
  RejectionReasonCreateSchema,
  RejectionReasonListSchema,
  RejectionReasonSchema,
  RejectionReasonUpdateSchema,
  ReviewStatsSchema,
} from "@gradphoto/contracts";
import { shanghaiDay } from "@gradphoto/domain";
import { notFound } from "../lib/errors.js";
import { audit } from "../lib/audit.js";
import { assertSchoolScope, staffOf } from "../plugins/auth.js";
import { actingSchool, schoolWhere, scopedCampaign } from "../lib/staff-scope.js";

const bearer = [{ bearer: [] }];
const IdParams = z.object({ id: z.string().uuid() });
const REVIEWERS = ["OPERATOR", "SCHOOL_ADMIN", "REVIEWER"] as const;

/** Editable rejection-reason templates and the review queue's counters. */
export const staffReviewAdminRoutes: FastifyPluginAsyncZod = async (app) => {
  const { db } = app.deps;

  app.get(
    "/api/staff/rejection-reasons",
    { config: { auth: "staff", roles: [...REVIEWERS] }, schema: { tags: ["staff-admin"], summary: "Rejection-reason templates of the school", security: bearer, querystring: z.object({ schoolId: z.string().uuid().optional() }), response: { 200: RejectionReasonListSchema, 403: ApiErrorSchema } } },
    async (req) => {
      const rows = await db.rejectionReasonTemplate.findMany({ where: schoolWhere(staffOf(req), req.query.schoolId), orderBy: [{ sortOrder: "asc" }, { createdAt: "asc" }] });
      return { items: rows.map((r) => ({ id: r.id, schoolId: r.schoolId, text: r.text, active: r.active, sortOrder: r.sortOrder })) };
    },
  );

  app.post(
    "/api/staff/rejection-reasons",
    { config: { auth: "staff", roles: [...REVIEWERS] }, schema: { tags: ["staff-admin"], summary: "Add a rejection-reason template", security: bearer, body: RejectionReasonCreateSchema, response: { 200: RejectionReasonSchema, 400: ApiErrorSchema, 403: ApiErrorSchema } } },
    async (req) => {
      const staff = staffOf(req);
      const schoolId = actingSchool(staff, req.body.schoolId);
      const sortOrder = req.body.sortOrder ?? ((await db.rejectionReasonTemplate.aggregate({ where: { schoolId }, _max: { sortOrder: true } }))._max.sortOrder ?? -1) + 1;
      const r = await db.$transaction(async (tx) => {
        const r = await tx.rejectionReasonTemplate.create({ data: { schoolId, text: req.body.text, sortOrder } });
        await audit(tx, { actorType: "STAFF", actorId: staff.id, schoolId, action: "rejection_reason.created", targetType: "rejection_reason", targetId: r.id, after: { text: r.text }, ip: req.ip });
        return r;
      });
      return { id: r.id, schoolId: r.schoolId, text: r.text, active: r.active, sortOrder: r.sortOrder };
    },
  );

  app.patch(
    "/api/staff/rejection-reasons/:id",
    { config: { auth: "staff", roles: [...REVIEWERS] }, schema: { tags: ["staff-admin"], summary: "Edit, reorder or switch off a rejection-reason template", security: bearer, params: IdParams, body: RejectionReasonUpdateSchema, response: { 200: RejectionReasonSchema, 403: ApiErrorSchema, 404: ApiErrorSchema } } },
    async (req) => {
      const staff = staffOf(req);
      const cur = await db.rejectionReasonTemplate.findUnique({ where: { id: req.params.id } });
      if (!cur) throw notFound();
      assertSchoolScope(staff, cur.schoolId);
      const r = await db.$transaction(async (tx) => {
        const r = await tx.rejectionReasonTemplate.update({ where: { id: cur.id }, data: req.body });
        await audit(tx, { actorType: "STAFF", actorId: staff.id, schoolId: cur.schoolId, action: "rejection_reason.updated", targetType: "rejection_reason", targetId: cur.id, before: { text: cur.text, active: cur.active, sortOrder: cur.sortOrder }, after: { text: r.text, active: r.active, sortOrder: r.sortOrder }, ip: req.ip });
        return r;
      });
      return { id: r.id, schoolId: r.schoolId, text: r.text, active: r.active, sortOrder: r.sortOrder };
    },
  );

  app.delete(
    "/api/staff/rejection-reasons/:id",
    { config: { auth: "staff", roles: [...REVIEWERS] }, schema: { tags: ["staff-admin"], summary: "Delete a rejection-reason template", security: bearer, params: IdParams, response: { 200: OkSchema, 403: ApiErrorSchema, 404: ApiErrorSchema } } },
    async (req) => {
      const staff = staffOf(req);
      const cur = await db.rejectionReasonTemplate.findUnique({ where: { id: req.params.id } });
      if (!cur) throw notFound();
      assertSchoolScope(staff, cur.schoolId);
      await db.$transaction(async (tx) => {
        await tx.rejectionReasonTemplate.delete({ where: { id: cur.id } });
        await audit(tx, { actorType: "STAFF", actorId: staff.id, schoolId: cur.schoolId, action: "rejection_reason.deleted", targetType: "rejection_reason", targetId: cur.id, before: { text: cur.text }, ip: req.ip });
      });
      return { ok: true as const };
    },
  );

  app.get(
    "/api/staff/campaigns/:id/review-stats",
    { config: { auth: "staff", roles: [...REVIEWERS] }, schema: { tags: ["staff-admin"], summary: "Review queue counters: waiting, claimed by others, decided today", security: bearer, params: IdParams, response: { 200: ReviewStatsSchema, 403: ApiErrorSchema, 404: ApiErrorSchema } } },
    async (req) => {
      const staff = staffOf(req);
      const c = await scopedCampaign(db, staff, req.params.id);
      const now = new Date();
      const dayStart = new Date(`${shanghaiDay(now)}T00:00:00+08:00`);
      const [reviewing, claimedByOthers, decidedToday, myDecisionsToday] = await Promise.all([
        db.submission.count({ where: { campaignId: c.id, state: "REVIEWING" } }),
        db.submission.count({ where: { campaignId: c.id, state: "REVIEWING", reviewClaimedUntil: { gt: now }, reviewClaimedById: { not: staff.id } } }),
        db.review.count({ where: { submission: { campaignId: c.id }, createdAt: { gte: dayStart } } }),
        db.review.count({ where: { submission: { campaignId: c.id }, createdAt: { gte: dayStart }, reviewerId: staff.id } }),
      ]);
      return { waiting: reviewing - claimedByOthers, claimedByOthers, decidedToday, myDecisionsToday };
    },
  );
};
