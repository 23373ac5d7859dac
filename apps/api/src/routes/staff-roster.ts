import { randomUUID } from "node:crypto";
import path from "node:path";
import type { FastifyPluginAsyncZod } from "fastify-type-provider-zod";
import type { FastifyRequest } from "fastify";
import { z } from "zod";
import {
  ApiErrorSchema,
  DemoCodeSheetSchema,
  DemoCodesRequestSchema,
  ImportJobListSchema,
  ImportJobSchema,
  RosterEntryAdminSchema,
  RosterPageSchema,
  RosterQuerySchema,
  type AdmissionReport,
  type ImportJob,
  type RosterReport,
} from "@gradphoto/contracts";
import { devDemoKey, issueDemoCode, maskName, renderCodePng } from "@gradphoto/capture-code";
import { STATE_LABELS } from "@gradphoto/domain";
import type { Db, Prisma } from "@gradphoto/db";
import type { ObjectStorage } from "@gradphoto/storage";
import { AppError, commonError, notFound } from "../lib/errors.js";
import { audit } from "../lib/audit.js";
import { phoneOf, phoneSearchHash } from "../lib/id-crypto.js";
import { assertSchoolScope, staffOf } from "../plugins/auth.js";
import { scopedCampaign } from "../lib/staff-scope.js";
import { MAX_ROSTER_BYTES, buildReport, loadExisting, parseRosterFile, validateRoster } from "../services/admin/roster-import.js";
import { MAX_ADMISSION_ZIP_BYTES, checkAdmissionPhoto } from "../services/admin/admission-import.js";
import { admissionImportJob, rosterApplyJob } from "../jobs/staff-tasks.js";
import { likeLiteral } from "../lib/like.js";
import { readSingleFile } from "../lib/upload.js";
import { STAFF_HEAVY_LIMIT, STAFF_SEARCH_LIMIT } from "../lib/staff-rate-limits.js";

const bearer = [{ bearer: [] }];
const IdParams = z.object({ id: z.string().uuid() });
const ADMINS = ["OPERATOR", "SCHOOL_ADMIN"] as const;
const MAX_SINGLE_PHOTO = 10 * 1024 * 1024;

type ImportRow = Prisma.RosterImportGetPayload<{ include: { requester: { select: { displayName: true } } } }>;

export function importView(r: ImportRow): ImportJob {
  return {
    id: r.id,
    campaignId: r.campaignId,
    kind: r.kind === "ADMISSION_PHOTOS" ? "ADMISSION_PHOTOS" : "ROSTER",
    status: r.status,
    total: r.total,
    done: r.done,
    requestedBy: r.requester.displayName,
    createdAt: r.createdAt.toISOString(),
    updatedAt: r.updatedAt.toISOString(),
    report: (r.report as unknown as RosterReport | AdmissionReport | null) ?? null,
  };
}

/** Reads one uploaded file (multipart field `file`, nothing else) with a size limit. */
async function uploadedFile(req: FastifyRequest, limit: number, what: string): Promise<{ bytes: Buffer; fileName: string }> {
  const { bytes, filename } = await readSingleFile(req, { field: "file", maxBytes: limit, what });
  if (bytes.length === 0) throw new AppError(400, "VALIDATION_FAILED", `${what}为空`);
  return { bytes, fileName: path.basename(filename || "upload").slice(0, 200) };
}

async function rosterEntryAdmin(db: Db, storage: ObjectStorage, e: Prisma.RosterEntryGetPayload<{ include: { submission: { select: { id: true; state: true } } } }>, key: Buffer) {
  return {
    id: e.id,
    uniqueNumber: e.uniqueNumber,
    name: e.name,
    idNumberMasked: e.idNumberMasked,
    phone: phoneOf(key, e),
    college: e.college,
    major: e.major,
    degreeLevel: e.degreeLevel,
    admissionPhotoStatus: e.admissionPhotoStatus,
    admissionUrl: e.admissionPhotoKey ? await storage.signedUrl(e.admissionPhotoKey, { expiresInSeconds: 900 }) : null,
    submissionId: e.submission?.id ?? null,
    state: e.submission?.state ?? null,
    stateLabel: e.submission ? STATE_LABELS[e.submission.state] : null,
    updatedAt: e.updatedAt.toISOString(),
  };
}

/** Roster import (XLSX/CSV with preview and report), admission-photo ZIP import, roster list, demo codes. */
export const staffRosterRoutes: FastifyPluginAsyncZod = async (app) => {
  const { db, storage, config } = app.deps;

  async function scopedImport(req: FastifyRequest, id: string) {
    const r = await db.rosterImport.findUnique({ where: { id }, include: { campaign: true, requester: { select: { displayName: true } } } });
    if (!r) throw notFound();
    assertSchoolScope(staffOf(req), r.campaign.schoolId);
    return r;
  }

  app.post(
    "/api/staff/campaigns/:id/roster-imports",
    {
      config: { auth: "staff", roles: [...ADMINS], subjectRateLimit: STAFF_HEAVY_LIMIT },
      schema: {
        tags: ["staff-admin"],
        summary: "Upload a roster (XLSX or CSV, multipart field `file`): validated row by row, nothing is written until confirmed",
        consumes: ["multipart/form-data"],
        security: bearer,
        params: IdParams,
        response: { 200: ImportJobSchema, 400: ApiErrorSchema, 403: ApiErrorSchema, 404: ApiErrorSchema, 413: ApiErrorSchema, 422: ApiErrorSchema },
      },
    },
    async (req) => {
      const staff = staffOf(req);
      const c = await scopedCampaign(db, staff, req.params.id);
      const { bytes, fileName } = await uploadedFile(req, MAX_ROSTER_BYTES, "名单文件");
      const sheet = await parseRosterFile(bytes, fileName);
      const rows = validateRoster(sheet, await loadExisting(db, c.id, config.idEncryptionKey), config.idEncryptionKey);
      const report = buildReport(fileName, sheet, rows);
      const id = randomUUID();
      const objectKey = `imports/${id}/roster${/\.csv$/i.test(fileName) ? ".csv" : ".xlsx"}`;
      await storage.put(objectKey, bytes);
      const imp = await db.$transaction(async (tx) => {
        const imp = await tx.rosterImport.create({
          data: { id, campaignId: c.id, requestedBy: staff.id, kind: "ROSTER", status: "QUEUED", objectKey, total: report.validRows, done: 0, report: report as object },
          include: { requester: { select: { displayName: true } } },
        });
        await audit(tx, { actorType: "STAFF", actorId: staff.id, schoolId: c.schoolId, action: "roster.import_uploaded", targetType: "roster_import", targetId: id, after: { file: fileName, rows: report.totalRows, valid: report.validRows, invalid: report.invalidRows }, ip: req.ip });
        return imp;
      });
      return importView(imp);
    },
  );

  app.post(
    "/api/staff/roster-imports/:id/confirm",
    {
      config: { auth: "staff", roles: [...ADMINS], subjectRateLimit: STAFF_HEAVY_LIMIT },
      schema: { tags: ["staff-admin"], summary: "Import the valid rows of a validated roster upload (background job with progress)", security: bearer, params: IdParams, response: { 200: ImportJobSchema, 403: ApiErrorSchema, 404: ApiErrorSchema, 409: ApiErrorSchema } },
    },
    async (req) => {
      const staff = staffOf(req);
      const imp = await scopedImport(req, req.params.id);
      if (imp.kind !== "ROSTER") throw new AppError(409, "NOT_A_ROSTER_IMPORT", "该任务不是名单导入");
      const report = imp.report as unknown as RosterReport;
      if (imp.status !== "QUEUED") return importView(imp);
      if (report.missingColumns.length > 0) throw new AppError(409, "ROSTER_MISSING_COLUMNS", `缺少必填列：${report.missingColumns.join("、")}`);
      if (report.validRows === 0) throw new AppError(409, "ROSTER_NOTHING_TO_IMPORT", "没有可导入的行，请修正后重新上传");
      // The job id derives from the import: confirming twice enqueues once.
      await app.deps.jobs?.send(rosterApplyJob, { importId: imp.id }, { singletonKey: imp.id });
      await audit(db, { actorType: "STAFF", actorId: staff.id, schoolId: imp.campaign.schoolId, action: "roster.import_confirmed", targetType: "roster_import", targetId: imp.id, after: { valid: report.validRows, skipped: report.invalidRows }, ip: req.ip });
      return importView(await scopedImport(req, imp.id));
    },
  );

  app.post(
    "/api/staff/campaigns/:id/admission-imports",
    {
      config: { auth: "staff", roles: [...ADMINS], subjectRateLimit: STAFF_HEAVY_LIMIT },
      schema: {
        tags: ["staff-admin"],
        summary: "Upload a ZIP of admission photos named by unique number (multipart field `file`); checked in the background",
        consumes: ["multipart/form-data"],
        security: bearer,
        params: IdParams,
        response: { 200: ImportJobSchema, 400: ApiErrorSchema, 403: ApiErrorSchema, 404: ApiErrorSchema, 413: ApiErrorSchema, 422: ApiErrorSchema },
      },
    },
    async (req) => {
      const staff = staffOf(req);
      const c = await scopedCampaign(db, staff, req.params.id);
      const { bytes, fileName } = await uploadedFile(req, MAX_ADMISSION_ZIP_BYTES, "录取照片压缩包");
      if (!(bytes[0] === 0x50 && bytes[1] === 0x4b)) throw new AppError(422, "ZIP_UNREADABLE", "请上传 .zip 格式的压缩包");
      const id = randomUUID();
      const objectKey = `imports/${id}/admission.zip`;
      await storage.put(objectKey, bytes, { contentType: "application/zip" });
      const report: AdmissionReport = { kind: "ADMISSION_PHOTOS", fileName, totalFiles: 0, ok: 0, failed: 0, items: [], error: null };
      const imp = await db.$transaction(async (tx) => {
        const imp = await tx.rosterImport.create({
          data: { id, campaignId: c.id, requestedBy: staff.id, kind: "ADMISSION_PHOTOS", status: "QUEUED", objectKey, report: report as object },
          include: { requester: { select: { displayName: true } } },
        });
        await audit(tx, { actorType: "STAFF", actorId: staff.id, schoolId: c.schoolId, action: "roster.admission_zip_uploaded", targetType: "roster_import", targetId: id, after: { file: fileName, bytes: bytes.length }, ip: req.ip });
        return imp;
      });
      await app.deps.jobs?.send(admissionImportJob, { importId: id }, { singletonKey: id });
      return importView(imp);
    },
  );

  app.get(
    "/api/staff/roster-imports/:id",
    { config: { auth: "staff", roles: [...ADMINS] }, schema: { tags: ["staff-admin"], summary: "An import with its progress and report", security: bearer, params: IdParams, response: { 200: ImportJobSchema, 403: ApiErrorSchema, 404: ApiErrorSchema } } },
    async (req) => importView(await scopedImport(req, req.params.id)),
  );

  app.get(
    "/api/staff/campaigns/:id/imports",
    { config: { auth: "staff", roles: [...ADMINS] }, schema: { tags: ["staff-admin"], summary: "Recent roster and admission-photo imports of a campaign", security: bearer, params: IdParams, response: { 200: ImportJobListSchema, 403: ApiErrorSchema, 404: ApiErrorSchema } } },
    async (req) => {
      const c = await scopedCampaign(db, staffOf(req), req.params.id);
      const rows = await db.rosterImport.findMany({ where: { campaignId: c.id }, include: { requester: { select: { displayName: true } } }, orderBy: { createdAt: "desc" }, take: 20 });
      // The list stays light: reports are fetched one at a time.
      return { items: rows.map((r) => ({ ...importView(r), report: null })) };
    },
  );

  app.get(
    "/api/staff/campaigns/:id/roster",
    { config: { auth: "staff", roles: [...ADMINS], subjectRateLimit: STAFF_SEARCH_LIMIT }, schema: { tags: ["staff-admin"], summary: "The campaign's roster, searchable and paged", security: bearer, params: IdParams, querystring: RosterQuerySchema, response: { 200: RosterPageSchema, 403: ApiErrorSchema, 404: ApiErrorSchema } } },
    async (req) => {
      const c = await scopedCampaign(db, staffOf(req), req.params.id);
      const { q, college, admission, page, pageSize } = req.query;
      const where: Prisma.RosterEntryWhereInput = {
        campaignId: c.id,
        ...(college ? { college } : {}),
        ...(admission ? { admissionPhotoStatus: admission } : {}),
        ...(q ? { OR: [{ name: { contains: likeLiteral(q) } }, { uniqueNumber: { startsWith: likeLiteral(q), mode: "insensitive" } }, { phoneHash: phoneSearchHash(app.deps.config.idEncryptionKey, q) }] } : {}),
      };
      const [rows, total, colleges] = await Promise.all([
        db.rosterEntry.findMany({ where, include: { submission: { select: { id: true, state: true } } }, orderBy: [{ college: "asc" }, { uniqueNumber: "asc" }], skip: (page - 1) * pageSize, take: pageSize }),
        db.rosterEntry.count({ where }),
        db.rosterEntry.findMany({ where: { campaignId: c.id }, distinct: ["college"], select: { college: true }, orderBy: { college: "asc" } }),
      ]);
      return { items: await Promise.all(rows.map((e) => rosterEntryAdmin(db, storage, e, app.deps.config.idEncryptionKey))), total, page, pageSize, colleges: colleges.map((x) => x.college) };
    },
  );

  app.post(
    "/api/staff/roster-entries/:id/admission-photo",
    {
      config: { auth: "staff", roles: [...ADMINS], subjectRateLimit: STAFF_HEAVY_LIMIT },
      schema: { tags: ["staff-admin"], summary: "Replace one graduate's admission photo (multipart field `file`; one face required)", consumes: ["multipart/form-data"], security: bearer, params: IdParams, response: { 200: RosterEntryAdminSchema, 400: ApiErrorSchema, 403: ApiErrorSchema, 404: ApiErrorSchema, 413: ApiErrorSchema, 422: ApiErrorSchema } },
    },
    async (req) => {
      const staff = staffOf(req);
      const e = await db.rosterEntry.findUnique({ where: { id: req.params.id }, include: { campaign: true } });
      if (!e) throw notFound();
      assertSchoolScope(staff, e.campaign.schoolId);
      const { bytes } = await uploadedFile(req, MAX_SINGLE_PHOTO, "录取照片");
      const checked = await checkAdmissionPhoto(bytes);
      if (!checked.ok || !checked.jpeg) throw new AppError(422, `ADMISSION_${checked.code}`, checked.message);
      const key = `admission/${e.campaignId}/${e.uniqueNumber}-${randomUUID().slice(0, 8)}.jpg`;
      await storage.put(key, checked.jpeg, { contentType: "image/jpeg" });
      const updated = await db.$transaction(async (tx) => {
        const u = await tx.rosterEntry.update({
          where: { id: e.id },
          data: { admissionPhotoKey: key, ...(e.admissionPhotoStatus === "MISSING" ? { admissionPhotoStatus: "PRESENT" as const } : {}) },
          include: { submission: { select: { id: true, state: true } } },
        });
        await audit(tx, { actorType: "STAFF", actorId: staff.id, schoolId: e.campaign.schoolId, action: "roster.admission_photo_replaced", targetType: "roster_entry", targetId: e.id, before: { key: e.admissionPhotoKey }, after: { key }, ip: req.ip });
        return u;
      });
      return rosterEntryAdmin(db, storage, updated, app.deps.config.idEncryptionKey);
    },
  );

  app.post(
    "/api/staff/campaigns/:id/demo-codes",
    {
      config: { auth: "staff", roles: [...ADMINS], subjectRateLimit: STAFF_HEAVY_LIMIT },
      schema: { tags: ["staff-admin"], summary: "A printable sheet of demo 采集码 QR codes for selected roster entries (demos and training only)", security: bearer, params: IdParams, body: DemoCodesRequestSchema, response: { 200: DemoCodeSheetSchema, 403: ApiErrorSchema, 404: ApiErrorSchema, 409: ApiErrorSchema } },
    },
    async (req) => {
      const staff = staffOf(req);
      const c = await scopedCampaign(db, staff, req.params.id);
      if (c.captureCodeProvider !== "demo") throw new AppError(409, "NOT_A_DEMO_CAMPAIGN", "该活动使用学信网采集码，不能生成演示采集码");
      if (!config.developmentMode) throw new AppError(409, "DEMO_CODES_DISABLED", "生产环境不能生成演示采集码");
      const entries = await db.rosterEntry.findMany({ where: { id: { in: req.body.entryIds }, campaignId: c.id }, orderBy: { uniqueNumber: "asc" } });
      const key = devDemoKey();
      const items = await Promise.all(
        entries.map(async (e) => {
          const text = issueDemoCode(
            { uniqueNumber: e.uniqueNumber, maskedName: maskName(e.name), maskedIdNumber: e.idNumberMasked, schoolCode: c.school.code, schoolName: c.school.name, degreeLevel: e.degreeLevel },
            key,
          );
          const png = await renderCodePng(text, { width: 360, margin: 2 });
          return { entryId: e.id, uniqueNumber: e.uniqueNumber, name: e.name, college: e.college, major: e.major, png: `data:image/png;base64,${png.toString("base64")}`, text };
        }),
      );
      await audit(db, { actorType: "STAFF", actorId: staff.id, schoolId: c.schoolId, action: "capture_code.demo_issued", targetType: "campaign", targetId: c.id, after: { count: items.length, uniqueNumbers: items.map((i) => i.uniqueNumber) }, ip: req.ip });
      return { campaignName: c.name, schoolName: c.school.name, items };
    },
  );
};
