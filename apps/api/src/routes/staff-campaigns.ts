import type { FastifyPluginAsyncZod } from "fastify-type-provider-zod";
import { z } from "zod";
import {
  ApiErrorSchema,
  CampaignAdminSchema,
  CampaignCreateSchema,
  CampaignListSchema,
  CampaignUpdateSchema,
  ConsentVersionCreateSchema,
  OkSchema,
  type CampaignPhotoSpec,
} from "@gradphoto/contracts";
import { PhotoSpecSchema } from "@gradphoto/photo";
import type { Db, Prisma } from "@gradphoto/db";
import { AppError } from "../lib/errors.js";
import { audit } from "../lib/audit.js";
import { staffOf } from "../plugins/auth.js";
import { actingSchool, schoolWhere, scopedCampaign } from "../lib/staff-scope.js";
import { campaignSpec } from "../services/photo-service.js";
import { campaignCounts, type CampaignCounts } from "../services/admin/campaign-counts.js";

const bearer = [{ bearer: [] }];
const IdParams = z.object({ id: z.string().uuid() });
const EDITORS = ["OPERATOR", "SCHOOL_ADMIN"] as const;

type CampaignRow = Prisma.CampaignGetPayload<{ include: { school: true } }>;

/** The stored spec JSON → what the console edits. */
export function specForAdmin(json: unknown): CampaignPhotoSpec {
  const s = campaignSpec(json);
  return {
    background: s.output.background,
    minKb: s.output.minKb,
    maxKb: s.output.maxKb,
    album: {
      minWidth: s.album.width[0],
      maxWidth: s.album.width[1],
      minHeight: s.album.height[0],
      maxHeight: s.album.height[1],
      minKb: Math.round(s.album.minBytes / 1024),
      maxKb: Math.round(s.album.maxBytes / 1024),
    },
  };
}

/** Merges the console's spec into the stored JSON, keeping every other setting (thresholds, severities). */
function specToStored(stored: unknown, spec: CampaignPhotoSpec): Prisma.InputJsonValue {
  const base = (stored && typeof stored === "object" ? stored : {}) as Record<string, Record<string, unknown> | undefined>;
  const next = {
    ...base,
    output: { ...(base.output ?? {}), background: spec.background, minKb: spec.minKb, maxKb: spec.maxKb },
    album: {
      ...(base.album ?? {}),
      width: [spec.album.minWidth, spec.album.maxWidth],
      height: [spec.album.minHeight, spec.album.maxHeight],
      minBytes: spec.album.minKb * 1024,
      maxBytes: spec.album.maxKb * 1024,
    },
  };
  const ok = PhotoSpecSchema.safeParse(next);
  if (!ok.success) throw new AppError(400, "VALIDATION_FAILED", "照片规格设置有误", ok.error.issues);
  return next as Prisma.InputJsonValue;
}

/** The fields of the campaign list; the full view adds every setting. */
function campaignSummary(c: Omit<CampaignRow, "school"> & { school: { name: string } }, all: CampaignCounts) {
  const counts = { roster: all.roster, admissionPhotos: all.admissionPhotos, submissions: all.submissions, reviewing: all.reviewing, approved: all.approved };
  return {
    id: c.id,
    schoolId: c.schoolId,
    schoolName: c.school.name,
    name: c.name,
    cohort: c.cohort,
    status: c.status,
    opensAt: c.opensAt.toISOString(),
    closesAt: c.closesAt.toISOString(),
    schoolPaid: c.schoolPaid,
    feeFen: c.feeFen,
    reviewMode: c.reviewMode,
    consentVersion: c.consentVersion,
    counts,
  };
}

async function campaignAdmin(db: Db, c: CampaignRow) {
  const texts = await db.consentText.findMany({ where: { campaignId: c.id }, orderBy: { version: "desc" } });
  const counts = (await campaignCounts(db, [c.id]))(c.id);
  const tpl = (c.notifyTemplates ?? {}) as { reviewPassed?: string; reviewRejected?: string };
  return {
    ...campaignSummary(c, counts),
    schoolCode: c.school.code,
    freeRetakes: c.freeRetakes,
    retakePolicy: c.retakePolicy,
    repayAfterRefund: c.repayAfterRefund,
    captureCodeProvider: c.captureCodeProvider === "http" ? ("http" as const) : ("demo" as const),
    faceProvider: c.faceProvider === "tencent" ? ("tencent" as const) : ("local" as const),
    photoSpec: specForAdmin(c.photoSpec),
    contacts: { customerServicePhone: c.customerServicePhone, customerServiceHours: c.customerServiceHours, registrarContact: c.registrarContact, paymentContact: c.paymentContact },
    notifyTemplates: { ...(tpl.reviewPassed ? { reviewPassed: tpl.reviewPassed } : {}), ...(tpl.reviewRejected ? { reviewRejected: tpl.reviewRejected } : {}) },
    exportNamePattern: c.exportNamePattern,
    consentText: texts.find((t) => t.version === c.consentVersion)?.text ?? "",
    consentVersions: texts.map((t) => ({ version: t.version, createdAt: t.createdAt.toISOString(), chars: [...t.text].length })),
    createdAt: c.createdAt.toISOString(),
    updatedAt: c.updatedAt.toISOString(),
  };
}

/**
 * What an audit entry keeps of a campaign (no large texts): everything graduates see or that routes
 * their data or money, so a changed phone number or provider shows in the log.
 */
function auditShape(c: Partial<CampaignRow>) {
  return {
    name: c.name, cohort: c.cohort, status: c.status, opensAt: c.opensAt, closesAt: c.closesAt, feeFen: c.feeFen, schoolPaid: c.schoolPaid,
    reviewMode: c.reviewMode, freeRetakes: c.freeRetakes, retakePolicy: c.retakePolicy, repayAfterRefund: c.repayAfterRefund, exportNamePattern: c.exportNamePattern, photoSpec: c.photoSpec,
    customerServicePhone: c.customerServicePhone, customerServiceHours: c.customerServiceHours, registrarContact: c.registrarContact, paymentContact: c.paymentContact,
    notifyTemplates: c.notifyTemplates, captureCodeProvider: c.captureCodeProvider, faceProvider: c.faceProvider, providerConfig: c.providerConfig,
  };
}

/** Campaign management: window, cohort, fee, photo spec, review mode, versioned consent text, contacts, templates. */
export const staffCampaignRoutes: FastifyPluginAsyncZod = async (app) => {
  const { db } = app.deps;

  app.get(
    "/api/staff/campaigns",
    { config: { auth: "staff" }, schema: { tags: ["staff-admin"], summary: "Campaigns of the caller's school (operators: every school, or ?schoolId)", security: bearer, querystring: z.object({ schoolId: z.string().uuid().optional() }), response: { 200: CampaignListSchema, 403: ApiErrorSchema } } },
    async (req) => {
      const staff = staffOf(req);
      const rows = await db.campaign.findMany({ where: schoolWhere(staff, req.query.schoolId), include: { school: true }, orderBy: [{ status: "asc" }, { opensAt: "desc" }] });
      const counts = await campaignCounts(db, rows.map((r) => r.id));
      return {
        items: rows.map((c) => campaignSummary(c, counts(c.id))),
      };
    },
  );

  app.get(
    "/api/staff/campaigns/:id",
    { config: { auth: "staff" }, schema: { tags: ["staff-admin"], summary: "One campaign with every setting", security: bearer, params: IdParams, response: { 200: CampaignAdminSchema, 403: ApiErrorSchema, 404: ApiErrorSchema } } },
    async (req) => campaignAdmin(db, await scopedCampaign(db, staffOf(req), req.params.id)),
  );

  app.post(
    "/api/staff/campaigns",
    { config: { auth: "staff", roles: [...EDITORS] }, schema: { tags: ["staff-admin"], summary: "Create a campaign (consent text version 1)", security: bearer, body: CampaignCreateSchema, response: { 200: CampaignAdminSchema, 400: ApiErrorSchema, 403: ApiErrorSchema, 404: ApiErrorSchema } } },
    async (req) => {
      const staff = staffOf(req);
      const b = req.body;
      const schoolId = actingSchool(staff, b.schoolId);
      const school = await db.school.findUnique({ where: { id: schoolId } });
      if (!school) throw new AppError(404, "NOT_FOUND", "学校不存在");
      const c = await db.$transaction(async (tx) => {
        const c = await tx.campaign.create({
          data: {
            schoolId,
            name: b.name,
            cohort: b.cohort,
            status: b.status,
            opensAt: new Date(b.opensAt),
            closesAt: new Date(b.closesAt),
            schoolPaid: b.schoolPaid,
            feeFen: b.schoolPaid ? 0 : b.feeFen,
            reviewMode: b.reviewMode,
            freeRetakes: b.freeRetakes,
            retakePolicy: b.retakePolicy,
            repayAfterRefund: b.repayAfterRefund,
            captureCodeProvider: b.captureCodeProvider,
            faceProvider: b.faceProvider,
            photoSpec: specToStored({}, b.photoSpec),
            ...b.contacts,
            notifyTemplates: b.notifyTemplates,
            exportNamePattern: b.exportNamePattern,
            consentVersion: 1,
            consentTexts: { create: { version: 1, text: b.consentText } },
          },
          include: { school: true },
        });
        await audit(tx, { actorType: "STAFF", actorId: staff.id, schoolId, action: "campaign.created", targetType: "campaign", targetId: c.id, after: auditShape(c), ip: req.ip });
        return c;
      });
      return campaignAdmin(db, c);
    },
  );

  app.patch(
    "/api/staff/campaigns/:id",
    { config: { auth: "staff", roles: [...EDITORS] }, schema: { tags: ["staff-admin"], summary: "Change a campaign's settings", security: bearer, params: IdParams, body: CampaignUpdateSchema, response: { 200: CampaignAdminSchema, 400: ApiErrorSchema, 403: ApiErrorSchema, 404: ApiErrorSchema } } },
    async (req) => {
      const staff = staffOf(req);
      const cur = await scopedCampaign(db, staff, req.params.id);
      const b = req.body;
      const opensAt = b.opensAt ? new Date(b.opensAt) : cur.opensAt;
      const closesAt = b.closesAt ? new Date(b.closesAt) : cur.closesAt;
      if (closesAt <= opensAt) throw new AppError(400, "VALIDATION_FAILED", "结束时间须晚于开始时间");
      const schoolPaid = b.schoolPaid ?? cur.schoolPaid;
      const data: Prisma.CampaignUpdateInput = {
        name: b.name,
        cohort: b.cohort,
        status: b.status,
        opensAt,
        closesAt,
        schoolPaid,
        feeFen: schoolPaid ? 0 : (b.feeFen ?? cur.feeFen),
        reviewMode: b.reviewMode,
        freeRetakes: b.freeRetakes,
        retakePolicy: b.retakePolicy,
        repayAfterRefund: b.repayAfterRefund,
        captureCodeProvider: b.captureCodeProvider,
        faceProvider: b.faceProvider,
        ...(b.photoSpec ? { photoSpec: specToStored(cur.photoSpec, b.photoSpec) } : {}),
        ...(b.contacts ?? {}),
        ...(b.notifyTemplates ? { notifyTemplates: b.notifyTemplates } : {}),
        exportNamePattern: b.exportNamePattern,
      };
      const c = await db.$transaction(async (tx) => {
        const c = await tx.campaign.update({ where: { id: cur.id }, data, include: { school: true } });
        await audit(tx, { actorType: "STAFF", actorId: staff.id, schoolId: c.schoolId, action: "campaign.updated", targetType: "campaign", targetId: c.id, before: auditShape(cur), after: auditShape(c), ip: req.ip });
        return c;
      });
      return campaignAdmin(db, c);
    },
  );

  app.delete(
    "/api/staff/campaigns/:id",
    { config: { auth: "staff", roles: [...EDITORS] }, schema: { tags: ["staff-admin"], summary: "Delete a campaign nobody has started (its roster goes with it)", security: bearer, params: IdParams, response: { 200: OkSchema, 403: ApiErrorSchema, 404: ApiErrorSchema, 409: ApiErrorSchema } } },
    async (req) => {
      const staff = staffOf(req);
      const cur = await scopedCampaign(db, staff, req.params.id);
      if ((await db.submission.count({ where: { campaignId: cur.id } })) > 0) throw new AppError(409, "CAMPAIGN_IN_USE", "已有毕业生参与该活动，不能删除；如需停止采集，请将状态改为已结束");
      await db.$transaction(async (tx) => {
        await tx.campaign.delete({ where: { id: cur.id } });
        await audit(tx, { actorType: "STAFF", actorId: staff.id, schoolId: cur.schoolId, action: "campaign.deleted", targetType: "campaign", targetId: cur.id, before: auditShape(cur), ip: req.ip });
      });
      return { ok: true as const };
    },
  );

  app.post(
    "/api/staff/campaigns/:id/consent-texts",
    { config: { auth: "staff", roles: [...EDITORS] }, schema: { tags: ["staff-admin"], summary: "Publish a new 温馨提示 version (graduates accept it again)", security: bearer, params: IdParams, body: ConsentVersionCreateSchema, response: { 200: CampaignAdminSchema, 403: ApiErrorSchema, 404: ApiErrorSchema, 409: ApiErrorSchema } } },
    async (req) => {
      const staff = staffOf(req);
      const cur = await scopedCampaign(db, staff, req.params.id);
      const c = await db.$transaction(async (tx) => {
        // Lock the campaign row so two publishers do not both take the same version number.
        await tx.$queryRaw`SELECT id FROM "campaigns" WHERE id = ${cur.id}::uuid FOR UPDATE`;
        const fresh = await tx.campaign.findUniqueOrThrow({ where: { id: cur.id } });
        const last = await tx.consentText.findUnique({ where: { campaignId_version: { campaignId: cur.id, version: fresh.consentVersion } } });
        if (last && last.text.trim() === req.body.text.trim()) throw new AppError(409, "CONSENT_UNCHANGED", "温馨提示内容未变化，无需发布新版本");
        const version = fresh.consentVersion + 1;
        await tx.consentText.create({ data: { campaignId: cur.id, version, text: req.body.text } });
        const c = await tx.campaign.update({ where: { id: cur.id }, data: { consentVersion: version }, include: { school: true } });
        await audit(tx, { actorType: "STAFF", actorId: staff.id, schoolId: c.schoolId, action: "campaign.consent_published", targetType: "campaign", targetId: c.id, before: { consentVersion: fresh.consentVersion }, after: { consentVersion: version }, ip: req.ip });
        return c;
      });
      return campaignAdmin(db, c);
    },
  );
};
